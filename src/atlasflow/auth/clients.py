"""API clients: issuing credentials, argon2 secret hashes, and checking a presented secret."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from atlasflow.storage import repository as repo
from atlasflow.storage.db import Database

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class IssuedCredentials:
    """Shown once, at creation; only the secret's hash is kept."""

    client_id: str
    client_secret: str
    webhook_secret: str


def new_client_id() -> str:
    return "cli_" + secrets.token_hex(12)


def new_client_secret() -> str:
    return "cs_" + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


# Checked against when the presented client_id is unknown, so that an unknown id costs the same
# argon2 time as a wrong secret and response timing does not tell which client ids exist.
_UNKNOWN_CLIENT_HASH = _hasher.hash("no such client")


def burn_secret_check(secret: str) -> None:
    secret_matches(_UNKNOWN_CLIENT_HASH, secret)


def secret_matches(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


class SecretCheckCache:
    """Remembers recent successful (client_id, secret) checks for a short time.

    argon2 costs tens of milliseconds by design; the address-match API presents the secret on
    every call, so a positive result is reused briefly. Only a digest of the secret is kept,
    and a changed hash (new secret) misses the cache.
    """

    def __init__(self, ttl: float = 60.0) -> None:
        self._ttl = ttl
        self._ok: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def check(self, *, client_id: str, secret: str, secret_hash: str) -> bool:
        key = (client_id, hashlib.sha256(secret.encode()).hexdigest(), secret_hash)
        now = time.monotonic()
        with self._lock:
            seen = self._ok.get(key)
            if seen is not None and now - seen < self._ttl:
                return True
        ok = secret_matches(secret_hash, secret)
        if ok:
            with self._lock:
                if len(self._ok) > 10_000:
                    self._ok.clear()
                self._ok[key] = now
        return ok


def register_client(db: Database, *, name: str) -> IssuedCredentials:
    """Create an active client; the returned secrets are never retrievable again."""
    from atlasflow.delivery.signing import generate_webhook_secret

    creds = IssuedCredentials(new_client_id(), new_client_secret(), generate_webhook_secret())
    with db.write() as conn:
        repo.insert_client(
            conn,
            client_id=creds.client_id,
            name=name,
            secret_hash=hash_secret(creds.client_secret),
            webhook_secret=creds.webhook_secret,
            now=repo.utcnow(),
        )
    return creds
