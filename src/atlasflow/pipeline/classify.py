"""Classify a document from what it says and, for photographs, what it shows.

Text cues come from each document type's declaration; validated identifiers add evidence
(a Verhoeff-valid Aadhaar number, a PAN, a GSTIN, an IMEI). A photograph with little text is an
open-box picture when it shows a product box (brand words on it) or a person with the product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.domain.types import DocumentType, OcrLine
from atlasflow.pipeline import identifiers as ids
from atlasflow.pipeline import layout

# Evidence from validated identifiers: (type, weight per kind found).
_ID_EVIDENCE = {
    "aadhaar": ((DocumentType.AADHAAR, 3.0),),
    "pan": ((DocumentType.PAN, 2.0),),
    "gstin": ((DocumentType.INVOICE, 1.0), (DocumentType.DELIVERY_ORDER, 0.3)),
    "imei": ((DocumentType.IMEI_CLOSEUP_IMAGE, 1.5), (DocumentType.INVOICE, 0.5)),
}

ACCEPT_SCORE = 3.0
LITTLE_TEXT_CHARS = 320  # a photo carries a few words (a brand on a box); a page carries hundreds


@dataclass(frozen=True, slots=True)
class Classification:
    document_type: DocumentType
    confidence: float
    scores: dict[DocumentType, float]
    reason: str = ""


def cue_scores(lines: Sequence[OcrLine]) -> dict[DocumentType, float]:
    scores: dict[DocumentType, float] = {}
    line_texts = [ln for ln in lines]
    for dtype, spec in DOCUMENT_SPECS.items():
        total = 0.0
        for cue, weight in spec.cues:
            if any(layout.find_label(ln, cue, fuzzy=len(cue) >= 9) for ln in line_texts):
                total += weight
        scores[dtype] = total
    text = "\n".join(ln.text for ln in lines)
    found = {
        "aadhaar": any(m.valid for m in ids.find_aadhaars(text)),
        "pan": any(m.valid for m in ids.find_pans(text)),
        "gstin": any(m.valid for m in ids.find_gstins(text)),
        "imei": any(m.valid for m in ids.find_imeis(text)),
    }
    for key, present in found.items():
        if present:
            for dtype, weight in _ID_EVIDENCE[key]:
                scores[dtype] = scores.get(dtype, 0.0) + weight
    return scores


def classify_text(lines: Sequence[OcrLine]) -> tuple[Classification | None, dict[DocumentType, float]]:
    """The type the words decide, if they decide one: the best type must reach ACCEPT_SCORE and beat
    the runner-up by a clear margin."""
    scores = cue_scores(lines)
    open_box = DocumentType.ASSET_OPEN_BOX_IMAGE
    ranked = sorted(((s, t) for t, s in scores.items() if t is not open_box), reverse=True)
    best_score, best = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    if best_score >= ACCEPT_SCORE and best_score - second >= 1.0:
        margin = (best_score - second) / best_score
        confidence = min(0.999, 0.6 + 0.1 * min(best_score, 10) / 2.5 * margin)
        return Classification(best, confidence, scores), scores
    return None, scores


def classify_photo(
    lines: Sequence[OcrLine], scores: dict[DocumentType, float], *, photo_like: bool, faces: int
) -> Classification:
    """For what the words left open: an open-box photo shows the product (a brand on its box) and
    usually people; anything else is not ours."""
    open_box = DocumentType.ASSET_OPEN_BOX_IMAGE
    text_chars = sum(len(ln.text) for ln in lines)
    brand_score = scores.get(open_box, 0.0)
    # The product must be in the picture: a brand read off its box. Faces alone are a selfie, a
    # group photo, or a cat that a face detector took for a person.
    if photo_like and text_chars < LITTLE_TEXT_CHARS and brand_score >= 1.0:
        return Classification(open_box, 0.9 if faces else 0.75, scores)
    best_score = max((s for t, s in scores.items() if t is not open_box), default=0.0)
    return Classification(DocumentType.UNRECOGNISED, 0.8 if best_score < 1.5 else 0.55, scores,
                          "document not in list")
