"""Tokens from the lender's auth_url (SPEC §5 step 1), cached per flow until they expire."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from atlasflow.errors import AtlasError
from atlasflow.net.egress import EgressDeniedError, HostLookupTimeoutError, describe_transport_error

DEFAULT_TTL = 300.0  # a token without expires_in: reuse briefly, a 401 from the callback drops it sooner
_MAX_EXPIRY_MARGIN = 30.0  # refresh a little early so a token does not expire in flight
_MAX_BODY = 64 * 1024
_MAX_TOKEN_LENGTH = 8192
# The token travels in a header: refuse anything that could split or smuggle headers.
_HEADER_SAFE = re.compile(r"[\x21-\x7e]+")


class AuthUrlError(AtlasError):
    """auth_url did not give us a token; the delivery attempt counts as failed."""

    def __init__(self, reason: str, *, status_code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


@dataclass(frozen=True)
class _Entry:
    token: str
    expires_at: float


_Key = tuple[str, str, str]


class TokenCache:
    """Tokens keyed by (auth_url, flow_uuid, application_id); thread-safe; expired entries vanish."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        default_ttl: float = DEFAULT_TTL,
        max_entries: int = 10_000,
    ) -> None:
        self._clock = clock
        self._default_ttl = default_ttl
        self._max_entries = max_entries
        self._entries: OrderedDict[_Key, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, *, auth_url: str, flow_uuid: str, application_id: str) -> str | None:
        key = (auth_url, flow_uuid, application_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires_at <= self._clock():
                del self._entries[key]
                return None
            return entry.token

    def put(
        self, *, auth_url: str, flow_uuid: str, application_id: str, token: str, expires_in: float | None
    ) -> None:
        ttl = self._default_ttl if expires_in is None else expires_in
        if ttl <= 0:
            return  # already expired: nothing to reuse
        ttl -= min(_MAX_EXPIRY_MARGIN, ttl * 0.1)
        key = (auth_url, flow_uuid, application_id)
        with self._lock:
            now = self._clock()
            self._entries[key] = _Entry(token=token, expires_at=now + ttl)
            self._entries.move_to_end(key)
            # Flows are many and short-lived: bound memory in a long-running worker.
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def invalidate(self, *, auth_url: str, flow_uuid: str, application_id: str) -> None:
        with self._lock:
            self._entries.pop((auth_url, flow_uuid, application_id), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _expires_in(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def obtain_token(
    *, auth_url: str, flow_uuid: str, application_id: str, client: httpx.Client, cache: TokenCache
) -> str:
    """The token for this flow's callback: from the cache, else POSTed for to auth_url.

    `client` should come from atlasflow.net.egress.guarded_client. Raises AuthUrlError with a plain
    reason on any failure (refused address, network error, non-2xx, no token in the answer).
    """
    cached = cache.get(auth_url=auth_url, flow_uuid=flow_uuid, application_id=application_id)
    if cached is not None:
        return cached
    payload = _post_for_token(client, auth_url, {"flow_uuid": flow_uuid, "application_id": application_id})
    token = payload.get("access_token") or payload.get("token")
    if not isinstance(token, str) or not token:
        raise AuthUrlError("auth_url response carries no access_token")
    if len(token) > _MAX_TOKEN_LENGTH or not _HEADER_SAFE.fullmatch(token):
        raise AuthUrlError("auth_url returned a token that cannot be sent as a header")
    cache.put(
        auth_url=auth_url,
        flow_uuid=flow_uuid,
        application_id=application_id,
        token=token,
        expires_in=_expires_in(payload.get("expires_in")),
    )
    return token


def _post_for_token(client: httpx.Client, auth_url: str, body: dict[str, str]) -> dict[str, Any]:
    try:
        request = client.build_request("POST", auth_url, json=body)
        response = client.send(request, stream=True)
    except HostLookupTimeoutError as exc:
        raise AuthUrlError("auth_url timed out") from exc
    except EgressDeniedError as exc:
        raise AuthUrlError(f"auth_url refused: {exc.reason}") from exc
    except httpx.TimeoutException as exc:
        raise AuthUrlError("auth_url timed out") from exc
    except httpx.InvalidURL as exc:
        raise AuthUrlError("auth_url is malformed") from exc
    except httpx.HTTPError as exc:
        raise AuthUrlError(f"auth_url: {describe_transport_error(exc)}") from exc
    try:
        if not response.is_success:
            raise AuthUrlError(
                f"auth_url answered HTTP {response.status_code}", status_code=response.status_code
            )
        raw = bytearray()
        try:
            for chunk in response.iter_bytes():
                raw += chunk
                if len(raw) > _MAX_BODY:
                    raise AuthUrlError("auth_url response is too large")
        except httpx.TimeoutException as exc:
            raise AuthUrlError("auth_url timed out") from exc
        except httpx.HTTPError as exc:
            raise AuthUrlError(f"auth_url: {describe_transport_error(exc)}") from exc
    finally:
        response.close()
    try:
        payload = json.loads(bytes(raw))
    except ValueError as exc:
        raise AuthUrlError("auth_url answered with a body that is not JSON") from exc
    if not isinstance(payload, dict):
        raise AuthUrlError("auth_url answered with JSON that is not an object")
    return payload
