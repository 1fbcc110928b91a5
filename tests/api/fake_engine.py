"""A fast stand-in for the OCR engine (ATLAS_ENGINE=fake_engine:process_document) for API tests.

A "document" is JSON: {"type": "INVOICE", "fields": {"customer_name": "..."}, "error": ["INVALID_DOC", "why"]}.
Anything else is UNRECOGNISED. {"block": true} waits until GATE is set, so a test can hold a
document in PROCESSING and watch the flow's status.
"""

from __future__ import annotations

import json
import threading

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.domain.types import DocumentResult, DocumentType, ErrorCode, FieldValue

GATE = threading.Event()
GATE.set()
CALLS: list[str | None] = []
warmed = threading.Event()


def warm_up() -> None:
    warmed.set()


def process_document(data: bytes, *, filename: str | None = None) -> DocumentResult:
    CALLS.append(filename)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return DocumentResult.failed(ErrorCode.UNRECOGNISED, "document not in list")
    if not isinstance(doc, dict):
        return DocumentResult.failed(ErrorCode.UNRECOGNISED, "document not in list")
    if doc.get("block"):
        GATE.wait(30)
    if doc.get("crash"):
        raise RuntimeError("engine bug")
    try:
        document_type = DocumentType(doc.get("type", "UNRECOGNISED"))
    except ValueError:
        document_type = DocumentType.UNRECOGNISED
    if document_type is DocumentType.UNRECOGNISED:
        return DocumentResult.failed(ErrorCode.UNRECOGNISED, "document not in list")
    spec = DOCUMENT_SPECS[document_type]
    given = doc.get("fields", {})
    fields = {
        f.name: FieldValue(given[f.name], 0.95) if f.name in given else FieldValue(f.kind.empty, 0.0)
        for f in spec.fields
    }
    code, reason = doc.get("error", ["", ""])
    return DocumentResult(document_type, fields, ErrorCode(code), reason, 0.99)
