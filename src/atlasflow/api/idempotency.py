"""Idempotency-Key: a repeated key returns the first response (24 h); a reused key with a different
request is refused. The key is checked and stored inside the same write transaction as the work."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from atlasflow.api.deps import Services
from atlasflow.api.errors import ApiError
from atlasflow.storage import repository as repo

HEADER = "idempotency-key"


def idempotency_key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable():
        raise ApiError(400, "Idempotency-Key must be 1-255 printable characters")
    return key


def request_hash(endpoint: str, payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{endpoint}\n{canonical}".encode()).hexdigest()


def run_idempotent(
    services: Services,
    *,
    client_id: str,
    key: str | None,
    endpoint: str,
    payload: Any,
    work: Callable[[Connection], tuple[int, Any]],
) -> tuple[JSONResponse, bool]:
    """Run `work` in a write transaction unless `key` was seen; returns (response, did_work)."""
    digest = request_hash(endpoint, payload)
    now = repo.utcnow()
    with services.db.write() as conn:
        if key is not None:
            seen = repo.get_idempotency(
                conn,
                client_id=client_id,
                key=key,
                since=now - timedelta(seconds=services.settings.idempotency_ttl),
            )
            if seen is not None:
                if seen.endpoint != endpoint or seen.request_hash != digest:
                    raise ApiError(
                        422,
                        "Idempotency-Key was already used with a different request; use a new key for a new request",
                    )
                response = JSONResponse(json.loads(seen.response_body), status_code=seen.status_code)
                response.headers["Idempotent-Replayed"] = "true"
                return response, False
        status, body = work(conn)
        if key is not None:
            repo.put_idempotency(
                conn,
                client_id=client_id,
                key=key,
                endpoint=endpoint,
                request_hash=digest,
                status_code=status,
                response_body=json.dumps(body, separators=(",", ":")),
                now=now,
            )
    return JSONResponse(body, status_code=status), True
