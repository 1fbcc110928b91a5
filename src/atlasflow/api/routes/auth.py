"""Token endpoints: client credentials -> access + refresh token; a refresh token is single use."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta

from fastapi import APIRouter, Request

from atlasflow.api.deps import ServicesDep
from atlasflow.api.errors import ApiError, missing_params
from atlasflow.api.schemas import RefreshRequest, TokenResponse, error_responses
from atlasflow.auth.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from atlasflow.logging import get_logger
from atlasflow.storage import repository as repo

router = APIRouter(prefix="/v3/verification", tags=["auth"])
log = get_logger("atlasflow.api")


def _credentials(request: Request) -> tuple[str, str]:
    client_id = (request.headers.get("client-id") or "").strip()
    client_secret = (request.headers.get("client-secret") or "").strip()
    if not client_id and not client_secret:
        # Also accept HTTP Basic (client_id:client_secret), which many HTTP clients send natively.
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "basic" and value:
            try:
                client_id, _, client_secret = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise ApiError(400, "Authorization header is malformed") from exc
    missing = [
        name for name, value in (("Client-Id", client_id), ("Client-Secret", client_secret)) if not value
    ]
    if missing:
        raise missing_params(missing)
    return client_id, client_secret


def _issue(services: ServicesDep, client_id: str) -> TokenResponse:
    now = repo.utcnow()
    settings = services.settings
    access = issue_access_token(
        ring=services.keys.ring(), client_id=client_id, ttl=settings.access_token_ttl, now=now
    )
    refresh = new_refresh_token()
    with services.db.write() as conn:
        repo.insert_refresh_token(
            conn,
            token_hash=hash_refresh_token(refresh),
            client_id=client_id,
            now=now,
            expires_at=now + timedelta(seconds=settings.refresh_token_ttl),
        )
    return TokenResponse(access_token=access, expires_in=settings.access_token_ttl, refresh_token=refresh)


@router.post(
    "/authtoken",
    status_code=201,
    response_model=TokenResponse,
    responses=error_responses(400, 401, 429, 503),
    summary="Exchange Client-Id / Client-Secret headers for an access token",
)
def authtoken(request: Request, services: ServicesDep) -> TokenResponse:
    client_id, client_secret = _credentials(request)
    # Limit guesses per presented id before paying for argon2.
    services.limiter.enforce(f"auth:{client_id}")
    if not services.verify_client_credentials(client_id, client_secret):
        log.info("authtoken refused", client_id=client_id[:64])
        raise ApiError(401, "Invalid client credentials")
    return _issue(services, client_id)


@router.post(
    "/refresh-token",
    status_code=201,
    response_model=TokenResponse,
    responses=error_responses(400, 401, 429, 503),
    summary="Exchange a refresh token (single use) for a new token pair",
)
def refresh_token(body: RefreshRequest, services: ServicesDep) -> TokenResponse:
    with services.db.write() as conn:
        client_id = repo.consume_refresh_token(
            conn, token_hash=hash_refresh_token(body.refresh_token), now=repo.utcnow()
        )
        client = repo.get_client(conn, client_id=client_id) if client_id else None
    if client is None or not client.active:
        raise ApiError(401, "Refresh token is invalid, expired or already used")
    services.limiter.enforce(client.client_id)
    return _issue(services, client.client_id)
