"""Prepare stage: straighten a page photographed or scanned a few degrees off before OCR.

The skew angle comes from a projection profile of text-like pixels on a small copy of the page:
rotating the pixel coordinates (not the image) by each candidate angle and measuring how sharply
they stack into rows and columns costs a few milliseconds. Rows or columns both count, so a page
lying on its side (90°/270°, handled later by the read stage) is straightened just the same.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["deskew_page", "estimate_skew", "prepare_page", "rotate_page"]

MAX_SKEW = 10.0  # degrees; larger tilts are left alone (a real page rotation, or not a document)
MIN_SKEW = 0.3  # below this a rotation blurs more than it helps
_WORK_SIDE = 900  # long side of the analysis copy, pixels
_MAX_POINTS = 40_000  # subsample of foreground pixels scored per angle
_MIN_POINTS = 200  # fewer text pixels than this: nothing to align on
_MIN_GAIN = 1.08  # the best angle must stack pixels this much better than 0° to be trusted


def prepare_page(image: np.ndarray) -> np.ndarray:
    """The page deskewed within ±10°, new corners filled white; the same array when nothing to do."""
    return deskew_page(image)[0]


def deskew_page(image: np.ndarray) -> tuple[np.ndarray, float]:
    """`prepare_page` that also says by how many degrees (counter-clockwise) it turned the page."""
    angle = estimate_skew(image)
    if abs(angle) < MIN_SKEW:
        return image, 0.0
    return rotate_page(image, angle), angle


def estimate_skew(image: np.ndarray) -> float:
    """Degrees to rotate the page counter-clockwise so its text lines run level (0.0 if unsure)."""
    points = _text_points(image)
    if points is None:
        return 0.0
    xs, ys = points

    def sharpness(deg: float) -> float:
        theta = np.deg2rad(deg)
        c, s = np.cos(theta), np.sin(theta)
        # Coordinates after rotating the page counter-clockwise by `deg` (image y axis points down).
        rows = (ys * c - xs * s).astype(np.int32)
        cols = (xs * c + ys * s).astype(np.int32)
        return _profile_energy(rows) + _profile_energy(cols)

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5)
    scores = np.array([sharpness(a) for a in coarse])
    best = float(coarse[int(scores.argmax())])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1)
    fine_scores = np.array([sharpness(a) for a in fine])
    best = float(fine[int(fine_scores.argmax())])
    # A photo of an object has no rows of text: its profile is flat and its "best" angle is noise.
    if float(fine_scores.max()) < _MIN_GAIN * sharpness(0.0):
        return 0.0
    return round(best, 1)


def rotate_page(image: np.ndarray, angle: float) -> np.ndarray:
    """Rotate counter-clockwise by `angle` degrees, growing the canvas so no corner is cut off."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(round(h * sin + w * cos)), int(round(h * cos + w * sin))
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    fill = (255,) * image.shape[2] if image.ndim == 3 else 255
    return cv2.warpAffine(
        image,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )


def _text_points(image: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    h, w = gray.shape[:2]
    scale = min(1.0, _WORK_SIDE / max(h, w))
    if scale < 1.0:
        gray = cv2.resize(
            gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA
        )
    # Black-hat keeps thin dark strokes (text, rules) and drops shading, photos' big dark areas
    # and the page edge, so the profile is about lines of text.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    strokes = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel)
    _, mask = cv2.threshold(strokes, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if int(strokes.max()) < 40:  # no contrast at all: a blank or washed-out page
        return None
    ys, xs = np.nonzero(mask)
    if len(xs) < _MIN_POINTS:
        return None
    step = max(1, len(xs) // _MAX_POINTS)
    xs = xs[::step].astype(np.float32)
    ys = ys[::step].astype(np.float32)
    return xs - xs.mean(), ys - ys.mean()


def _profile_energy(bins: np.ndarray) -> float:
    counts = np.bincount(bins - bins.min())
    return float(np.dot(counts, counts))
