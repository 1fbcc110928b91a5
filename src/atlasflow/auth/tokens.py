"""Access tokens (HS256 JWT with `kid`) and single-use refresh tokens (opaque, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import datetime

import jwt

from atlasflow.auth.keys import KeyRing
from atlasflow.errors import AtlasError

_ISSUER = "atlasflow"


class TokenError(AtlasError):
    """A token is missing, malformed, expired, revoked or signed by an unknown key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue_access_token(*, ring: KeyRing, client_id: str, ttl: int, now: datetime) -> str:
    iat = int(now.timestamp())
    claims = {"sub": client_id, "iss": _ISSUER, "iat": iat, "exp": iat + ttl, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, ring.keys[ring.active_kid], algorithm="HS256", headers={"kid": ring.active_kid})


def verify_access_token(token: str, *, ring: KeyRing) -> str:
    """Return the client_id the token was issued to, or raise TokenError."""
    return _verify(token, ring=ring)[0]


def _verify(token: str, *, ring: KeyRing) -> tuple[str, float]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenError("token is malformed") from exc
    kid = header.get("kid")
    key = ring.key(kid) if isinstance(kid, str) else None
    if key is None or header.get("alg") != "HS256":
        raise TokenError("token was not signed by this service")
    try:
        claims = jwt.decode(
            token, key, algorithms=["HS256"], issuer=_ISSUER, options={"require": ["exp", "iat", "sub"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("token has expired") from exc
    except jwt.InvalidSignatureError as exc:
        raise TokenError("token was not signed by this service") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("token is malformed") from exc
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise TokenError("token is malformed")
    return sub, float(claims["exp"])


class VerifiedTokens:
    """Remembers tokens already verified, until they expire or the key ring changes.

    Verifying an HS256 JWT costs ~30 µs; a lender polling status presents the same token over
    and over. The answer for a given token string cannot change except by expiry (checked on
    every hit) or by a key being removed (the ring object changes, and the memory is dropped).
    Revocation is not decided here: the caller still checks the client's state each request.
    """

    def __init__(self, max_entries: int = 50_000) -> None:
        self._ring: KeyRing | None = None
        self._seen: dict[str, tuple[str, float]] = {}
        self._max = max_entries

    def client_for(self, token: str, *, ring: KeyRing) -> str:
        if ring is not self._ring:
            self._seen = {}
            self._ring = ring
        hit = self._seen.get(token)
        if hit is None:
            hit = _verify(token, ring=ring)
            if len(self._seen) >= self._max:
                self._seen = {}
            self._seen[token] = hit
        client_id, exp = hit
        if exp <= time.time():
            self._seen.pop(token, None)
            raise TokenError("token has expired")
        return client_id


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    # A fast hash is enough: the token is 256 random bits, so there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()
