"""Address Match API: `POST /v1/address/match/batch` scores one address against many.

Mount with `app.include_router(router)` and tell it how to check credentials by overriding
`get_credential_verifier`, which must return `verify(client_id, client_secret) -> bool`:

    app.dependency_overrides[get_credential_verifier] = lambda: services.verify_client_credentials

Without an override every request is refused (401): an unconfigured deployment must not
answer strangers. Credentials come in the `client_id` and `client_secret` headers
(`client-id`/`client-secret` are accepted too, for proxies that drop underscores).

Each target gets `similarity_score` (how completely and consistently the two texts describe
one address: `score_address`) and `same_person_score` (how likely the two addresses are one
household -- the same house number, PIN code and street -- whatever else one side leaves out:
`score_same_household`). A target without a usable address fails inline with error_code
`INVALID_ADDRESS` and null scores; the batch still answers 200.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from atlasflow.similarity.addresses import score_address, score_same_household

CredentialVerifier = Callable[[str, str], bool]

MAX_TARGETS = 100
MAX_ADDRESS_CHARS = 1000
INVALID_ADDRESS = "INVALID_ADDRESS"


def _refuse_all(client_id: str, client_secret: str) -> bool:
    return False


def get_credential_verifier() -> CredentialVerifier:
    """The app overrides this dependency with its client-credential check."""
    return _refuse_all


class TargetAddress(BaseModel):
    address: str = Field(examples=["D. No. 14-4-16, Anam Vari Street, Kapu Street, 524001"])
    index: int | str = Field(examples=[0])


class AddressMatchRequest(BaseModel):
    application_id: str = Field(examples=["12321321"])
    source_address: str = Field(
        examples=["D. No. 14-4-16, Anam Vari Street, Kapu Street, Abbai Reddy Complex, NELLORE. 524001"]
    )
    target_addresses: list[TargetAddress]


class MatchData(BaseModel):
    source_address: str
    target_address: str | None
    index: int | str | None
    similarity_score: int | None = Field(
        description="0-100; >= 90 the same address, < 70 review; null on failure"
    )
    same_person_score: int | None = Field(
        description="0-100 estimate that both are one household; null on failure"
    )
    error_code: str = Field(description='"" or INVALID_ADDRESS')


class AddressMatchResponse(BaseModel):
    match_data: list[MatchData]


_CATEGORIES = {400: "Bad Request", 401: "Unauthorized"}

router = APIRouter(tags=["address match"])


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse(
        {"error_code": str(status), "error_message": f"{_CATEGORIES[status]}: {detail}"}, status_code=status
    )


def _missing(names: list[str]) -> JSONResponse:
    return _error(400, f"Missing or empty required parameters: {names!r}")


def _header(request: Request, name: str) -> str:
    return (request.headers.get(name) or request.headers.get(name.replace("_", "-")) or "").strip()


def _match_one(source: str, position: int, target: Any) -> dict[str, Any]:
    address = target.get("address") if isinstance(target, dict) else None
    index = target.get("index", position) if isinstance(target, dict) else position
    if not isinstance(address, str) or not address.strip() or len(address) > MAX_ADDRESS_CHARS:
        return {
            "source_address": source,
            "target_address": address if isinstance(address, str) else None,
            "index": index,
            "similarity_score": None,
            "same_person_score": None,
            "error_code": INVALID_ADDRESS,
        }
    return {
        "source_address": source,
        "target_address": address,
        "index": index,
        "similarity_score": score_address(source, address),
        "same_person_score": score_same_household(source, address),
        "error_code": "",
    }


@router.post(
    "/v1/address/match/batch",
    response_model=AddressMatchResponse,
    summary="Score one address against many",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": AddressMatchRequest.model_json_schema()}},
        },
        "parameters": [
            {"name": "client_id", "in": "header", "required": True, "schema": {"type": "string"}},
            {"name": "client_secret", "in": "header", "required": True, "schema": {"type": "string"}},
        ],
    },
    responses={
        400: {"description": "Missing or malformed parameter"},
        401: {"description": "Wrong credentials"},
    },
)
async def match_addresses(
    request: Request, verify: Annotated[CredentialVerifier, Depends(get_credential_verifier)]
) -> JSONResponse:
    client_id, client_secret = _header(request, "client_id"), _header(request, "client_secret")
    missing = [
        name for name, value in (("client_id", client_id), ("client_secret", client_secret)) if not value
    ]
    if missing:
        return _missing(missing)
    if not verify(client_id, client_secret):
        return _error(401, "Invalid client credentials")
    try:
        body = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _error(400, "Request body is not valid JSON")
    if not isinstance(body, dict):
        return _error(400, "Request body must be a JSON object")
    source = body.get("source_address")
    targets = body.get("target_addresses")
    source_text = source if isinstance(source, str) else ""
    target_list = targets if isinstance(targets, list) else []
    missing = [
        name
        for name, present in (
            ("source_address", bool(source_text.strip())),
            ("target_addresses", bool(target_list)),
        )
        if not present
    ]
    if missing:
        return _missing(missing)
    application_id = body.get("application_id")
    if application_id is not None and (
        not isinstance(application_id, str | int) or len(str(application_id)) > 128
    ):
        return _error(400, "application_id must be a string of at most 128 characters")
    if len(source_text) > MAX_ADDRESS_CHARS:
        return _error(400, f"source_address is longer than {MAX_ADDRESS_CHARS} characters")
    if len(target_list) > MAX_TARGETS:
        return _error(400, f"Too many target_addresses: at most {MAX_TARGETS} per call")
    match_data = [_match_one(source_text, position, target) for position, target in enumerate(target_list)]
    return JSONResponse({"match_data": match_data})
