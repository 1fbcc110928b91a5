"""Wire models (SPEC §1 and §3): what requests carry and what responses look like, for OpenAPI too."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from atlasflow.runtime.status import CrosscheckStatus, MasterStatus, ProcessingStatus, UploadStatus


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "must not be empty")
    return value


def _printable(value: str) -> str:
    if not value.isprintable():
        raise PydanticCustomError("not_printable", "must contain printable characters only")
    return value


Required = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]
Identifier = Annotated[
    str, Field(min_length=1, max_length=128), AfterValidator(_not_blank), AfterValidator(_printable)
]


class _Request(BaseModel):
    # Unknown fields are ignored, as hosted Atlas does; known ones are strictly typed.
    model_config = ConfigDict(extra="ignore", strict=True)


class RefreshRequest(_Request):
    refresh_token: Required


class FlowInitRequest(_Request):
    product_type: Required = Field(description='Product code: "PROD_CDL" (alias "POC_CDL").')
    application_id: Identifier = Field(description="Your loan application id (1-128 printable characters).")
    auth_url: Required = Field(description="Called before each callback to obtain a token for it.")
    callback_url: Required = Field(description="Receives the CallbackData when the flow finishes.")
    flow_params: dict[str, Any] | None = Field(
        default=None, description="Any JSON object up to 16 KiB, echoed back in CallbackData."
    )


class FileUrl(_Request):
    file_url: Required
    document_id: Identifier


class MultiuploadRequest(_Request):
    flow_uuid: Required
    file_urls: list[FileUrl] = Field(min_length=1, description="At most 25 files per call.")


class FlowRef(_Request):
    flow_uuid: Required


# ---------------------------------------------------------------------------------------- responses


class ErrorBody(BaseModel):
    error_code: str = Field(examples=["400"])
    error_message: str = Field(examples=["Bad Request: Missing or empty required parameters: ['flow_uuid']"])


class TokenResponse(BaseModel):
    access_token: str
    expires_in: int
    refresh_token: str


class FlowInitResponse(BaseModel):
    flow_uuid: str


class UploadedFile(BaseModel):
    file_uuid: str
    batch_id: str = Field(examples=["BATCH-30732-SIYKJ-20251121113228"])
    document_id: str


class StatusResponse(BaseModel):
    upload_status: UploadStatus
    processing_status: ProcessingStatus
    crossheck_status: CrosscheckStatus  # sic: Atlas's wire spelling
    master_status: MasterStatus


class OcrDataItem(BaseModel):
    document_id: str
    file_uuid: str
    batch_id: str
    data: dict[str, Any] = Field(description="document_type plus one {value, confidence_score} per field.")
    error_code: str
    error_reason: str


class CrossCheck(BaseModel):
    name: str
    source_doc: str
    source_field_name: str
    source_value: Any
    target_doc: str
    target_field_name: str
    target_value: Any
    similarity_score: int


class CallbackData(BaseModel):
    flow_uuid: str
    application_id: str
    flow_params: dict[str, Any]
    ocr_data: list[OcrDataItem]
    cross_checks: list[CrossCheck]


class FlowSummary(BaseModel):
    flow_uuid: str
    application_id: str
    product_type: str
    created_at: str
    completed_at: str | None
    document_count: int
    upload_status: UploadStatus
    processing_status: ProcessingStatus
    crossheck_status: CrosscheckStatus
    master_status: MasterStatus


class FlowList(BaseModel):
    flows: list[FlowSummary]


class CallbackAttempt(BaseModel):
    webhook_id: str
    attempt_number: int
    attempted_at: str
    status_code: int | None
    latency_ms: float | None
    outcome: str = Field(description="delivered, retry or gave_up")
    error: str


class CallbackDelivery(BaseModel):
    webhook_id: str
    result_seq: int
    state: str = Field(description="PENDING, DELIVERING, DELIVERED or FAILED")
    attempts: int
    next_attempt_at: str | None
    delivered_at: str | None


class CallbackList(BaseModel):
    flow_uuid: str
    deliveries: list[CallbackDelivery]
    attempts: list[CallbackAttempt]


class RedeliverResponse(BaseModel):
    flow_uuid: str
    webhook_id: str
    state: str


class FlowErased(BaseModel):
    flow_uuid: str
    erased: bool


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error envelope for these statuses."""
    return {
        status: {"model": ErrorBody, "description": _DESCRIPTIONS.get(status, "Error")} for status in statuses
    }


_DESCRIPTIONS = {
    400: "Missing, empty or malformed parameter; body not JSON; too many files; duplicate document_id",
    401: "Missing, malformed, expired or revoked token, or wrong credentials",
    409: "No flow with that flow_uuid for this client",
    413: "Request body over the size limit",
    422: "Well-formed but refused (e.g. a URL the egress policy forbids; Idempotency-Key reused)",
    429: "Rate limit exceeded; see Retry-After",
    503: "Database unavailable; nothing was accepted",
}
