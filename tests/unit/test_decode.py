"""Decode stage: every supported format becomes upright RGB pages; PDF text layers keep their geometry."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from atlasflow.pipeline.decode import DecodedPage, Limits, MediaType, decode_document, sniff_media_type

# ------------------------------------------------------------------------------------------ builders


def _page_image(width: int = 400, height: int = 300) -> Image.Image:
    """A white page with a black block in the top-left corner, so orientation is visible."""
    im = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(im).rectangle([0, 0, width // 4, height // 4], fill="black")
    return im


def _encode(im: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF file from numbered object bodies (object 1 is the catalog), with a correct xref table."""
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


def _text_pdf(rows: list[list[tuple[float, str]]], *, rotate: int = 0) -> bytes:
    """One A4 page of Helvetica text: each row is a list of (x in points, text) cells, 24 pt apart."""
    ops = [b"BT /F1 14 Tf"]
    for i, row in enumerate(rows):
        for x, text in row:
            ops.append(b"1 0 0 1 %.1f %.1f Tm (%s) Tj" % (x, 760 - 24 * i, text.encode("latin-1")))
    ops.append(b"ET")
    content = b"\n".join(ops)
    rotation = b" /Rotate %d" % rotate if rotate else b""
    return _assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
            b" /Contents 5 0 R%s >>" % rotation,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        ]
    )


def _blank_pdf(pages: int, size: tuple[float, float] = (595, 842)) -> bytes:
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(*size)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _dark(image: np.ndarray) -> np.ndarray:
    return image.min(axis=2) < 128


# ------------------------------------------------------------------------------------------ sniffing


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("JPEG", MediaType.JPEG),
        ("PNG", MediaType.PNG),
        ("WEBP", MediaType.WEBP),
        ("TIFF", MediaType.TIFF),
        ("BMP", MediaType.BMP),
        ("GIF", MediaType.GIF),
    ],
)
def test_media_type_comes_from_the_bytes(fmt: str, media_type: str, tmp_path) -> None:
    # A file named like a PDF is still decoded as what its bytes say it is.
    path = tmp_path / "statement.pdf"
    path.write_bytes(_encode(_page_image(), fmt))
    data = path.read_bytes()
    assert sniff_media_type(data) == media_type
    doc = decode_document(data)
    assert doc.media_type == media_type
    (page,) = doc.pages
    assert page.number == 1
    assert page.image.dtype == np.uint8 and page.image.shape == (300, 400, 3)
    assert page.text_lines is None
    # The black block is still in the top-left corner and the rest is white paper.
    assert _dark(page.image)[:60, :80].mean() > 0.95
    assert _dark(page.image)[100:, 120:].mean() < 0.01


def test_pdf_is_sniffed_and_other_bytes_are_not() -> None:
    assert sniff_media_type(_blank_pdf(1)) == MediaType.PDF
    assert sniff_media_type(b"BMW service invoice, plain text") is None
    assert sniff_media_type(b"") is None


# ------------------------------------------------------------------------------------------ images


def test_exif_orientation_is_applied() -> None:
    # Phones store the sensor's pixels and say "rotate 90° clockwise to view" in EXIF tag 0x0112.
    im = _page_image(400, 300)
    exif = Image.Exif()
    exif[0x0112] = 6
    page = decode_document(_encode(im, "JPEG", exif=exif, quality=95)).pages[0]
    assert page.image.shape == (400, 300, 3)
    # Viewed upright, the block that was top-left in storage is now top-right.
    assert _dark(page.image)[:60, -60:].mean() > 0.95
    assert _dark(page.image)[:60, :60].mean() < 0.05


@pytest.mark.parametrize(("fmt", "size"), [("JPEG", (4400, 3000)), ("PNG", (3300, 1100))])
def test_large_images_are_downscaled_keeping_aspect(fmt: str, size: tuple[int, int]) -> None:
    page = decode_document(_encode(_page_image(*size), fmt)).pages[0]
    h, w = page.image.shape[:2]
    assert max(h, w) == 2200
    assert w / h == pytest.approx(size[0] / size[1], rel=0.01)


def test_max_side_is_configurable() -> None:
    page = decode_document(_encode(_page_image(1000, 500), "PNG"), limits=Limits(max_side=500)).pages[0]
    assert page.image.shape == (250, 500, 3)


def test_transparent_png_is_flattened_onto_white() -> None:
    # Screenshots often have a transparent background whose hidden colour is black.
    im = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle([10, 10, 60, 60], fill=(0, 0, 0, 255))
    image = decode_document(_encode(im, "PNG")).pages[0].image
    assert (image[150:, 150:] == 255).all()
    assert _dark(image)[15:55, 15:55].all()


def test_sixteen_bit_scan_keeps_its_tones() -> None:
    gray = np.full((200, 300), 32768, dtype=np.uint16)  # mid-grey in 16 bits
    gray[:50, :50] = 0
    image = decode_document(_encode(Image.fromarray(gray), "PNG")).pages[0].image
    assert abs(int(image[150, 150, 0]) - 128) <= 2
    assert image[10, 10].tolist() == [0, 0, 0]


def test_multi_page_tiff_gives_one_page_per_frame() -> None:
    frames = [_page_image(300 + 10 * i, 200) for i in range(3)]
    data = _encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    doc = decode_document(data)
    assert doc.media_type == MediaType.TIFF
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert [p.image.shape[1] for p in doc.pages] == [300, 310, 320]


def test_still_gif_decodes_its_frame() -> None:
    doc = decode_document(_encode(_page_image(), "GIF"))
    assert doc.media_type == MediaType.GIF
    assert _dark(doc.pages[0].image)[:60, :80].mean() > 0.95


# ------------------------------------------------------------------------------------------ PDF


def test_pdf_pages_render_at_150_dpi() -> None:
    doc = decode_document(_blank_pdf(2))
    assert doc.media_type == MediaType.PDF
    assert [p.number for p in doc.pages] == [1, 2]
    for page in doc.pages:
        h, w = page.image.shape[:2]
        assert w == 1240 and abs(h - 1754) <= 1  # A4 at 150 dpi
        assert (page.image == 255).all()
        assert page.text_lines == ()  # a PDF page, but no text on it


def test_poster_sized_pdf_page_is_rendered_small() -> None:
    # 100 × 100 inches would be 15000 × 15000 pixels at 150 dpi.
    page = decode_document(_blank_pdf(1, size=(7200, 7200))).pages[0]
    assert page.image.shape == (2200, 2200, 3)


def test_pdf_text_layer_lines_sit_on_the_rendered_text() -> None:
    data = _text_pdf(
        [
            [(72, "TAX INVOICE No 4332")],
            [(72, "GSTIN 29AAACB1234F1Z5"), (330, "Amount 32499.00")],
        ]
    )
    page = decode_document(data).pages[0]
    assert page.text_lines is not None
    assert [ln.text for ln in page.text_lines] == [
        "TAX INVOICE No 4332",
        "GSTIN 29AAACB1234F1Z5",
        "Amount 32499.00",
    ]
    assert all(ln.page == 1 and ln.score == 1.0 for ln in page.text_lines)
    _assert_boxes_cover_all_ink(page)


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_text_layer_boxes_follow_page_rotation(rotate: int) -> None:
    page = decode_document(
        _text_pdf([[(72, "Delivery Order DO-1187")], [(72, "Asset cost 41990")]], rotate=rotate)
    ).pages[0]
    h, w = page.image.shape[:2]
    assert (w > h) == (rotate in (90, 270))
    _assert_boxes_cover_all_ink(page)


def _assert_boxes_cover_all_ink(page: DecodedPage) -> None:
    """Every box holds ink, and no ink lies outside the boxes (2 px slack for anti-aliasing)."""
    dark = _dark(page.image)
    h, w = dark.shape
    covered = np.zeros_like(dark)
    assert page.text_lines
    for line in page.text_lines:
        x0, y0, x1, y1 = line.box
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
        ys, xs = (
            slice(max(0, int(y0 * h) - 2), int(y1 * h) + 3),
            slice(max(0, int(x0 * w) - 2), int(x1 * w) + 3),
        )
        assert dark[ys, xs].sum() > 50, line.text
        covered[ys, xs] = True
    assert not (dark & ~covered).any()
