"""The engine `bench/load.py` runs its workers with: the real decode stage (so the decompression-bomb
and page-count caps are the product's own), then CPU work standing in for OCR.

ATLAS_LOAD_DOC_SECONDS (default 1.0) is the wall time per page, the real engine's cost per image on
this class of machine (ENGINES.md). The work is a busy loop, not a sleep, so the document workers
really do compete for the cores while the API is measured; it is timed on the wall clock so that a
machine shared with other work still sees the real engine's per-document latency, not a multiple.
"""

from __future__ import annotations

import os
import time

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.domain.types import DocumentResult, DocumentType, ErrorCode, FieldValue
from atlasflow.errors import DocumentError
from atlasflow.pipeline.decode import decode_document

SECONDS_PER_PAGE = float(os.environ.get("ATLAS_LOAD_DOC_SECONDS", "1.0"))


def warm_up() -> None:
    """Nothing to load: the real engine's warm-up is measured elsewhere."""


def _burn(seconds: float) -> None:
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        for i in range(10_000):
            x ^= i * i


def process_document(data: bytes, *, filename: str | None = None) -> DocumentResult:
    try:
        decoded = decode_document(data)
    except DocumentError as exc:
        return DocumentResult.failed(ErrorCode(exc.error_code), exc.reason)
    _burn(SECONDS_PER_PAGE * len(decoded.pages))
    spec = DOCUMENT_SPECS[DocumentType.INVOICE]
    fields = {f.name: FieldValue(f.kind.empty, 0.0) for f in spec.fields}
    fields["invoice_number"] = FieldValue("LOAD-1", 0.9)
    return DocumentResult(DocumentType.INVOICE, fields, ErrorCode.NONE, "", 0.9)
