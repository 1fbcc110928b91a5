"""One callback delivery attempt (SPEC §5): token, signed POST, and the verdict Delivered | RetryAt | GiveUp.

The caller (the delivery sweep) records every verdict and schedules the next attempt; this module
keeps no state between attempts except the token cache it is handed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import structlog

from atlasflow.delivery.auth_url import AuthUrlError, TokenCache, obtain_token
from atlasflow.delivery.backoff import DEFAULT_SCHEDULE, next_delay, parse_retry_after
from atlasflow.delivery.signing import webhook_headers
from atlasflow.net.egress import (
    EgressDeniedError,
    EgressPolicy,
    HostLookupTimeoutError,
    deadline,
    describe_transport_error,
    guarded_client,
)

_log = structlog.get_logger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Delivered:
    status_code: int
    latency_ms: float
    error: str = ""


@dataclass(frozen=True)
class RetryAt:
    at: datetime
    status_code: int | None
    latency_ms: float
    error: str


@dataclass(frozen=True)
class GiveUp:
    status_code: int | None
    latency_ms: float
    error: str


DeliveryOutcome = Delivered | RetryAt | GiveUp


def _elapsed_ms(since: float) -> float:
    return round((time.monotonic() - since) * 1000, 1)


def attempt_delivery(
    *,
    callback_url: str,
    auth_url: str,
    body: bytes,
    webhook_id: str,
    webhook_secret: str,
    flow_uuid: str,
    application_id: str,
    attempt_number: int,
    policy: EgressPolicy,
    token_cache: TokenCache,
    schedule: Sequence[float] = DEFAULT_SCHEDULE,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 15.0,
    now: Callable[[], datetime] = utcnow,
) -> DeliveryOutcome:
    """Make attempt number `attempt_number` (1-based) to deliver `body` to `callback_url`.

    Any 2xx is Delivered. Everything else — 3xx (redirects are never followed), 4xx, 5xx, a timeout,
    a connection error, a refused address, an auth_url failure — is a failed attempt: RetryAt per
    `schedule` (honouring Retry-After), or GiveUp once the schedule is spent. `timeout` bounds the
    auth_url call and the callback POST, each as a whole.
    """
    log = _log.bind(webhook_id=webhook_id, flow_uuid=flow_uuid, attempt=attempt_number)
    started = time.monotonic()
    status_code: int | None = None
    retry_after: float | None = None
    with guarded_client(policy=policy, timeout=timeout, transport=transport) as client:
        try:
            with deadline(timeout):
                token = obtain_token(
                    auth_url=auth_url,
                    flow_uuid=flow_uuid,
                    application_id=application_id,
                    client=client,
                    cache=token_cache,
                )
        except AuthUrlError as exc:
            return _failed(
                log,
                attempt_number,
                schedule,
                now,
                status_code=None,
                latency_ms=_elapsed_ms(started),
                error=exc.reason,
                retry_after=None,
            )

        timestamp = int(now().timestamp())
        try:
            signature = webhook_headers(
                secret=webhook_secret, msg_id=webhook_id, timestamp=timestamp, body=body
            )
        except ValueError as exc:
            # No retry can fix a broken secret; surface it instead of retrying for a day.
            log.error("callback.bad_secret")
            return GiveUp(status_code=None, latency_ms=_elapsed_ms(started), error=str(exc))
        headers = {"Token": token, "Content-Type": "application/json", **signature}

        posted = time.monotonic()
        try:
            with deadline(timeout):
                request = client.build_request("POST", callback_url, content=body, headers=headers)
                # The receiver's body is never needed: stream and close without reading it.
                response = client.send(request, stream=True)
                response.close()
        except HostLookupTimeoutError:
            error = f"timed out after {timeout:g} s"
        except EgressDeniedError as exc:
            error = f"callback_url refused: {exc.reason}"
        except httpx.TimeoutException:
            error = f"timed out after {timeout:g} s"
        except httpx.InvalidURL:
            error = "callback_url is malformed"
        except httpx.HTTPError as exc:
            error = describe_transport_error(exc)
        else:
            status_code = response.status_code
            if response.is_success:
                latency = _elapsed_ms(posted)
                log.info("callback.delivered", status_code=status_code, latency_ms=latency)
                return Delivered(status_code=status_code, latency_ms=latency)
            if status_code == 401:
                # Our token was rejected: the next attempt must ask auth_url again.
                token_cache.invalidate(auth_url=auth_url, flow_uuid=flow_uuid, application_id=application_id)
            retry_after = parse_retry_after(response.headers.get("retry-after"), now=now())
            error = f"HTTP {status_code} from callback_url"
            if response.is_redirect or 300 <= status_code < 400:
                error += " (redirects are not followed)"
        return _failed(
            log,
            attempt_number,
            schedule,
            now,
            status_code=status_code,
            latency_ms=_elapsed_ms(posted),
            error=error,
            retry_after=retry_after,
        )


def _failed(
    log: structlog.typing.FilteringBoundLogger,
    attempt_number: int,
    schedule: Sequence[float],
    now: Callable[[], datetime],
    *,
    status_code: int | None,
    latency_ms: float,
    error: str,
    retry_after: float | None,
) -> RetryAt | GiveUp:
    delay = next_delay(attempt_number=attempt_number, schedule=schedule, retry_after=retry_after)
    if delay is None:
        log.warning("callback.gave_up", status_code=status_code, latency_ms=latency_ms, error=error)
        return GiveUp(status_code=status_code, latency_ms=latency_ms, error=error)
    at = now() + timedelta(seconds=delay)
    log.info(
        "callback.failed",
        status_code=status_code,
        latency_ms=latency_ms,
        error=error,
        retry_in_s=round(delay, 1),
    )
    return RetryAt(at=at, status_code=status_code, latency_ms=latency_ms, error=error)
