"""Request dependencies: the app's services, the authenticated client, the per-client rate limit.

Handlers read like typed functions: `def status(client: CurrentClient, services: ServicesDep)`.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from atlasflow.api.errors import ApiError
from atlasflow.auth.clients import SecretCheckCache, burn_secret_check
from atlasflow.auth.keys import KEY_FILE_NAME, KeySource
from atlasflow.auth.tokens import TokenError, VerifiedTokens
from atlasflow.config import Settings
from atlasflow.logging import get_logger
from atlasflow.net.egress import EgressPolicy
from atlasflow.runtime.flow import Notifier, NullNotifier
from atlasflow.storage import repository as repo
from atlasflow.storage.blobs import BlobStore
from atlasflow.storage.db import Database
from atlasflow.storage.s3 import S3BlobStore, open_blob_store
from atlasflow.storage.tables import ClientStatus

log = get_logger("atlasflow.api")


class RateLimiter:
    """A token bucket per key: `rate` requests per second sustained, `burst` at once."""

    def __init__(self, *, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float | None:
        """None if allowed; otherwise seconds until the next request would be."""
        if self.rate <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def enforce(self, key: str) -> None:
        wait = self.check(key)
        if wait is not None:
            retry = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Rate limit exceeded; retry after {retry} s", headers={"Retry-After": str(retry)}
            )


@dataclass
class Services:
    """Everything a request may need, built once by create_app."""

    settings: Settings
    db: Database
    blobs: BlobStore | S3BlobStore
    keys: KeySource
    policy: EgressPolicy
    limiter: RateLimiter
    notifier: Notifier = field(default_factory=NullNotifier)
    secrets: SecretCheckCache = field(default_factory=SecretCheckCache)
    tokens: VerifiedTokens = field(default_factory=VerifiedTokens)

    @classmethod
    def build(
        cls, settings: Settings, *, notifier: Notifier | None = None, db: Database | None = None
    ) -> Services:
        return cls(
            settings=settings,
            db=db or Database(settings.resolved_database_url),
            blobs=open_blob_store(settings),
            keys=KeySource(configured=settings.jwt_keys, key_file=settings.data_dir / KEY_FILE_NAME),
            policy=EgressPolicy.from_env_value(settings.egress_allow),
            limiter=RateLimiter(rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst),
            notifier=notifier or NullNotifier(),
        )

    def verify_client_credentials(self, client_id: str, client_secret: str) -> bool:
        """True if the pair names an active client (used by the address-match API too)."""
        if not client_id or not client_secret:
            return False
        with self.db.read() as conn:
            client = repo.get_client(conn, client_id=client_id)
        if client is None or not client.active:
            burn_secret_check(client_secret)
            return False
        return self.secrets.check(client_id=client_id, secret=client_secret, secret_hash=client.secret_hash)


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


@dataclass(frozen=True, slots=True)
class AuthedClient:
    client_id: str


def bearer_token(request: Request) -> str:
    token = request.headers.get("token")
    if token is None:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            token = value
    token = (token or "").strip()
    if not token:
        raise ApiError(401, "Token header is missing")
    return token


def token_client_id(request: Request, services: Services) -> str:
    """The client_id a valid access token names (signature and expiry only; no database)."""
    token = bearer_token(request)
    try:
        return services.tokens.client_for(token, ring=services.keys.ring())
    except TokenError as exc:
        raise ApiError(401, f"Invalid token: {exc.reason}") from exc


def require_active(status: str | None) -> None:
    if status != ClientStatus.ACTIVE:
        raise ApiError(401, "Invalid token: token has been revoked")


def current_client(request: Request, services: ServicesDep) -> AuthedClient:
    """Verify the access token, then check the client is still active (on every request, so
    disabling a client locks its tokens out at once), then apply its rate limit."""
    client_id = token_client_id(request, services)
    with services.db.read() as conn:
        require_active(repo.client_status(conn, client_id=client_id))
    services.limiter.enforce(client_id)
    return AuthedClient(client_id)


CurrentClient = Annotated[AuthedClient, Depends(current_client)]
