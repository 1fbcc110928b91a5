"""Value types of the document-understanding engine and their SPEC wire form."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

BBox = tuple[float, float, float, float]
"""(x0, y0, x1, y1), relative to the page, 0-1."""


class DocumentType(StrEnum):
    INVOICE = "INVOICE"
    DELIVERY_ORDER = "DELIVERY_ORDER"
    AADHAAR = "AADHAAR"
    PAN = "PAN"
    IMEI_CLOSEUP_IMAGE = "IMEI_CLOSEUP_IMAGE"
    ASSET_OPEN_BOX_IMAGE = "ASSET_OPEN_BOX_IMAGE"
    UNRECOGNISED = "UNRECOGNISED"


class ErrorCode(StrEnum):
    NONE = ""
    UNRECOGNISED = "UNRECOGNISED"
    INVALID_DOC = "INVALID_DOC"
    DOWNLOAD_FAILED = "DOWNLOAD_FAILED"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    PROCESSING_FAILED = "PROCESSING_FAILED"


class Kind(StrEnum):
    """How a field's value is parsed, validated, normalised and compared."""

    TEXT = "text"
    NAME = "name"
    ADDRESS = "address"
    DATE = "date"
    AMOUNT = "amount"
    MOBILE = "mobile"
    GSTIN = "gstin"
    PAN = "pan"
    AADHAAR = "aadhaar"
    IMEI_LIST = "imei"
    PINCODE = "pincode"
    YESNO = "yesno"
    GENDER = "gender"
    INTEGER = "integer"
    MODEL = "model"
    IDENT = "ident"  # document numbers: invoice no, DO no

    @property
    def is_list(self) -> bool:
        return self is Kind.IMEI_LIST

    @property
    def empty(self) -> Any:
        return [] if self.is_list else ""


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of recognised text on one page."""

    text: str
    score: float
    box: BBox  # relative 0-1
    page: int = 1  # 1-based

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]


@dataclass(frozen=True, slots=True)
class OcrPage:
    """All lines read from one page, plus the page's pixel size."""

    number: int  # 1-based
    width: int
    height: int
    lines: tuple[OcrLine, ...]
    from_text_layer: bool = False


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One extracted field: the SPEC value, its calibrated confidence and where it was read."""

    value: Any
    confidence: float = 0.0
    bbox: BBox | None = None
    page: int | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "confidence_score": round(float(self.confidence), 4)}
        if self.bbox is not None and self.page is not None:
            out["bbox"] = [round(float(c), 4) for c in self.bbox]
            out["page"] = self.page
        return out


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """The engine's answer for one file: SPEC §3 `ocr_data` item without the caller's ids."""

    document_type: DocumentType
    fields: dict[str, FieldValue] = field(default_factory=dict)
    error_code: ErrorCode = ErrorCode.NONE
    error_reason: str = ""
    type_confidence: float = 0.0

    def data(self) -> dict[str, Any]:
        if self.document_type is DocumentType.UNRECOGNISED and not self.fields:
            return {}
        out: dict[str, Any] = {"document_type": self.document_type.value}
        out.update({name: fv.to_wire() for name, fv in self.fields.items()})
        return out

    def to_wire(self, *, document_id: str, file_uuid: str = "", batch_id: str = "") -> dict[str, Any]:
        return {
            "document_id": document_id,
            "file_uuid": file_uuid,
            "batch_id": batch_id,
            "data": self.data(),
            "error_code": self.error_code.value,
            "error_reason": self.error_reason,
        }

    @classmethod
    def failed(cls, error_code: ErrorCode, reason: str) -> DocumentResult:
        return cls(DocumentType.UNRECOGNISED, {}, error_code, reason)
