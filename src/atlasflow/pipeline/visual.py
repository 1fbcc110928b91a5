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
        with self._lock:
            primary = self._primary.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(min_side, min_side))
            confirm = self._confirm.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=3, minSize=(min_side, min_side))
        faces = []
        for x, y, w, h in primary:
            if any(_iou((x, y, w, h), tuple(c)) > 0.3 for c in confirm):
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
    h, w = shape
    mask = np.zeros((h, w), dtype=np.uint8)
    for ln in lines:
        if ln.page != page:
            continue
        x0, y0, x1, y1 = ln.box
        pad = 2
        mask[max(0, int(y0 * h) - pad) : int(y1 * h) + pad, max(0, int(x0 * w) - pad) : int(x1 * w) + pad] = 1
    return mask


def signatory_region(lines: Sequence[OcrLine]) -> tuple[int, tuple[float, float, float, float]] | None:
    """The area where a dealer signs and stamps: around and above the signatory label."""
    hits = layout.find_label_hits(lines, _SIGNATORY)
    if not hits:
        return None
    ln = max((h.line for h in hits), key=lambda x: (x.page, x.cy))
    hgt = max(ln.height, 0.012)
    x0 = max(0.0, ln.box[0] - 0.12)
    x1 = min(1.0, ln.box[2] + 0.12)
    y0 = max(0.0, ln.box[1] - 9 * hgt)
    y1 = min(1.0, ln.box[3] + 1.5 * hgt)
    return ln.page, (x0, y0, x1, y1)


def _crop(image: np.ndarray, box: tuple[float, float, float, float]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    h, w = image.shape[:2]
    x0, y0, x1, y1 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    return image[y0:y1, x0:x1], (x0, y0, x1, y1)


def detect_stamp(image: np.ndarray, lines: Sequence[OcrLine], *, page: int = 1) -> InkEvidence:
    """A rubber stamp: a sizeable blob of coloured ink (blue, violet, red, green) near the signatory."""
    region = signatory_region(lines)
    box = region[1] if region and region[0] == page else (0.0, 0.45, 1.0, 1.0)
    crop, (cx0, cy0, _, _) = _crop(image, box)
    if crop.size == 0:
        return InkEvidence(False, 0.5, None)
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    sat = (hsv[..., 1] > 70) & (hsv[..., 2] > 40) & (hsv[..., 2] < 250)
    mask = sat.astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    h, w = image.shape[:2]
    best = None
    best_score = 0.0
    min_side = 0.05 * min(h, w)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if bw < min_side or bh < min_side or not (0.33 < bw / bh < 3.0):
            continue
        fill = area / float(bw * bh)
        score = min(1.0, (min(bw, bh) / (0.12 * min(h, w)))) * (1.0 if fill < 0.85 else 0.4)
        if score > best_score:
            best_score = score
            best = (cx0 + x, cy0 + y, bw, bh)
    if best is None:
        return InkEvidence(False, 0.8, None)
    x, y, bw, bh = best
    return InkEvidence(True, float(min(1.0, 0.5 + best_score / 2)), (x / w, y / h, (x + bw) / w, (y + bh) / h))


def detect_signature(image: np.ndarray, lines: Sequence[OcrLine], *, page: int = 1) -> InkEvidence:
    """Handwritten strokes above the signatory label that OCR did not read as text."""
    region = signatory_region(lines)
    if region is None or region[0] != page:
        return InkEvidence(False, 0.4, None)
    box = region[1]
    crop, (cx0, cy0, cx1, cy1) = _crop(image, box)
    if crop.size == 0:
        return InkEvidence(False, 0.4, None)
    h, w = image.shape[:2]
    tmask = _text_mask((h, w), lines, page)[cy0:cy1, cx0:cx1]
    hsv = cv2.cvtColor(crop, cv2.COLOR_RGB2HSV)
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    local = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    # Stamp ink is saturated and fills rings; keep dark or blue-black strokes only.
    stamp_like = (hsv[..., 1] > 110) & ~((hsv[..., 0] > 95) & (hsv[..., 0] < 130) & (hsv[..., 2] < 170))
    ink = (local > 0) & (tmask == 0) & ~stamp_like
    ink = ink.astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stroke_px = 0
    spread_x0, spread_x1 = cx1, 0
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if area < 25 or bw < 0.02 * w:
            continue
        # Strokes are thin and long: area small relative to their box; text remnants are compact.
        if area / float(bw * bh) > 0.6:
            continue
        stroke_px += area
        spread_x0, spread_x1 = min(spread_x0, x), max(spread_x1, x + bw)
    width = (spread_x1 - spread_x0) / w if stroke_px else 0.0
    present = stroke_px > 0.0004 * h * w and width > 0.06
    strength = min(1.0, 0.55 + abs(stroke_px / (0.0004 * h * w) - 1) * 0.2)
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
