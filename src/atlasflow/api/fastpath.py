"""A fast path for `GET /v3/verification/status`, the call lenders make most (every few seconds,
for every open application).

It answers only the plain successful case — a token already verified once, an active client, its
own flow, within its rate limit — straight from ASGI, skipping routing and dependency solving.
Anything else (no or bad token, unknown flow, a disabled client, a rate limit hit, a database
error, an odd query string) falls through untouched to the regular route, which produces the
same answer the slow way, errors included. Every check the route makes is made here too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from atlasflow.auth.tokens import TokenError
from atlasflow.runtime.status import roll_up
from atlasflow.storage import repository as repo
from atlasflow.storage.db import DatabaseUnavailableError
from atlasflow.storage.tables import ClientStatus

STATUS_PATH = "/v3/verification/status"
_HEADERS = [(b"content-type", b"application/json")]


@dataclass(frozen=True, slots=True)
class _RouteLabel:
    """Lets the request middleware label fast-path requests with the route, as routing would."""

    path: str = STATUS_PATH


_LABEL = _RouteLabel()


def _flow_uuid(query: bytes) -> str | None:
    key, sep, value = query.partition(b"=")
    if key != b"flow_uuid" or not sep or not value or b"&" in value or b"%" in value or b"+" in value:
        return None  # anything unusual is parsed by the framework on the regular route
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        return None


def _token(scope: Scope) -> str | None:
    bearer = None
    for name, value in scope["headers"]:
        if name == b"token":
            return value.decode("latin-1").strip() or None
        if name == b"authorization":
            scheme, _, rest = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                bearer = rest.strip() or None
    return bearer


def status_body(snap: repo.StatusSnapshot) -> bytes:
    """The status response body: rolled up from documents while in progress, else as stored."""
    if snap.tally is not None:
        wire = roll_up(snap.tally, complete=False).to_wire()
    else:
        wire = {
            "upload_status": snap.upload_status,
            "processing_status": snap.processing_status,
            "crossheck_status": snap.crosscheck_status,
            "master_status": snap.master_status,
        }
    return json.dumps(wire, separators=(",", ":")).encode()


class StatusFastPath:
    def __init__(self, app: ASGIApp, *, state: object) -> None:
        self.app = app
        self.state = state  # app.state: its `services` may be swapped (tests simulate outages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == STATUS_PATH:
            body = self._answer(scope)
            if body is not None:
                scope["route"] = _LABEL
                headers = [*_HEADERS, (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> bytes | None:
        flow_uuid = _flow_uuid(scope.get("query_string", b""))
        token = _token(scope)
        if flow_uuid is None or token is None:
            return None
        services = self.state.services  # type: ignore[attr-defined]
        try:
            client_id = services.tokens.client_for(token, ring=services.keys.ring())
            snap = repo.status_snapshot(services.db, flow_uuid=flow_uuid, client_id=client_id)
        except (TokenError, DatabaseUnavailableError):
            return None
        if snap.client_status != ClientStatus.ACTIVE or not snap.flow_found:
            return None
        if services.limiter.check(client_id) is not None:
            return None  # the route applies the limit again and answers 429
        return status_body(snap)
