"""What the pixels say: faces in open-box photos, signature ink and dealer stamps on invoices.

Faces use OpenCV's Haar cascades, which ship inside opencv-python-headless 4.x (5.x dropped
them); nothing is downloaded. Signature and stamp checks look for ink that OCR did not claim
as text, near the signatory label.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from atlasflow.domain.types import OcrLine
from atlasflow.pipeline import layout

_SIGNATORY = ("authorised signatory", "authorized signatory", "authorised signature", "authorized signature",
              "signature", "for and on behalf of", "seal & signature", "seal and signature")


@dataclass(frozen=True, slots=True)
class Face:
    x: int
    y: int
    w: int
    h: int


class FaceDetector:
    """Frontal faces by two Haar cascades that must agree; built once per process."""

    def __init__(self) -> None:
        root = cv2.data.haarcascades
        self._primary = cv2.CascadeClassifier(root + "haarcascade_frontalface_default.xml")
        self._confirm = cv2.CascadeClassifier(root + "haarcascade_frontalface_alt2.xml")
        if self._primary.empty() or self._confirm.empty():
            from atlasflow.errors import AtlasError

            raise AtlasError("OpenCV Haar cascades missing: install opencv-python-headless<5")
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[Face]:
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        scale = 1280 / max(gray.shape)
        if scale < 1:
            gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        else:
            scale = 1.0
        gray = cv2.equalizeHist(gray)
        min_side = max(24, int(min(gray.shape) * 0.05))
        faces = []
        with self._lock:
            primary = self._primary.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(min_side, min_side))
            for x, y, w, h in primary:
                # The second cascade only looks around each candidate: agreement at a fraction of the cost.
                pad = w // 2
                x0, y0 = max(0, x - pad), max(0, y - pad)
                roi = gray[y0 : y + h + pad, x0 : x + w + pad]
                confirm = self._confirm.detectMultiScale(
                    roi, scaleFactor=1.1, minNeighbors=4, minSize=(int(w * 0.5), int(h * 0.5))
                )
                if any(_iou((x, y, w, h), (cx + x0, cy + y0, cw, ch)) > 0.3 for cx, cy, cw, ch in confirm):
                    faces.append(Face(int(x / scale), int(y / scale), int(w / scale), int(h / scale)))
        return _dedupe(faces)


def _iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / float(aw * ah + bw * bh - inter) if inter else 0.0


def _dedupe(faces: list[Face]) -> list[Face]:
    kept: list[Face] = []
    for f in sorted(faces, key=lambda f: -f.w * f.h):
        if all(_iou((f.x, f.y, f.w, f.h), (k.x, k.y, k.w, k.h)) < 0.3 for k in kept):
            kept.append(f)
    return kept


@cache
def face_detector() -> FaceDetector:
    return FaceDetector()


@dataclass(frozen=True, slots=True)
class InkEvidence:
    present: bool
    strength: float  # 0-1, how clearly the evidence points at `present`
    box: tuple[float, float, float, float] | None


def _text_mask(shape: tuple[int, int], lines: Sequence[OcrLine], page: int) -> np.ndarray:
    """Where OCR confidently read printed text; a signature read as "Rwmn" at 0.56 is not masked."""
    h, w = shape
    mask = np.zeros((h, w), dtype=np.uint8)
    for ln in lines:
        if ln.page != page or ln.score < 0.8:
            continue
        x0, y0, x1, y1 = ln.box
        pad = 2
        mask[max(0, int(y0 * h) - pad) : int(y1 * h) + pad, max(0, int(x0 * w) - pad) : int(x1 * w) + pad] = 1
    return mask


def signatory_region(lines: Sequence[OcrLine]) -> tuple[int, tuple[float, float, float, float]] | None:
    """The area where a dealer signs and stamps: above the signatory label, or below "For <dealer>"
    when a stamp hides the label."""
    hits = layout.find_label_hits(lines, _SIGNATORY)
    if hits:
        ln = max((h.line for h in hits), key=lambda x: (x.page, x.cy))
        hgt = max(ln.height, 0.012)
        return ln.page, (max(0.0, ln.box[0] - 0.12), max(0.0, ln.box[1] - 9 * hgt), min(1.0, ln.box[2] + 0.12),
                         min(1.0, ln.box[3] + 1.5 * hgt))
    for_lines = [h.line for h in layout.find_label_hits(lines, ("for",)) if h.line.cy > 0.5]
    if for_lines:
        ln = max(for_lines, key=lambda x: (x.page, x.cy))
        hgt = max(ln.height, 0.012)
        return ln.page, (max(0.0, ln.box[0] - 0.12), ln.box[1], min(1.0, ln.box[2] + 0.12), min(1.0, ln.box[3] + 8 * hgt))
    return None


def _crop(image: np.ndarray, box: tuple[float, float, float, float]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    h, w = image.shape[:2]
    x0, y0, x1, y1 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    return image[y0:y1, x0:x1], (x0, y0, x1, y1)


# OpenCV hue ranges (0-180) of stamp inks: red (wraps), violet/magenta, blue, green.
_INK_HUES = ((160, 12), (125, 160), (90, 125), (40, 90))


def detect_stamp(image: np.ndarray, lines: Sequence[OcrLine], *, page: int = 1) -> InkEvidence:
    """A rubber stamp: a ring or frame of coloured ink (blue, violet, red, green) in the lower part of
    the page ("PAID" on a receipt, the dealer's seal at the signatory). Judged by shape, since a blue
    signature can touch it and share its colour."""
    region = signatory_region(lines)
    top = min(0.45, region[1][1]) if region and region[0] == page else 0.45
    # Only on the paper: in a phone photo the table or floor around the page is not a stamp.
    on_page = [ln for ln in lines if ln.page == page]
    if on_page:
        x0, _, x1, y1 = layout.union_box(on_page)
        box = (max(0.0, x0 - 0.05), top, min(1.0, x1 + 0.05), min(1.0, y1 + 0.08))
    else:
        box = (0.0, top, 1.0, 1.0)
    crop, (cx0, cy0, _, _) = _crop(image, box)
    if crop.size == 0:
        return InkEvidence(False, 0.5, None)
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    inked = (hsv[..., 1] > 30) & (hsv[..., 2] > 40)  # faded ink in a phone photo is barely coloured
    h, w = image.shape[:2]
    min_side = 0.05 * min(h, w)
    best: tuple[int, int, int, int] | None = None
    best_side = 0
    # One ink colour at a time, so a blue signature over a red seal does not blur its shape.
    for lo, hi in _INK_HUES:
        hue = hsv[..., 0]
        mask = (inked & ((hue >= lo) & (hue < hi) if lo < hi else (hue >= lo) | (hue < hi))).astype(np.uint8)
        if mask.sum() < min_side * 4:
            continue
        # A worn stamp prints as speckle: close it into its shape before measuring.
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((11, 11), np.uint8))
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            if bw < min_side or bh < min_side or not (0.33 < bw / bh < 3.0):
                continue
            fill = area / float(bw * bh)
            # Not a solid coloured band or logo, not a lone thin stroke.
            if 0.08 < fill < 0.85 and min(bw, bh) > best_side:
                best, best_side = (cx0 + x, cy0 + y, bw, bh), min(bw, bh)
    if best is None:
        return InkEvidence(False, 0.8, None)
    x, y, bw, bh = best
    strength = min(1.0, 0.6 + best_side / (0.3 * min(h, w)))
    return InkEvidence(True, float(strength), (x / w, y / h, (x + bw) / w, (y + bh) / h))


def _is_outline(component: np.ndarray) -> bool:
    """A stamp's ring or frame: its ink hugs the edges of its own bounding box."""
    h, w = component.shape
    my, mx = max(2, int(0.12 * h)), max(2, int(0.12 * w))
    total = int(component.sum())
    inner = int(component[my : h - my, mx : w - mx].sum())
    return total > 0 and inner / total < 0.3


def detect_signature(image: np.ndarray, lines: Sequence[OcrLine], *, page: int = 1) -> InkEvidence:
    """Handwritten strokes near the signatory label that OCR did not confidently read as text.

    Colour does not separate a blue pen from a blue stamp, so shape does: strokes are thin, run
    sideways and are not a ring or frame."""
    region = signatory_region(lines)
    if region is None or region[0] != page:
        return InkEvidence(False, 0.4, None)
    box = region[1]
    crop, (cx0, cy0, cx1, cy1) = _crop(image, box)
    if crop.size == 0:
        return InkEvidence(False, 0.4, None)
    h, w = image.shape[:2]
    tmask = _text_mask((h, w), lines, page)[cy0:cy1, cx0:cx1]
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12) > 0
    ink = (ink & (tmask == 0)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stroke_px = 0
    spread_x0, spread_x1 = cx1, 0
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if area < 25 or bw < 0.02 * w:
            continue
        # Strokes are thin: little ink for their box; text remnants and blobs are compact.
        if area / float(bw * bh) > 0.6:
            continue
        if min(bw, bh) > 0.04 * w and _is_outline(labels[y : y + bh, x : x + bw] == i):
            continue
        stroke_px += area
        spread_x0, spread_x1 = min(spread_x0, x), max(spread_x1, x + bw)
    width = (spread_x1 - spread_x0) / w if stroke_px else 0.0
    present = stroke_px > 0.0003 * h * w and width > 0.05
    strength = min(1.0, 0.55 + abs(stroke_px / (0.0003 * h * w) - 1) * 0.2)
    bbox = None
    if present:
        bbox = ((cx0 + spread_x0) / w, box[1], (cx0 + spread_x1) / w, box[3])
    return InkEvidence(bool(present), float(strength), bbox)


def photo_stats(image: np.ndarray) -> dict[str, float]:
    """Cheap global statistics that tell a photograph from a printed page."""
    small = cv2.resize(image, (160, 160), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    white = float(((gray > 200) & (hsv[..., 1] < 40)).mean())
    colourful = float((hsv[..., 1] > 60).mean())
    edges = float((cv2.Canny(gray, 80, 160) > 0).mean())
    return {"white": white, "colourful": colourful, "edges": edges, "std": float(gray.std() / 128)}
