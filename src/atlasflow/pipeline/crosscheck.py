"""Cross-check stage: compare fields between a flow's documents (SPEC §3 `cross_checks`, §4).

The product's catalog says which field of which document type is compared with which; this
module picks, for every type, the value to compare and asks `atlasflow.similarity.score` for
a type-aware 0-100 score.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from atlasflow.domain.types import DocumentResult, DocumentType, ErrorCode, Kind
from atlasflow.products import CrossCheckSpec, Product
from atlasflow.similarity import is_empty, score

# A document counts for a cross-check once it was read: a clean result, or INVALID_DOC whose
# data may be partial. Unrecognised, undownloadable or failed files have no type to compare.
_COUNTED_ERRORS = frozenset({ErrorCode.NONE, ErrorCode.INVALID_DOC})


def _documents_of(results: Sequence[DocumentResult], document_type: DocumentType) -> list[DocumentResult]:
    return [
        r
        for r in results
        if r.document_type is document_type
        and r.document_type is not DocumentType.UNRECOGNISED
        and r.error_code in _COUNTED_ERRORS
    ]


def _best_value(documents: Sequence[DocumentResult], field_name: str, kind: Kind) -> Any:
    """The most confident non-empty value of a field over every document of one type.

    Aadhaar front and back are both AADHAAR and each carries part of the fields; the first
    document wins a tie so the answer does not depend on anything but upload order.
    """
    best: Any = kind.empty
    best_confidence = -1.0
    for document in documents:
        field_value = document.fields.get(field_name)
        if field_value is None or is_empty(field_value.value):
            continue
        if field_value.confidence > best_confidence:
            best, best_confidence = field_value.value, field_value.confidence
    return best


def _run_one(
    spec: CrossCheckSpec, sources: Sequence[DocumentResult], targets: Sequence[DocumentResult]
) -> dict[str, Any]:
    source_value = _best_value(sources, spec.source_field, spec.kind)
    target_value = _best_value(targets, spec.target_field, spec.kind)
    return {
        "name": spec.name,
        "source_doc": spec.source_doc.value,
        "source_field_name": spec.source_field,
        "source_value": source_value,
        "target_doc": spec.target_doc.value,
        "target_field_name": spec.target_field,
        "target_value": target_value,
        "similarity_score": score(spec.kind, source_value, target_value),
    }


def run_cross_checks(product: Product, results: Sequence[DocumentResult]) -> list[dict[str, Any]]:
    """SPEC §3 `cross_checks` items, in the product's catalog order.

    A check runs when at least one document of its source type and one of its target type
    were read; a side whose field is empty still yields the check, with similarity_score 0.
    """
    checks: list[dict[str, Any]] = []
    for spec in product.cross_checks:
        sources = _documents_of(results, spec.source_doc)
        targets = _documents_of(results, spec.target_doc)
        if sources and targets:
            checks.append(_run_one(spec, sources, targets))
    return checks
