"""Access tokens (HS256 JWT with `kid`) and single-use refresh tokens (opaque, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
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
    return sub


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    # A fast hash is enough: the token is 256 random bits, so there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()
