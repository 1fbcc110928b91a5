"""Read stage: decoded pages become OCR'd upright pages, using a PDF's text layer when it has one.

Whole-page rotation (90°/180°/270°) is decided from the first OCR result, so an upright page —
the common case — costs one OCR call plus a few milliseconds of deskew:

- most text boxes much taller than wide → the page lies on its side. RapidOCR turns tall crops a
  quarter-turn counter-clockwise before recognising them, so a confident first reading means the
  page was turned clockwise (undo with a counter-clockwise turn); an unconfident one, the other way;
- few confident characters → the page may be upside down: try 180°.

Only those candidates are re-read, and the reading with the most confident characters wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from atlasflow.domain.types import OcrLine, OcrPage
from atlasflow.pipeline.decode import DecodedDocument, DecodedPage
from atlasflow.pipeline.ocr import OcrEngine
from atlasflow.pipeline.prepare import deskew_page

__all__ = ["ReadPage", "read_document", "read_page"]

MIN_TEXT_LAYER_CHARS = 20
"""A PDF text layer with at least this many non-blank characters is read instead of OCR..."""
DENSE_TEXT_LAYER_CHARS = 200
"""...unless raster images cover most of the page (a scan with a watermark line): then it needs this many."""
SCAN_COVER = 0.5
CONFIDENT_SCORE = 0.8
"""Recognition score above which a line's characters count as evidence for an orientation."""
_TALL_RATIO = 1.5  # RapidOCR's own threshold for treating a crop as vertical text
_TALL_SHARE = 0.5
_CONFIDENT_SHARE = 0.6  # below this share of confident characters an orientation is doubtful
_MIN_BOX_CHARS = 3  # shorter boxes ("1", "No") are often tall even on an upright page


@dataclass(frozen=True, slots=True)
class ReadPage:
    """One page as read: the OCR result and the upright image its boxes are relative to.

    `image` is the decoded page after deskew and quarter-turn correction (for a text-layer page,
    the rendered page unchanged); later stages that look at pixels (stamps, signatures, faces)
    must use it, not the decoded image, so that boxes and pixels agree.
    `rotation` is how far the decoded page was turned counter-clockwise (0, 90, 180 or 270) and
    `skew` the small counter-clockwise deskew applied before that, both in degrees.
    """

    ocr: OcrPage
    image: np.ndarray
    rotation: int = 0
    skew: float = 0.0


def read_document(doc: DecodedDocument, engine: OcrEngine) -> list[ReadPage]:
    """Read every page of a decoded document, in page order."""
    return [read_page(page, engine) for page in doc.pages]


def read_page(page: DecodedPage, engine: OcrEngine) -> ReadPage:
    """Use the page's text layer when it is usable; otherwise deskew, OCR and fix quarter turns."""
    if _text_layer_usable(page):
        h, w = page.image.shape[:2]
        lines = page.text_lines or ()
        return ReadPage(OcrPage(page.number, w, h, lines, from_text_layer=True), page.image)
    image, skew = deskew_page(page.image)
    first = engine.read(image, page=page.number)
    best = _Reading(first, image, 0)
    candidates = _rotation_candidates(first)
    # A sideways first reading may be legible (see module doc) but its geometry is not: lines run
    # down the page. Any reasonable upright reading should beat it.
    best_evidence = best.evidence // 2 if 90 in candidates else best.evidence
    for rotation in candidates:
        turned = np.ascontiguousarray(np.rot90(image, k=rotation // 90))
        reading = _Reading(engine.read(turned, page=page.number), turned, rotation)
        if reading.evidence > best_evidence:
            best, best_evidence = reading, reading.evidence
        if _confident_share(reading.ocr.lines) >= _CONFIDENT_SHARE:
            break  # a convincing reading: the other candidate would cost another OCR for nothing
    return ReadPage(best.ocr, best.image, best.rotation, skew)


@dataclass(frozen=True, slots=True)
class _Reading:
    ocr: OcrPage
    image: np.ndarray
    rotation: int

    @property
    def evidence(self) -> int:
        return _confident_chars(self.ocr.lines)


def _text_layer_usable(page: DecodedPage) -> bool:
    if not page.text_lines:
        return False
    chars = sum(len(line.text.replace(" ", "")) for line in page.text_lines)
    needed = DENSE_TEXT_LAYER_CHARS if page.image_cover >= SCAN_COVER else MIN_TEXT_LAYER_CHARS
    return chars >= needed


def _rotation_candidates(first: OcrPage) -> list[int]:
    """Counter-clockwise quarter turns worth a second OCR, most likely first; [] for an upright page."""
    boxes = [ln for ln in first.lines if len(ln.text.replace(" ", "")) >= _MIN_BOX_CHARS]
    if not boxes:
        return []  # no text to go by (a photo, a blank page): turning it will not find any
    tall = sum(ln.height * first.height > _TALL_RATIO * ln.width * first.width for ln in boxes)
    confident = _confident_share(first.lines) >= _CONFIDENT_SHARE
    if tall > _TALL_SHARE * len(boxes):
        # Tall crops are recognised after a counter-clockwise quarter turn: if that read well,
        # the page was turned clockwise and needs a counter-clockwise turn (90), else the reverse.
        return [90, 270] if confident else [270, 90]
    if not confident:
        return [180]
    return []


def _confident_chars(lines: Iterable[OcrLine]) -> int:
    return sum(len(ln.text.replace(" ", "")) for ln in lines if ln.score >= CONFIDENT_SCORE)


def _confident_share(lines: tuple[OcrLine, ...]) -> float:
    total = sum(len(ln.text.replace(" ", "")) for ln in lines)
    return _confident_chars(lines) / total if total else 0.0
