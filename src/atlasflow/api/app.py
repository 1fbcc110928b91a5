"""The FastAPI application: `create_app(settings)` wires services, routes, errors and middleware.

The HTTP process only records work and answers from the database; it never imports or runs OCR.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlasflow import __version__
from atlasflow.api.deps import Services
from atlasflow.api.errors import BodyTooLargeError, envelope, install_error_handlers
from atlasflow.api.fastpath import StatusFastPath
from atlasflow.api.routes import auth, callbacks, erasure, flows, ops
from atlasflow.api.routes.flows import FLOW_SCOPE_KEY
from atlasflow.api.security import SecurityHeaders
from atlasflow.config import Settings
from atlasflow.logging import get_logger
from atlasflow.metrics import Metrics
from atlasflow.runtime.flow import Notifier
from atlasflow.storage.db import Database, migrate

log = get_logger("atlasflow.api")

UPLOAD_PATH = "/v3/verification/upload"
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestMiddleware:
    """Body size limit (checked before any parsing), request metrics and one log line per request."""

    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, max_body: int, max_upload: int, log_reads: bool
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body
        self.max_upload = max_upload
        self.log_reads = log_reads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.max_upload if path == UPLOAD_PATH else self.max_body
        started = time.perf_counter()
        status = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        if scope.get("method") == "POST" and path != UPLOAD_PATH:
            scope = _as_json(scope)
        try:
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                await envelope(413, BodyTooLargeError(limit).detail)(scope, receive, send_wrapper)
                return
            received = 0

            async def receive_wrapper() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        raise BodyTooLargeError(limit)
                return message

            await self.app(scope, receive_wrapper, send_wrapper)
        finally:
            self._record(scope, status[0], time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        method = scope.get("method", "")
        self.metrics.observe_request(method=method, route=route, status=status, seconds=seconds)
        # Polls are the bulk of traffic and say nothing new: successful reads log at debug only.
        quiet = method == "GET" and status < 400
        if route in _QUIET_PATHS or (quiet and not self.log_reads):
            return
        flow_uuid = scope.get(FLOW_SCOPE_KEY)
        if flow_uuid is None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            flow_uuid = (query.get("flow_uuid") or [None])[0]
        emit = log.debug if quiet else log.info
        emit(
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 1),
            flow_uuid=flow_uuid[:64] if flow_uuid else None,
        )


def _as_json(scope: Scope) -> Scope:
    """JSON endpoints read the body as JSON whatever Content-Type says.

    Hosted Atlas clients are not all careful with the header (`curl -d` sends a form type); the
    body is what matters, and a body that is not JSON still gets a 400 saying so.
    """
    headers = [(k, v) for k, v in scope.get("headers", ()) if k != b"content-type"]
    headers.append((b"content-type", b"application/json"))
    return {**scope, "headers": headers}


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _mount_address_api(app: FastAPI, services: Services) -> None:
    try:
        from atlasflow.similarity.address_api import get_credential_verifier
        from atlasflow.similarity.address_api import router as address_router
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("atlasflow.similarity"):
            raise
        log.warning("address match API not installed; /v1/address/match/batch is unavailable")
        return
    app.include_router(address_router)
    app.dependency_overrides[get_credential_verifier] = lambda: services.verify_client_credentials


def create_app(
    settings: Settings,
    *,
    notifier: Notifier | None = None,
    db: Database | None = None,
    migrate_db: bool = True,
) -> FastAPI:
    """Build the API over `settings`; `notifier` nudges local workers when work is recorded."""
    services = Services.build(settings, notifier=notifier, db=db)
    if migrate_db:
        migrate(services.db)
    services.keys.ring()  # create the signing key file on first start, not on the first request
    app = FastAPI(
        title="atlasflow — Atlas Flow API",
        version=__version__,
        description=(
            "Self-hostable Atlas Flow API v3: document verification for consumer-durable loans. "
            "Authenticate with `Token: <access_token>` (or `Authorization: Bearer`). Every error is "
            '`{"error_code": "<status>", "error_message": "<Category>: <detail>"}`.'
        ),
        docs_url="/docs",
        redoc_url=None,
        strict_content_type=False,
    )
    app.state.services = services
    app.state.metrics = Metrics(services.db)
    install_error_handlers(app)
    # The status route first: it is polled far more than anything else, and routes match in order.
    app.include_router(flows.status_router)
    for module in (auth, flows, erasure, callbacks, ops):
        app.include_router(module.router)
    _mount_address_api(app, services)
    app.add_middleware(StatusFastPath, state=app.state)  # inside RequestMiddleware: metrics still count
    app.add_middleware(
        RequestMiddleware,
        metrics=app.state.metrics,
        max_body=settings.max_body_bytes,
        max_upload=settings.max_upload_bytes,
        log_reads=settings.log_level.upper() == "DEBUG",
    )
    app.add_middleware(SecurityHeaders)  # outermost: even a 413 from the body limit carries them
    return app


def app_from_env() -> Any:
    """Factory for `uvicorn --factory atlasflow.api.app:app_from_env` (settings from ATLAS_*)."""
    return create_app(Settings())
