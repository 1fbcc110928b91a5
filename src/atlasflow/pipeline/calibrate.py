"""Confidence that means "probability this value is right".

Each extracted value is described by evidence features (how it was found, whether a label
anchored it, the OCR score, whether a validator passed, whether other candidates agree); a
logistic model fitted on held-out synthetic development documents maps them to a probability.
The fitted coefficients ship as `calibration.json`; `fit_calibration` rebuilds it
(`atlas bench calibrate`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from atlasflow.domain.types import Kind
from atlasflow.pipeline.extract import Extraction

HOWS = ("same_line", "right", "below", "pattern", "header", "first_line", "block_after", "from_field",
        "label_present", "default", "visual")
KIND_GROUPS = {
    "checked_id": (Kind.GSTIN, Kind.PAN, Kind.AADHAAR, Kind.IMEI_LIST),
    "number": (Kind.MOBILE, Kind.PINCODE, Kind.DATE, Kind.AMOUNT, Kind.INTEGER),
    "free_text": (Kind.NAME, Kind.TEXT, Kind.ADDRESS, Kind.MODEL, Kind.IDENT),
    "choice": (Kind.YESNO, Kind.GENDER),
}
FEATURES = (
    ("bias",)
    + tuple(f"how_{h}" for h in HOWS)
    + ("label_score", "label_rank", "ocr_score", "ocr_low", "valid", "invalid", "repaired", "agree",
       "section_found", "section_missing", "value_len")
    + tuple(f"kind_{g}" for g in KIND_GROUPS)
)


def featurize(kind: Kind, ex: Extraction) -> list[float]:
    f = dict.fromkeys(FEATURES, 0.0)
    f["bias"] = 1.0
    if ex.how in HOWS:
        f[f"how_{ex.how}"] = 1.0
    f["label_score"] = ex.label_score
    f["label_rank"] = min(ex.label_rank, 8) / 8
    score = ex.extra.get("strength", ex.ocr_score) if ex.how == "visual" else ex.ocr_score
    f["ocr_score"] = score
    f["ocr_low"] = 1.0 if ex.lines and ex.ocr_score < 0.9 else 0.0
    f["valid"] = 1.0 if ex.valid is True else 0.0
    f["invalid"] = 1.0 if ex.valid is False else 0.0
    f["repaired"] = 1.0 if ex.repaired else 0.0
    f["agree"] = min(ex.agree, 3) / 3
    f["section_found"] = 1.0 if ex.section_found is True else 0.0
    f["section_missing"] = 1.0 if ex.section_found is False else 0.0
    f["value_len"] = min(len(str(ex.value)), 60) / 60
    for group, kinds in KIND_GROUPS.items():
        if kind in kinds:
            f[f"kind_{group}"] = 1.0
    return [f[name] for name in FEATURES]


_MODEL_FILE = "calibration.json"


@cache
def _model() -> dict[str, Any] | None:
    try:
        text = resources.files("atlasflow.pipeline").joinpath(_MODEL_FILE).read_text()
    except FileNotFoundError:
        return None
    model = json.loads(text)
    if model.get("features") != list(FEATURES):
        return None  # fitted for another feature set: fall back to the prior
    return model


def _prior(kind: Kind, ex: Extraction) -> float:
    """Used only until a model is fitted: evidence-weighted guesses."""
    p = 0.55 + 0.3 * ex.ocr_score if ex.lines else 0.6
    if ex.valid is True:
        p = max(p, 0.95)
    if ex.valid is False:
        p *= 0.5
    if ex.how in ("header", "first_line", "block_after", "default"):
        p *= 0.85
    return min(p, 0.99)


def confidence(kind: Kind, ex: Extraction) -> float:
    if not ex.found:
        return 0.0
    model = _model()
    if model is None:
        return round(_prior(kind, ex), 4)
    x = featurize(kind, ex)
    z = model["intercept"] + sum(w * v for w, v in zip(model["coef"], x, strict=True))
    p = 1.0 / (1.0 + math.exp(-z))
    return round(min(max(p, 0.01), 0.999), 4)


def fit_calibration(rows: Sequence[tuple[list[float], bool]], *, out: Path) -> dict[str, Any]:
    """Fit the logistic model on (features, correct) rows and write it where `confidence` reads it."""
    from sklearn.linear_model import LogisticRegression

    X = [r[0] for r in rows]
    y = [1 if r[1] else 0 for r in rows]
    clf = LogisticRegression(C=1.0, max_iter=2000)
    clf.fit(X, y)
    model = {
        "features": list(FEATURES),
        "coef": [float(c) for c in clf.coef_[0]],
        "intercept": float(clf.intercept_[0]) + 0.0,
        "rows": len(rows),
        "positive_share": sum(y) / max(1, len(y)),
    }
    out.write_text(json.dumps(model, indent=1) + "\n")
    _model.cache_clear()
    return model
