"""Shared pieces of the benchmarks: running the engine over a labelled synthetic set."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.domain.types import DocumentType, Kind
from atlasflow.quality import values_equal


@dataclass(frozen=True, slots=True)
class FieldOutcome:
    document_type: str
    field: str
    kind: Kind
    variant: str
    layout: str
    predicted: Any
    truth: Any
    confidence: float
    correct: bool


def load_labels(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def field_outcomes(labels: dict[str, Any], predicted_type: str, data: dict[str, Any]) -> Iterator[FieldOutcome]:
    """Per-field outcomes of one document whose type was classified correctly."""
    dtype = DocumentType(labels["document_type"])
    if dtype is DocumentType.UNRECOGNISED or predicted_type != dtype.value:
        return
    for fspec in DOCUMENT_SPECS[dtype].fields:
        truth = labels["data"].get(fspec.name, fspec.kind.empty)
        got = data.get(fspec.name, {"value": fspec.kind.empty, "confidence_score": 0.0})
        yield FieldOutcome(
            dtype.value, fspec.name, fspec.kind, labels.get("variant", ""), labels.get("layout", ""),
            got["value"], truth, float(got["confidence_score"]), values_equal(fspec.kind, got["value"], truth),
        )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
