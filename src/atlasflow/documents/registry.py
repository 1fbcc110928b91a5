"""The registry of document types: adding a type is one module and one line here."""

from __future__ import annotations

from atlasflow.documents import aadhaar, delivery_order, imei_closeup, invoice, open_box, pan
from atlasflow.documents.base import DocumentSpec
from atlasflow.domain.types import DocumentType

DOCUMENT_SPECS: dict[DocumentType, DocumentSpec] = {
    module.SPEC.document_type: module.SPEC
    for module in (invoice, delivery_order, aadhaar, pan, imei_closeup, open_box)
}


def spec_for(document_type: DocumentType) -> DocumentSpec:
    return DOCUMENT_SPECS[document_type]
