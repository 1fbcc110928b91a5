"""Pure typed values shared by every layer; no I/O."""

from atlasflow.domain.types import (
    BBox,
    DocumentResult,
    DocumentType,
    ErrorCode,
    FieldValue,
    Kind,
    OcrLine,
    OcrPage,
)

__all__ = [
    "BBox",
    "DocumentResult",
    "DocumentType",
    "ErrorCode",
    "FieldValue",
    "Kind",
    "OcrLine",
    "OcrPage",
]
