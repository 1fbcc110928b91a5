"""PDF output: digital PDFs with a real text layer (pypdfium2) and image-only scanned PDFs (Pillow).

A digital PDF is the page's graphics as one JPEG image, with every text run re-drawn on top
as real text in the same TrueType font, size and position, so rasterising the PDF gives the
same picture as the PNG and text extraction gives the exact strings.
"""

from __future__ import annotations

import ctypes
import io
import string
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from atlasflow.synth.errors import SynthError
from atlasflow.synth.render import Page

RENDER_DPI = 150  # pixels of a Page per inch
# Characters the renderers print; fonts are embedded cut down to these (1 MB -> ~60 kB per PDF).
_CHARSET = frozenset(string.printable + "\u20b9\u00a0")


@cache
def _font_bytes(path: str) -> bytes:
    """The TrueType file reduced to _CHARSET's glyphs, once per process."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.layout_features = []
    options.drop_tables += ["FFTM"]  # FontForge's timestamp table: fontTools cannot subset it, only warns
    font = TTFont(path, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(_CHARSET)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def write_digital_pdf(page: Page, path: Path) -> None:
    """Write `page` (rendered with vector_text=True) as a one-page PDF with a text layer."""
    if page.graphics is None:
        raise SynthError("page was not rendered with vector_text=True")
    k = 72.0 / RENDER_DPI
    width_pt, height_pt = page.width * k, page.height * k
    pdf = pdfium.PdfDocument.new()
    try:
        pdf_page = pdf.new_page(width_pt, height_pt)
        buf = io.BytesIO()
        page.graphics.save(buf, "JPEG", quality=92)
        buf.seek(0)
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(buf, inline=True)
        image.set_matrix(pdfium.PdfMatrix(width_pt, 0, 0, height_pt, 0, 0))
        pdf_page.insert_obj(image)
        fonts: dict[str, object] = {}
        keep_alive: list[object] = []  # pdfium reads these buffers until the document is saved
        for run in page.runs:
            font = fonts.get(run.font_path)
            if font is None:
                data = (
                    _font_bytes(run.font_path)
                    if set(_page_text(page, run.font_path)) <= _CHARSET
                    else Path(run.font_path).read_bytes()
                )
                cbuf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
                keep_alive.append(cbuf)
                font = pdfium_c.FPDFText_LoadFont(pdf, cbuf, len(data), pdfium_c.FPDF_FONT_TRUETYPE, True)
                if not font:
                    raise SynthError(f"pdfium could not load font {run.font_path}")
                fonts[run.font_path] = font
            obj = pdfium_c.FPDFPageObj_CreateTextObj(pdf, font, run.size * k)
            text = ctypes.create_string_buffer((run.text + "\x00").encode("utf-16-le"))
            keep_alive.append(text)
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(text, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            pdfium_c.FPDFPageObj_SetFillColor(obj, *run.fill, 255)
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, run.x * k, height_pt - run.baseline * k)
            pdfium_c.FPDFPage_InsertObject(pdf_page, obj)
        pdf_page.gen_content()
        pdf.save(str(path))
        for font in fonts.values():
            pdfium_c.FPDFFont_Close(font)
    finally:
        pdf.close()


def _page_text(page: Page, font_path: str) -> str:
    return "".join(r.text for r in page.runs if r.font_path == font_path)


def write_scanned_pdf(img: Image.Image, path: Path, *, quality: int) -> None:
    """An image-only PDF, as a scanning app makes: no text layer, JPEG inside."""
    img.convert("RGB").save(path, "PDF", resolution=RENDER_DPI, quality=quality)
