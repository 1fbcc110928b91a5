"""Read stage: text-layer PDFs are read without OCR; scans are OCR'd upright whatever way up they came."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from atlasflow.domain.types import OcrLine, OcrPage
from atlasflow.pipeline.decode import DecodedDocument, DecodedPage, decode_document
from atlasflow.pipeline.ocr import OcrEngine, get_engine
from atlasflow.pipeline.prepare import rotate_page
from atlasflow.pipeline.read import ReadPage, read_document

# ------------------------------------------------------------------------------------------ helpers


class CountingEngine:
    """An OCR engine that records its calls and answers with fixed lines (or delegates to a real one)."""

    name = "counting"

    def __init__(self, lines: tuple[OcrLine, ...] = (), *, inner: OcrEngine | None = None) -> None:
        self.calls = 0
        self._lines = lines
        self._inner = inner

    def read(self, image: np.ndarray, *, page: int = 1) -> OcrPage:
        self.calls += 1
        if self._inner is not None:
            return self._inner.read(image, page=page)
        h, w = image.shape[:2]
        return OcrPage(number=page, width=w, height=h, lines=self._lines)


def _font(size: int) -> ImageFont.FreeTypeFont:
    system = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not system.exists():
        import matplotlib

        system = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(system), size)


def _pdf(*, text_rows: list[str], scan_jpeg: bytes | None = None) -> bytes:
    """One A4 page: optionally a full-page JPEG (a scan), then Helvetica text rows from the top."""
    ops = []
    if scan_jpeg is not None:
        ops.append(b"q 595 0 0 842 0 0 cm /Scan Do Q")
    ops.append(b"BT /F1 14 Tf")
    for i, row in enumerate(text_rows):
        ops.append(b"1 0 0 1 72 %d Tm (%s) Tj" % (760 - 24 * i, row.encode("latin-1")))
    ops.append(b"ET")
    content = b"\n".join(ops)
    xobjects = b" /XObject << /Scan 6 0 R >>" if scan_jpeg is not None else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >>%s >>"
        b" /Contents 5 0 R >>" % xobjects,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    if scan_jpeg is not None:
        w, h = Image.open(io.BytesIO(scan_jpeg)).size
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB"
            b" /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
            % (w, h, len(scan_jpeg), scan_jpeg)
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


INVOICE_ROWS = [
    "TAX INVOICE",
    "Invoice No: 4332 Date: 12/03/2025",
    "GSTIN: 29AAACB1234F1Z5",
    "Grand Total: 32499.00",
]

# ------------------------------------------------------------------------------------------ text layer


def test_pdf_text_layer_is_read_exactly_without_ocr() -> None:
    doc = decode_document(_pdf(text_rows=INVOICE_ROWS))
    engine = CountingEngine()
    (page,) = read_document(doc, engine)
    assert engine.calls == 0
    assert isinstance(page, ReadPage)
    assert page.ocr.from_text_layer
    assert [ln.text for ln in page.ocr.lines] == INVOICE_ROWS
    # The rendered page is still there for visual checks, and the boxes refer to it.
    assert page.image.shape[:2] == (page.ocr.height, page.ocr.width)
    x0, y0, x1, y1 = page.ocr.lines[0].box
    h, w = page.image.shape[:2]
    assert (page.image[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)] < 128).any()


def test_scan_with_a_watermark_line_is_ocrd() -> None:
    # A scanned page whose only text layer is the scanning app's footer: the scan needs OCR.
    scan = Image.new("RGB", (620, 877), "white")
    ImageDraw.Draw(scan).text((60, 60), "TAX INVOICE  No 4332", font=_font(24), fill="black")
    buf = io.BytesIO()
    scan.save(buf, "JPEG", quality=90)
    doc = decode_document(_pdf(text_rows=["Scanned with a phone scanner app"], scan_jpeg=buf.getvalue()))
    assert doc.pages[0].image_cover > 0.9
    engine = CountingEngine((OcrLine("TAX INVOICE No 4332", 0.99, (0.1, 0.07, 0.5, 0.1)),))
    (page,) = read_document(doc, engine)
    assert engine.calls == 1
    assert not page.ocr.from_text_layer
    assert [ln.text for ln in page.ocr.lines] == ["TAX INVOICE No 4332"]


def test_pdf_page_with_too_little_text_is_ocrd() -> None:
    doc = decode_document(_pdf(text_rows=["Page 1 of 1"]))
    engine = CountingEngine()
    (page,) = read_document(doc, engine)
    assert engine.calls == 1
    assert not page.ocr.from_text_layer


def test_upright_confident_page_costs_one_ocr_call() -> None:
    lines = tuple(
        OcrLine(text, 0.97, (0.1, 0.1 + 0.05 * i, 0.6, 0.13 + 0.05 * i))
        for i, text in enumerate(INVOICE_ROWS)
    )
    image = np.full((1754, 1240, 3), 255, dtype=np.uint8)
    engine = CountingEngine(lines)
    (page,) = read_document(DecodedDocument("image/png", (DecodedPage(1, image, None),)), engine)
    assert engine.calls == 1
    assert page.rotation == 0 and page.image is image
    assert page.ocr.lines == lines


def test_page_without_any_text_is_not_turned_around() -> None:
    image = np.full((800, 600, 3), 255, dtype=np.uint8)
    engine = CountingEngine()
    (page,) = read_document(DecodedDocument("image/png", (DecodedPage(1, image, None),)), engine)
    assert engine.calls == 1
    assert page.ocr.lines == ()


# ------------------------------------------------------------------------------------------ real OCR

SCAN_ROWS = [
    "TAX INVOICE No 4332",
    "Dealer: Sharma Electronics",
    "GSTIN 29AAACB1234F1Z5",
    "Grand Total Rs 32,499.00",
]


@pytest.fixture(scope="module")
def ocr() -> OcrEngine:
    return get_engine()


@pytest.fixture(scope="module")
def scan() -> np.ndarray:
    im = Image.new("RGB", (1000, 700), "white")
    draw = ImageDraw.Draw(im)
    for i, row in enumerate(SCAN_ROWS):
        draw.text((80, 90 + 80 * i), row, font=_font(34), fill="black")
    return np.asarray(im)


@pytest.mark.parametrize(
    ("turn", "expected_rotation", "expected_calls"),
    [
        (lambda p: rotate_page(p, 4.0), 0, 1),  # a 4° tilt costs no extra OCR
        (lambda p: np.rot90(p, k=-1), 90, 2),  # lying on its right side
        (lambda p: np.rot90(p, k=2), 180, 2),  # upside down
        (lambda p: np.rot90(p, k=1), 270, 2),  # lying on its left side
    ],
    ids=["tilted-4", "cw-90", "180", "ccw-90"],
)
def test_rotated_scan_reads_back_upright(
    ocr, scan, turn, expected_rotation: int, expected_calls: int
) -> None:
    engine = CountingEngine(inner=ocr)
    image = np.ascontiguousarray(turn(scan))
    (page,) = read_document(DecodedDocument("image/png", (DecodedPage(1, image, None),)), engine)
    assert [ln.text for ln in page.ocr.lines] == SCAN_ROWS
    assert page.rotation == expected_rotation
    assert engine.calls == expected_calls
    # Boxes refer to the upright image handed on: lines run across it, top to bottom.
    assert page.image.shape[:2] == (page.ocr.height, page.ocr.width)
    assert page.image.shape[1] > page.image.shape[0]
    assert all(ln.width * page.ocr.width > 3 * ln.height * page.ocr.height for ln in page.ocr.lines)
    first = page.ocr.lines[0]
    h, w = page.image.shape[:2]
    crop = page.image[
        int(first.box[1] * h) : int(first.box[3] * h), int(first.box[0] * w) : int(first.box[2] * w)
    ]
    assert (crop < 128).mean() > 0.05  # the box sits on the ink of the first row
