"""Callback delivery (SPEC §5): signatures a stock verifier accepts, tokens, retries and giving up."""

from __future__ import annotations

import base64
import contextlib
import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from atlasflow.delivery.auth_url import AuthUrlError, TokenCache, obtain_token
from atlasflow.delivery.backoff import DEFAULT_SCHEDULE, next_delay, parse_retry_after, parse_schedule
from atlasflow.delivery.signing import generate_webhook_secret, sign_webhook, webhook_headers
from atlasflow.delivery.webhooks import Delivered, GiveUp, RetryAt, attempt_delivery
from atlasflow.net.egress import EgressPolicy, guarded_client

HOST = "93.184.215.14"  # a public literal: the guard lets it through without DNS; MockTransport answers
AUTH_URL = f"https://{HOST}/lender/auth"
CALLBACK_URL = f"https://{HOST}/lender/callback"
NOW = datetime(2025, 11, 21, 11, 32, 28, tzinfo=UTC)
BODY = json.dumps({"flow_uuid": "f-1", "application_id": "APP-1", "ocr_data": []}).encode()
POLICY = EgressPolicy()


def fixed_now() -> datetime:
    return NOW


class Lender:
    """A fake lender: an auth_url that issues tokens and a callback_url with a scripted answer."""

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.auth_status = 201
        self.auth_body: dict[str, object] | None = None
        self.expires_in: object = 3600
        self.callback_answers: list[httpx.Response] = []
        self.callbacks: list[httpx.Request] = []
        self.auth_requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/lender/auth":
            self.auth_requests.append(request)
            if self.auth_status >= 300:
                return httpx.Response(self.auth_status)
            self.tokens_issued += 1
            answer = self.auth_body or {
                "access_token": f"tok-{self.tokens_issued}",
                "expires_in": self.expires_in,
            }
            return httpx.Response(self.auth_status, json=answer)
        self.callbacks.append(request)
        request.read()
        return self.callback_answers.pop(0) if self.callback_answers else httpx.Response(200)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


@pytest.fixture
def lender() -> Lender:
    return Lender()


def attempt(lender: Lender, **overrides: object) -> Delivered | RetryAt | GiveUp:
    arguments: dict[str, object] = {
        "callback_url": CALLBACK_URL,
        "auth_url": AUTH_URL,
        "body": BODY,
        "webhook_id": "msg_f-1_result_1",
        "webhook_secret": SECRET,
        "flow_uuid": "f-1",
        "application_id": "APP-1",
        "attempt_number": 1,
        "policy": POLICY,
        "token_cache": TokenCache(),
        "transport": lender.transport,
        "now": fixed_now,
    }
    arguments.update(overrides)
    return attempt_delivery(**arguments)  # type: ignore[arg-type]


SECRET = generate_webhook_secret()


# --- signing, verified by the standardwebhooks library ------------------------------------------------


def test_secret_has_the_standard_webhooks_shape() -> None:
    secret = generate_webhook_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert generate_webhook_secret() != secret


def test_signature_verifies_with_the_standardwebhooks_library() -> None:
    timestamp = int(time.time())
    headers = webhook_headers(secret=SECRET, msg_id="msg_1", timestamp=timestamp, body=BODY)
    assert Webhook(SECRET).verify(BODY, headers) == json.loads(BODY)
    assert headers["webhook-signature"] == sign_webhook(
        secret=SECRET, msg_id="msg_1", timestamp=timestamp, body=BODY
    )


@pytest.mark.parametrize("tamper", ["body", "id", "secret"])
def test_tampered_callbacks_fail_verification(tamper: str) -> None:
    timestamp = int(time.time())
    headers = webhook_headers(secret=SECRET, msg_id="msg_1", timestamp=timestamp, body=BODY)
    body, secret = BODY, SECRET
    if tamper == "body":
        body = BODY.replace(b"APP-1", b"APP-2")
    elif tamper == "id":
        headers["webhook-id"] = "msg_2"
    else:
        secret = generate_webhook_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


# --- one delivery attempt ---------------------------------------------------------------------------


def test_delivered_callback_carries_token_json_and_a_verifiable_signature(lender: Lender) -> None:
    real_now = datetime.now(UTC).replace(microsecond=0)  # the verifier rejects stale timestamps
    outcome = attempt(lender, now=lambda: real_now)
    assert isinstance(outcome, Delivered)
    assert outcome.status_code == 200
    assert json.loads(lender.auth_requests[0].content) == {"flow_uuid": "f-1", "application_id": "APP-1"}
    (sent,) = lender.callbacks
    assert sent.method == "POST"
    assert sent.content == BODY
    assert sent.headers["Token"] == "tok-1"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["webhook-id"] == "msg_f-1_result_1"
    assert sent.headers["webhook-timestamp"] == str(int(real_now.timestamp()))
    Webhook(SECRET).verify(sent.content, dict(sent.headers))


def test_any_2xx_is_delivered(lender: Lender) -> None:
    lender.callback_answers = [httpx.Response(204)]
    outcome = attempt(lender)
    assert isinstance(outcome, Delivered)
    assert outcome.status_code == 204


def test_token_is_reused_until_it_expires(lender: Lender) -> None:
    clock = [1000.0]
    cache = TokenCache(clock=lambda: clock[0])
    lender.expires_in = 600
    for _ in range(3):
        assert isinstance(attempt(lender, token_cache=cache), Delivered)
    assert lender.tokens_issued == 1
    clock[0] += 601
    assert isinstance(attempt(lender, token_cache=cache), Delivered)
    assert lender.tokens_issued == 2
    assert [r.headers["Token"] for r in lender.callbacks] == ["tok-1", "tok-1", "tok-1", "tok-2"]


def test_token_cache_is_per_flow(lender: Lender) -> None:
    cache = TokenCache()
    attempt(lender, token_cache=cache, flow_uuid="f-1")
    attempt(lender, token_cache=cache, flow_uuid="f-2")
    assert lender.tokens_issued == 2


def test_401_from_the_callback_drops_the_cached_token(lender: Lender) -> None:
    cache = TokenCache()
    lender.callback_answers = [httpx.Response(401)]
    first = attempt(lender, token_cache=cache)
    assert isinstance(first, RetryAt)
    assert first.status_code == 401
    second = attempt(lender, token_cache=cache, attempt_number=2)
    assert isinstance(second, Delivered)
    assert [r.headers["Token"] for r in lender.callbacks] == ["tok-1", "tok-2"]


def test_token_named_token_and_string_expiry_are_accepted(lender: Lender) -> None:
    lender.auth_body = {"token": "plain-token", "expires_in": "120"}
    clock = [0.0]
    cache = TokenCache(clock=lambda: clock[0])
    with guarded_client(policy=POLICY, timeout=5, transport=lender.transport) as client:
        assert obtain_token(
            auth_url=AUTH_URL, flow_uuid="f", application_id="a", client=client, cache=cache
        ) == ("plain-token")
        clock[0] = 100.0
        obtain_token(auth_url=AUTH_URL, flow_uuid="f", application_id="a", client=client, cache=cache)
        assert len(lender.auth_requests) == 1
        clock[0] = 121.0
        obtain_token(auth_url=AUTH_URL, flow_uuid="f", application_id="a", client=client, cache=cache)
        assert len(lender.auth_requests) == 2


@pytest.mark.parametrize(
    ("auth_body", "reason"),
    [
        ({"expires_in": 60}, "auth_url response carries no access_token"),
        (
            {"access_token": "bad\r\nX-Injected: 1"},
            "auth_url returned a token that cannot be sent as a header",
        ),
    ],
)
def test_unusable_auth_answers_are_failed_attempts(lender: Lender, auth_body: dict, reason: str) -> None:
    lender.auth_body = auth_body
    outcome = attempt(lender)
    assert isinstance(outcome, RetryAt)
    assert outcome.error == reason
    assert lender.callbacks == []


def test_auth_url_failure_is_a_failed_attempt_without_calling_back(lender: Lender) -> None:
    lender.auth_status = 500
    outcome = attempt(lender)
    assert isinstance(outcome, RetryAt)
    assert outcome.status_code is None
    assert outcome.error == "auth_url answered HTTP 500"
    assert lender.callbacks == []


def test_auth_url_on_a_private_address_is_refused(lender: Lender) -> None:
    outcome = attempt(lender, auth_url="http://10.0.0.7/auth")
    assert isinstance(outcome, RetryAt)
    assert outcome.error == "auth_url refused: address 10.0.0.7 is not allowed (private)"
    assert lender.auth_requests == [] and lender.callbacks == []


def test_callback_to_a_forbidden_address_is_never_sent(lender: Lender) -> None:
    outcome = attempt(lender, callback_url="http://169.254.169.254/latest/meta-data/")
    assert isinstance(outcome, RetryAt)
    assert outcome.error == "callback_url refused: address 169.254.169.254 is not allowed (cloud metadata)"
    assert lender.callbacks == []


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_redirect_from_the_callback_is_a_failure_and_not_followed(lender: Lender, code: int) -> None:
    lender.callback_answers = [httpx.Response(code, headers={"Location": f"https://{HOST}/elsewhere"})]
    outcome = attempt(lender)
    assert isinstance(outcome, RetryAt)
    assert outcome.status_code == code
    assert outcome.error == f"HTTP {code} from callback_url (redirects are not followed)"
    assert [r.url.path for r in lender.callbacks] == ["/lender/callback"]


def test_server_error_is_retried_on_the_schedule_with_jitter(lender: Lender) -> None:
    lender.callback_answers = [httpx.Response(500)]
    outcome = attempt(lender)
    assert isinstance(outcome, RetryAt)
    assert outcome.status_code == 500
    assert outcome.error == "HTTP 500 from callback_url"
    assert NOW + timedelta(seconds=4) <= outcome.at <= NOW + timedelta(seconds=6)


def test_retry_after_seconds_is_honoured_when_longer(lender: Lender) -> None:
    lender.callback_answers = [httpx.Response(503, headers={"Retry-After": "120"})]
    outcome = attempt(lender)
    assert isinstance(outcome, RetryAt)
    assert outcome.at == NOW + timedelta(seconds=120)


def test_retry_after_http_date_is_honoured(lender: Lender) -> None:
    later = NOW + timedelta(minutes=10)
    lender.callback_answers = [
        httpx.Response(429, headers={"Retry-After": format_datetime(later, usegmt=True)})
    ]
    outcome = attempt(lender)
    assert isinstance(outcome, RetryAt)
    assert outcome.at == later


def test_short_retry_after_does_not_shorten_the_schedule(lender: Lender) -> None:
    lender.callback_answers = [httpx.Response(503, headers={"Retry-After": "1"})]
    outcome = attempt(lender, attempt_number=2)  # the schedule says about 5 minutes
    assert isinstance(outcome, RetryAt)
    assert NOW + timedelta(seconds=240) <= outcome.at <= NOW + timedelta(seconds=360)


def test_gives_up_after_the_last_scheduled_retry(lender: Lender) -> None:
    schedule = (0.2, 0.5, 1.0)
    lender.callback_answers = [httpx.Response(500), httpx.Response(500)]
    assert isinstance(attempt(lender, schedule=schedule, attempt_number=3), RetryAt)
    final = attempt(lender, schedule=schedule, attempt_number=4)
    assert isinstance(final, GiveUp)
    assert final.status_code == 500
    assert final.error == "HTTP 500 from callback_url"


def test_default_schedule_allows_eight_attempts(lender: Lender) -> None:
    lender.callback_answers = [httpx.Response(500), httpx.Response(500)]
    assert isinstance(attempt(lender, attempt_number=7), RetryAt)
    assert isinstance(attempt(lender, attempt_number=8), GiveUp)


def test_malformed_secret_gives_up_at_once(lender: Lender) -> None:
    outcome = attempt(lender, webhook_secret="whsec_***not base64***")
    assert isinstance(outcome, GiveUp)
    assert "webhook secret" in outcome.error
    assert lender.callbacks == []


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and reads requests but never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []

    def run() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                held.append(conn)

    threading.Thread(target=run, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for conn in held:
            conn.close()


def test_callback_timeout_is_a_failed_attempt() -> None:
    cache = TokenCache()
    with silent_server() as port:
        callback = f"http://127.0.0.1:{port}/cb"
        auth = f"http://127.0.0.1:{port}/auth"
        cache.put(auth_url=auth, flow_uuid="f-1", application_id="APP-1", token="cached", expires_in=600)
        started = time.monotonic()
        outcome = attempt_delivery(
            callback_url=callback, auth_url=auth, body=BODY, webhook_id="msg_1", webhook_secret=SECRET,
            flow_uuid="f-1", application_id="APP-1", attempt_number=1,
            policy=EgressPolicy.from_env_value("127.0.0.1/32"), token_cache=cache, timeout=0.5, now=fixed_now,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert isinstance(outcome, RetryAt)
    assert outcome.status_code is None
    assert outcome.error == "timed out after 0.5 s"
    assert 0.4 <= elapsed < 2


def test_connection_refused_is_a_failed_attempt() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cache = TokenCache()
    auth = "http://127.0.0.1:1/auth"
    cache.put(auth_url=auth, flow_uuid="f-1", application_id="APP-1", token="cached", expires_in=600)
    outcome = attempt_delivery(
        callback_url=f"http://127.0.0.1:{port}/cb", auth_url=auth, body=BODY, webhook_id="msg_1",
        webhook_secret=SECRET, flow_uuid="f-1", application_id="APP-1", attempt_number=1,
        policy=EgressPolicy.from_env_value("127.0.0.1/32"), token_cache=cache, now=fixed_now,
    )  # fmt: skip
    assert isinstance(outcome, RetryAt)
    assert outcome.error == "connection refused"


def test_logs_name_ids_but_never_the_body_or_token(
    lender: Lender, capsys: pytest.CaptureFixture[str]
) -> None:
    lender.auth_body = {"access_token": "tok-SECRET-VALUE", "expires_in": 60}
    lender.callback_answers = [httpx.Response(500), httpx.Response(200)]
    attempt(lender)
    attempt(lender, attempt_number=2)
    out = capsys.readouterr()
    logged = out.out + out.err
    assert "msg_f-1_result_1" in logged  # the ids are there...
    assert "tok-SECRET-VALUE" not in logged  # ...the token is not
    assert "ocr_data" not in logged and "APP-1" not in logged  # nor the body
    assert SECRET not in logged


# --- backoff ------------------------------------------------------------------------------------------


def test_parse_schedule() -> None:
    assert parse_schedule("0.2,0.5,1") == (0.2, 0.5, 1.0)
    assert parse_schedule(" 5 , 300 ") == (5.0, 300.0)
    assert parse_schedule(None) == DEFAULT_SCHEDULE
    assert parse_schedule("") == DEFAULT_SCHEDULE
    assert DEFAULT_SCHEDULE == (5, 300, 1800, 7200, 18000, 36000, 36000)
    for bad in ("a,1", "-1", "1,,2", "inf"):
        with pytest.raises(ValueError):
            parse_schedule(bad)


def test_jitter_stays_within_twenty_percent_and_varies() -> None:
    rng = random.Random(7)
    delays = [
        next_delay(attempt_number=2, schedule=DEFAULT_SCHEDULE, retry_after=None, rng=rng) for _ in range(200)
    ]
    assert all(d is not None and 240 <= d <= 360 for d in delays)
    assert max(delays) - min(delays) > 60  # type: ignore[operator]  # jitter actually spreads retries


def test_next_delay_gives_up_past_the_schedule() -> None:
    assert next_delay(attempt_number=3, schedule=(1, 2, 3), retry_after=None) is not None
    assert next_delay(attempt_number=4, schedule=(1, 2, 3), retry_after=None) is None
    assert next_delay(attempt_number=1, schedule=(), retry_after=30) is None


def test_parse_retry_after() -> None:
    assert parse_retry_after("120", now=NOW) == 120
    assert parse_retry_after(format_datetime(NOW + timedelta(seconds=90), usegmt=True), now=NOW) == 90
    assert parse_retry_after(format_datetime(NOW - timedelta(seconds=90), usegmt=True), now=NOW) == 0
    assert parse_retry_after("soon", now=NOW) is None
    assert parse_retry_after(None, now=NOW) is None
    assert parse_retry_after("999999999", now=NOW) == 24 * 3600  # a receiver cannot park us for years


def test_token_cache_forgets_oldest_beyond_its_bound() -> None:
    cache = TokenCache(max_entries=2)
    for flow in ("a", "b", "c"):
        cache.put(auth_url=AUTH_URL, flow_uuid=flow, application_id="x", token=flow, expires_in=60)
    assert cache.get(auth_url=AUTH_URL, flow_uuid="a", application_id="x") is None
    assert cache.get(auth_url=AUTH_URL, flow_uuid="c", application_id="x") == "c"


def test_obtain_token_raises_auth_url_error(lender: Lender) -> None:
    lender.auth_status = 403
    with (
        guarded_client(policy=POLICY, timeout=5, transport=lender.transport) as client,
        pytest.raises(AuthUrlError) as caught,
    ):
        obtain_token(auth_url=AUTH_URL, flow_uuid="f", application_id="a", client=client, cache=TokenCache())
    assert caught.value.status_code == 403
