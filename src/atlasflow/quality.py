"""SPEC §6 quality definitions: when an extracted value counts as correct, and calibration error."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from atlasflow.domain.types import Kind

_EXACT_KINDS = {Kind.DATE, Kind.AMOUNT, Kind.INTEGER, Kind.GSTIN, Kind.PAN, Kind.AADHAAR, Kind.MOBILE,
                Kind.PINCODE, Kind.IDENT}


def normalise_text(value: Any) -> str:
    """Case-folded, whitespace collapsed, punctuation ignored."""
    text = re.sub(r"[^\w\s]|_", " ", str(value).casefold())
    return " ".join(text.split())


def values_equal(kind: Kind, predicted: Any, truth: Any) -> bool:
    """Field accuracy: text after normalisation, numbers/dates/identifiers exactly, lists as sets."""
    if kind.is_list:
        return set(predicted or []) == set(truth or [])
    if predicted in ("", None) or truth in ("", None):
        return predicted in ("", None) and truth in ("", None)
    if kind in (Kind.AMOUNT, Kind.INTEGER):
        try:
            return abs(float(predicted) - float(truth)) < 0.005
        except (TypeError, ValueError):
            return False
    if kind in _EXACT_KINDS:
        return str(predicted).strip().upper() == str(truth).strip().upper()
    return normalise_text(predicted) == normalise_text(truth)


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], *, bins: int = 10) -> float:
    """Weighted mean |accuracy − confidence| over equal-width confidence bins."""
    if not confidences:
        return 0.0
    total = len(confidences)
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if (lo <= c < hi) or (b == bins - 1 and c == 1.0)]
        if not idx:
            continue
        acc = sum(1 for i in idx if correct[i]) / len(idx)
        conf = sum(confidences[i] for i in idx) / len(idx)
        ece += len(idx) / total * abs(acc - conf)
    return ece
