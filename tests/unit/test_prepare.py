"""Prepare stage: slightly tilted pages come out level; upright pages and photos are left untouched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from atlasflow.pipeline.prepare import deskew_page, estimate_skew, prepare_page, rotate_page


def _font_path() -> Path:
    system = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if system.exists():
        return system
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    """An A4 page at 150 dpi with 25 lines of invoice-like text."""
    im = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(str(_font_path()), 28)
    for i in range(25):
        draw.text(
            (110, 120 + 56 * i),
            f"{i + 1:>2}  Galaxy A15 5G   IMEI 3548 7810 2233 {i:03d}   Rs 14,999.00",
            font=font,
            fill="black",
        )
    return np.asarray(im)


def _ink(image: np.ndarray) -> int:
    return int((image.min(axis=2) < 128).sum())


def test_upright_page_is_returned_unchanged(page: np.ndarray) -> None:
    assert prepare_page(page) is page


def test_a_barely_tilted_page_is_not_resampled(page: np.ndarray) -> None:
    tilted = rotate_page(page, 0.2)
    assert prepare_page(tilted) is tilted


@pytest.mark.parametrize("angle", [4.0, -4.0, 1.5, -7.5, 9.5])
def test_tilted_page_comes_out_level(page: np.ndarray, angle: float) -> None:
    tilted = rotate_page(page, angle)
    straight, applied = deskew_page(tilted)
    assert applied == pytest.approx(-angle, abs=0.3)
    assert abs(estimate_skew(straight)) < 0.3
    # Nothing was cut off and the new corners are paper, not black.
    assert _ink(straight) == pytest.approx(_ink(page), rel=0.05)
    for corner in (straight[:5, :5], straight[:5, -5:], straight[-5:, :5], straight[-5:, -5:]):
        assert (corner == 255).all()


def test_page_on_its_side_is_still_levelled(page: np.ndarray) -> None:
    # Quarter turns are the read stage's business; the small tilt on top of one is ours.
    sideways = np.ascontiguousarray(np.rot90(rotate_page(page, 3.0)))
    assert estimate_skew(sideways) == pytest.approx(-3.0, abs=0.3)


def test_photo_without_text_is_left_alone() -> None:
    from skimage import data

    for photo in (data.astronaut(), data.coffee(), data.chelsea()):
        assert prepare_page(photo) is photo


def test_blank_page_is_left_alone() -> None:
    blank = np.full((1754, 1240, 3), 255, dtype=np.uint8)
    assert prepare_page(blank) is blank
