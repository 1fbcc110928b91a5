"""The OCR engine is chosen by name; Tesseract is an optional second engine."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from atlasflow.errors import AtlasError
from atlasflow.pipeline.ocr import TesseractEngine, get_engine


def test_unknown_engine_names_the_choices() -> None:
    with pytest.raises(AtlasError, match="rapidocr, tesseract"):
        get_engine("nonesuch")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Debian package tesseract-ocr not installed")
def test_tesseract_reads_lines_with_relative_boxes() -> None:
    import matplotlib

    font = ImageFont.truetype(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf", 40)
    img = Image.new("RGB", (900, 200), "white")
    ImageDraw.Draw(img).text((20, 60), "Invoice No 4332", font=font, fill="black")
    page = TesseractEngine().read(np.array(img))
    assert any("4332" in ln.text for ln in page.lines)
    assert all(0.0 <= c <= 1.0 for ln in page.lines for c in ln.box)
