"""Response hardening and abuse limits that sit outside any one route.

`SecurityHeaders` is the outermost middleware, so every response carries the headers: errors
produced before routing (413, 404), the status fast path and framework defaults included.
"""

from __future__ import annotations

from sqlalchemy import Connection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlasflow.api.errors import ApiError
from atlasflow.config import Settings
from atlasflow.storage.erasure import open_flow_count

# Nothing this API returns is meant to be framed, sniffed into another type, cached by a proxy or
# sent on as a referrer: responses carry identity data and tokens.
_API_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    # Browsers honour this only over HTTPS, which is how a deployment is reached (TLS at the proxy).
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
)
# The interactive docs page loads Swagger UI's script and style from a CDN; everything else stays.
_DOCS_CSP = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    b"connect-src 'self'; frame-ancestors 'none'"
)
SECURITY_HEADER_NAMES = tuple(name.decode() for name, _ in _API_HEADERS)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path") == "/docs"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                extra = [
                    (name, _DOCS_CSP if docs and name == b"content-security-policy" else value)
                    for name, value in _API_HEADERS
                    if name not in present
                ]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def enforce_open_flow_limit(conn: Connection, *, client_id: str, settings: Settings) -> None:
    """429 when the client already has as many unfinished flows as it may (0 = no limit)."""
    limit = settings.max_open_flows_per_client
    if limit > 0 and open_flow_count(conn, client_id=client_id) >= limit:
        raise ApiError(
            429,
            f"Too many flows in progress for this client (limit {limit}); finish or delete some first",
            headers={"Retry-After": "60"},
        )


def enforce_flow_file_limit(*, existing: int, adding: int, settings: Settings) -> None:
    """400 when a batch would take the flow past its document limit (0 = no limit)."""
    limit = settings.max_files_per_flow
    if limit > 0 and existing + adding > limit:
        raise ApiError(
            400,
            f"Too many files for one flow: {existing} already and {adding} more; at most {limit} per flow",
        )
