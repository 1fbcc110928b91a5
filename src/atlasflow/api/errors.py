"""The one place where failures become Atlas's error envelope.

Every error body is `{"error_code": "<status>", "error_message": "<Category>: <detail>"}` (SPEC §1):
our own ApiError, framework validation errors (turned into 400 with the parameter names), unknown
routes, wrong methods, oversize bodies, database outages (503) and any bug (500, no trace).
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from atlasflow.errors import AtlasError
from atlasflow.logging import get_logger
from atlasflow.storage.db import DatabaseUnavailableError

log = get_logger("atlasflow.api")

_CATEGORY = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def category(status: int) -> str:
    if status in _CATEGORY:
        return _CATEGORY[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ApiError(AtlasError):
    """An error the API answers with: status, the detail after "<Category>: ", extra headers."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def bad_request(detail: str) -> ApiError:
    return ApiError(400, detail)


def missing_params(names: Sequence[str]) -> ApiError:
    return ApiError(400, f"Missing or empty required parameters: {list(names)!r}")


def flow_not_found() -> ApiError:
    # Another client's flow must look exactly like a missing one.
    return ApiError(409, "No flow found with the given flow_uuid")


class BodyTooLargeError(StarletteHTTPException):
    """Raised from inside the request body stream; FastAPI re-raises HTTPExceptions untouched."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body is larger than {_size(limit)}")


def _size(n: int) -> str:
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def envelope(status: int, detail: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"error_code": str(status), "error_message": f"{category(status)}: {detail}"},
        status_code=status,
        headers=headers,
    )


def _loc_name(loc: Sequence[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "header", "path", "form")]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _is_missing(error: dict[str, Any]) -> bool:
    kind = error.get("type", "")
    value = error.get("input")
    if kind in ("missing", "empty"):
        return True
    if value is None and kind.endswith("_type"):
        return True  # an explicit null is as good as absent
    return kind in ("string_too_short", "too_short") and value in ("", [], {})


def _required_body_fields(request: Request) -> list[str]:
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    model = getattr(field, "type_", None) or getattr(getattr(field, "field_info", None), "annotation", None)
    fields = getattr(model, "model_fields", None)
    if not fields:
        return []
    return [getattr(info, "alias", None) or name for name, info in fields.items() if info.is_required()]


def validation_error_response(request: Request, errors: Sequence[dict[str, Any]]) -> JSONResponse:
    """Framework validation errors in Atlas's words: 400 naming the parameters."""
    for error in errors:
        kind = error.get("type", "")
        loc = tuple(error.get("loc", ()))
        if kind == "json_invalid":
            return envelope(400, "Request body is not valid JSON")
        if loc == ("body",):
            if kind == "missing":
                required = _required_body_fields(request)
                if required:
                    return envelope(400, str(missing_params(required)))
                return envelope(400, "Request body is missing")
            if isinstance(error.get("input"), bytes | bytearray):
                return envelope(400, "Request body is not valid JSON (send Content-Type: application/json)")
            return envelope(400, "Request body must be a JSON object")
    missing = [_loc_name(e.get("loc", ())) for e in errors if _is_missing(e)]
    if missing:
        return envelope(400, str(missing_params(list(dict.fromkeys(missing)))))
    first = errors[0]
    name = _loc_name(first.get("loc", ()))
    message = str(first.get("msg", "invalid value"))
    if first.get("type") == "value_error":
        message = message.removeprefix("Value error, ")
    return envelope(400, f"Invalid value for parameter '{name}': {message}")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return envelope(exc.status, exc.detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_error_response(request, list(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else category(exc.status_code)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No such endpoint"
        elif exc.status_code == 405 and detail == "Method Not Allowed":
            detail = "Method not allowed for this endpoint"
        return envelope(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(DatabaseUnavailableError)
    async def _db_down(_request: Request, exc: DatabaseUnavailableError) -> JSONResponse:
        log.error("database unavailable", error=str(exc))
        return envelope(
            503,
            "The database is unavailable; nothing was accepted, retry later",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(_request: Request, exc: IntegrityError) -> JSONResponse:
        # Two requests raced on the same unique data (a document_id, an Idempotency-Key); the
        # database kept one. The loser is told plainly instead of getting a 500.
        log.info("integrity conflict", error_type=type(exc.orig).__name__)
        return envelope(409, "A concurrent request changed the same data; retry the request")

    @app.exception_handler(Exception)
    async def _bug(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", error_type=type(exc).__name__)
        return envelope(500, "An internal error occurred")
