"""Decode stage: the bytes of one uploaded file become RGB pages (plus a PDF's text layer), or a DocumentError.

Every rejection is decided from cheap facts first (byte length, magic bytes, header dimensions, page
count) so that hostile or broken files cost milliseconds and bounded memory, never a full decode.
The type is sniffed from the bytes, never from a file name or a declared content type.

pdfium is not thread-safe: call `decode_document` from one thread per process (the workers do).
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps

from atlasflow.domain.types import ErrorCode, OcrLine
from atlasflow.errors import DocumentError

__all__ = [
    "DecodedDocument",
    "DecodedPage",
    "Limits",
    "MediaType",
    "decode_document",
    "sniff_media_type",
]

_log = logging.getLogger(__name__)

_MIB = 1024 * 1024
PDF_DPI = 150
MIN_SIDE = 64
"""Pages whose short side is below this many pixels cannot carry readable text."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps applied before any pixel is decoded."""

    max_bytes: int = 20 * _MIB  # FILE_TOO_LARGE above
    max_pixels: int = 60_000_000  # decompression-bomb cap per page -> FILE_TOO_LARGE
    max_pages: int = 10  # PDFs / multi-page TIFFs with more pages -> FILE_TOO_LARGE
    max_side: int = 2200  # larger images are downscaled (keep aspect)


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """One page, ready for OCR.

    `text_lines` is None for image files; for PDF pages it is the page's text layer as lines
    (boxes relative 0-1 to `image`, score 1.0), empty when the page has no extractable text.
    `image_cover` is the fraction of the page covered by embedded raster images (1.0 for image
    files): a scan with a few words of watermark text is still a scan and needs OCR.
    """

    number: int  # 1-based
    image: np.ndarray  # RGB uint8 (H, W, 3), EXIF orientation applied, long side <= Limits.max_side
    text_lines: tuple[OcrLine, ...] | None
    image_cover: float = 1.0


class MediaType(StrEnum):
    """The media types we sniff; being str, they compare equal to the plain strings."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    TIFF = "image/tiff"
    BMP = "image/bmp"
    GIF = "image/gif"
    PDF = "application/pdf"


@dataclass(frozen=True, slots=True)
class DecodedDocument:
    media_type: str  # one of MediaType
    pages: tuple[DecodedPage, ...]


# --------------------------------------------------------------------------------------------- sniffing

# Known BITMAPINFOHEADER sizes: "BM" alone is too weak a signature (plenty of text starts with it).
_BMP_DIB_SIZES = {12, 40, 52, 56, 64, 108, 124}
# The PDF header may legally follow some junk; pdfium accepts it within the first KiB.
_PDF_HEADER_WINDOW = 1024


def sniff_media_type(data: bytes) -> str | None:
    """The media type given by the file's magic bytes, or None when it is not one we decode."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType.PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MediaType.WEBP
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return MediaType.TIFF
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return MediaType.GIF
    if head[:2] == b"BM" and len(data) >= 18 and int.from_bytes(data[14:18], "little") in _BMP_DIB_SIZES:
        return MediaType.BMP
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return MediaType.PDF
    return None


_HTML_RE = re.compile(rb"<\s*(!doctype\s+html|html|head|body|title|meta|script|div|p|h1)\b", re.IGNORECASE)


def _describe_unknown(data: bytes) -> str:
    """A reason an operator can act on, for bytes that are not a supported image or PDF."""
    head = data[:2048]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if _HTML_RE.search(head):
        return (
            "file looks like an HTML web page, not an image or PDF "
            "(often the error page of an expired or wrong download link)"
        )
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<error"):
        if b"<svg" in stripped:
            return "SVG drawings are not supported; send a JPEG, PNG or PDF"
        return (
            "file looks like an XML text response, not an image or PDF "
            "(often the error reply of an expired or wrong download link)"
        )
    if stripped.startswith(b"<svg"):
        return "SVG drawings are not supported; send a JPEG, PNG or PDF"
    if stripped[:1] in (b"{", b"["):
        return "file looks like JSON text, not an image or PDF (often an error reply from the download link)"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"):
            return "HEIC/AVIF photos are not supported; send the photo as JPEG or PNG"
        return "file looks like a video, not an image or PDF"
    if head.startswith(b"PK\x03\x04"):
        return "file is a ZIP archive or Office document, not an image or PDF"
    if _looks_like_text(head):
        return "file looks like plain text, not an image or PDF"
    return "not a supported image or PDF (JPEG, PNG, WebP, TIFF, BMP, GIF or PDF)"


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the window is still text.
        try:
            text = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return False
    if not text:
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable / len(text) > 0.95


# --------------------------------------------------------------------------------------------- entry


def decode_document(data: bytes, *, limits: Limits = Limits()) -> DecodedDocument:
    """Decode one uploaded file into pages, or raise DocumentError with a SPEC error code."""
    if not data:
        raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, "empty file")
    if len(data) > limits.max_bytes:
        raise DocumentError(
            ErrorCode.FILE_TOO_LARGE,
            f"file is {len(data) / _MIB:.1f} MiB; at most {_format_mib(limits.max_bytes)} MiB",
        )
    media_type = sniff_media_type(data)
    if media_type is None:
        raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, _describe_unknown(data))
    try:
        if media_type == MediaType.PDF:
            pages = _decode_pdf(data, limits)
        else:
            pages = _decode_image(data, media_type, limits)
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError(
            ErrorCode.FILE_TOO_LARGE, "file needs more memory to decode than allowed"
        ) from None
    except Exception:
        # The reason goes to a lender's operator: no stack trace there; the log keeps the detail.
        _log.exception("decode failed unexpectedly", extra={"media_type": media_type, "size": len(data)})
        raise DocumentError(ErrorCode.PROCESSING_FAILED, "the file could not be processed") from None
    return DecodedDocument(media_type=media_type, pages=tuple(pages))


def _format_mib(n: int) -> str:
    mib = n / _MIB
    return f"{mib:.0f}" if mib == int(mib) else f"{mib:.1f}"


def _check_dimensions(width: int, height: int, limits: Limits, *, page: int | None = None) -> None:
    where = "" if page is None else f"page {page}: "
    if width * height > limits.max_pixels:
        raise DocumentError(
            ErrorCode.FILE_TOO_LARGE,
            f"{where}image is {width}×{height} pixels; at most {_format_megapixels(limits.max_pixels)} megapixels",
        )
    if min(width, height) < MIN_SIDE:
        raise DocumentError(
            ErrorCode.INVALID_DOC, f"{where}image is too small to read ({width}×{height} pixels)"
        )


def _format_megapixels(n: int) -> str:
    mp = n / 1_000_000
    return f"{mp:.0f}" if mp == int(mp) else f"{mp:.1f}"


def _downscale(image: np.ndarray, max_side: int) -> np.ndarray:
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


# --------------------------------------------------------------------------------------------- images

_PIL_FORMAT = {
    MediaType.JPEG: "JPEG",
    MediaType.PNG: "PNG",
    MediaType.WEBP: "WEBP",
    MediaType.TIFF: "TIFF",
    MediaType.BMP: "BMP",
    MediaType.GIF: "GIF",
}
# Formats where several frames mean an animation, not a multi-page document.
_ANIMATED_FORMATS = {MediaType.GIF, MediaType.PNG, MediaType.WEBP}
_CORRUPT = "image data is truncated or corrupt"
# What Pillow raises on data it cannot parse or decode (it has no single base class for them).
_PIL_DATA_ERRORS = (OSError, SyntaxError, EOFError, ValueError, IndexError, TypeError, KeyError)


def _open_pil(data: bytes, media_type: str) -> Image.ImageFile.ImageFile:
    """Parse only the header, through the plugin of the sniffed format.

    Calling the plugin factory directly (not `Image.open`) skips Pillow's own bomb check, which
    warns or raises with its own wording before we can see the size; ours runs right after.
    """
    fmt = _PIL_FORMAT[media_type]
    if fmt not in Image.OPEN:
        Image.init()
    factory, _accept = Image.OPEN[fmt]
    try:
        return factory(io.BytesIO(data), "")
    except _PIL_DATA_ERRORS:
        raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, _CORRUPT) from None


def _decode_image(data: bytes, media_type: str, limits: Limits) -> list[DecodedPage]:
    # Bombs can still surface inside Pillow past the header (GIF frame extents, TIFF tiles):
    # make its warning an error here so it becomes our FILE_TOO_LARGE instead of leaking.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode_image_frames(data, media_type, limits)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise DocumentError(
                ErrorCode.FILE_TOO_LARGE,
                f"image is too large to decode safely; at most {_format_megapixels(limits.max_pixels)} megapixels",
            ) from None


def _decode_image_frames(data: bytes, media_type: str, limits: Limits) -> list[DecodedPage]:
    im = _open_pil(data, media_type)
    _check_dimensions(*im.size, limits)
    try:
        frames = int(getattr(im, "n_frames", 1)) if media_type == MediaType.TIFF else 1
        animated = media_type in _ANIMATED_FORMATS and bool(getattr(im, "is_animated", False))
    except _PIL_DATA_ERRORS:
        raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, _CORRUPT) from None
    if animated:
        raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, "animated images are not supported")
    if frames > limits.max_pages:
        raise DocumentError(ErrorCode.FILE_TOO_LARGE, f"TIFF has {frames} pages; at most {limits.max_pages}")
    pages = []
    for index in range(frames):
        number = index + 1
        where = None if frames == 1 else number
        try:
            if index:
                im.seek(index)
                _check_dimensions(*im.size, limits, page=where)
            image = _frame_to_rgb(im, limits.max_side)
        except DocumentError:
            raise
        except _PIL_DATA_ERRORS:
            reason = _CORRUPT if where is None else f"page {where}: {_CORRUPT}"
            raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, reason) from None
        pages.append(DecodedPage(number=number, image=image, text_lines=None, image_cover=1.0))
    return pages


def _frame_to_rgb(im: Image.Image, max_side: int) -> np.ndarray:
    if im.format == "JPEG" and max(im.size) > max_side:
        # libjpeg can decode at 1/2, 1/4, 1/8 scale: far less memory and time for camera photos.
        ratio = max_side / max(im.size)
        im.draft("RGB", (max(1, int(im.size[0] * ratio)), max(1, int(im.size[1] * ratio))))
    im.load()
    try:
        upright = ImageOps.exif_transpose(im)
    except _PIL_DATA_ERRORS:
        # A damaged EXIF block should not cost the whole document: keep the stored orientation.
        upright = im
    rgb = _to_rgb_array(upright if upright is not None else im)
    return np.ascontiguousarray(_downscale(rgb, max_side))


def _to_rgb_array(im: Image.Image) -> np.ndarray:
    mode = im.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in im.info):
        # Transparent pixels are usually stored black: flatten onto white paper, not onto black.
        rgba = im.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(paper, rgba).convert("RGB"))
    if mode in ("I", "F") or mode.startswith("I;16"):
        # 16-bit scans and float TIFFs: Pillow's convert("RGB") clips them instead of scaling.
        arr = np.asarray(im).astype(np.float32)
        hi = float(arr.max()) if arr.size else 0.0
        if mode == "F" and hi <= 1.0:
            arr = arr * 255.0
        elif hi > 255.0:
            arr = arr * (255.0 / (65535.0 if hi <= 65535.0 else hi))
        gray = np.clip(arr, 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im)


# --------------------------------------------------------------------------------------------- PDF


def _decode_pdf(data: bytes, limits: Limits) -> list[DecodedPage]:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, "PDF is password-protected") from None
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise DocumentError(
                ErrorCode.UNSUPPORTED_FORMAT, "PDF is encrypted with an unsupported security scheme"
            ) from None
        raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, "PDF is damaged and cannot be read") from None
    try:
        count = len(pdf)
        if count == 0:
            raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, "PDF has no pages")
        if count > limits.max_pages:
            raise DocumentError(
                ErrorCode.FILE_TOO_LARGE, f"PDF has {count} pages; at most {limits.max_pages}"
            )
        # Filled-in form fields are only drawn when the form environment exists before pages load.
        pdf.init_forms()
        return [_decode_pdf_page(pdf, index, limits) for index in range(count)]
    finally:
        pdf.close()


def _decode_pdf_page(pdf: pdfium.PdfDocument, index: int, limits: Limits) -> DecodedPage:
    number = index + 1
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        raise DocumentError(
            ErrorCode.UNSUPPORTED_FORMAT, f"PDF page {number} is damaged and cannot be read"
        ) from None
    try:
        width_pt, height_pt = page.get_size()
        if not (width_pt > 0 and height_pt > 0):
            raise DocumentError(ErrorCode.UNSUPPORTED_FORMAT, f"PDF page {number} has no size")
        # Render straight at the final size: a poster-sized page never allocates a huge bitmap.
        scale = min(PDF_DPI / 72, limits.max_side / max(width_pt, height_pt))
        out_w, out_h = round(width_pt * scale), round(height_pt * scale)
        if min(out_w, out_h) < MIN_SIDE:
            raise DocumentError(
                ErrorCode.INVALID_DOC,
                f"PDF page {number} is too small to read ({out_w}×{out_h} pixels at {PDF_DPI} dpi)",
            )
        bitmap = page.render(
            scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255), draw_annots=True
        )
        image = np.array(bitmap.to_numpy()[:, :, :3], dtype=np.uint8, copy=True)
        text_lines = _text_layer(page, bitmap, number)
        cover = _image_cover(page, width_pt, height_pt)
        bitmap.close()
    except pdfium.PdfiumError:
        raise DocumentError(
            ErrorCode.UNSUPPORTED_FORMAT, f"PDF page {number} is damaged and cannot be read"
        ) from None
    finally:
        page.close()
    return DecodedPage(number=number, image=image, text_lines=text_lines, image_cover=cover)


def _image_cover(page: pdfium.PdfPage, width_pt: float, height_pt: float) -> float:
    area = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        area += max(0.0, right - left) * max(0.0, top - bottom)
    # Page rotation swaps width and height but not the area.
    return min(1.0, area / (width_pt * height_pt))


# Characters pdfium yields for glyphs it cannot map to Unicode, and other non-text.
_JUNK_CHARS = {"\ufffe", "\uffff", "\ufffd", "\x00"}


@dataclass(slots=True)
class _LineBuilder:
    chars: list[str]
    left: float
    bottom: float
    right: float
    top: float

    def add(self, ch: str, box: tuple[float, float, float, float] | None) -> None:
        self.chars.append(ch)
        if box is not None:
            self.left = min(self.left, box[0])
            self.bottom = min(self.bottom, box[1])
            self.right = max(self.right, box[2])
            self.top = max(self.top, box[3])

    @property
    def height(self) -> float:
        return self.top - self.bottom


def _text_layer(page: pdfium.PdfPage, bitmap: pdfium.PdfBitmap, number: int) -> tuple[OcrLine, ...]:
    """The page's text as lines, from pdfium's character boxes.

    pdfium already orders characters in reading order and inserts line breaks; we also break a
    line at a wide horizontal gap (table columns), because OCR engines see separate boxes there
    and later stages pair labels with values by geometry.
    """
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        lines: list[_LineBuilder] = []
        current: _LineBuilder | None = None

        def flush() -> None:
            nonlocal current
            if current is not None and "".join(current.chars).strip():
                lines.append(current)
            current = None

        for i in range(textpage.count_chars()):
            ch = chr(pdfium_c.FPDFText_GetUnicode(raw, i))
            if ch in "\r\n" or ch in "\x02\x03":  # line breaks (and pdfium's soft hyphen markers)
                flush()
                continue
            if ch in _JUNK_CHARS or pdfium_c.FPDFText_HasUnicodeMapError(raw, i) == 1:
                continue
            if ch.isspace():
                if current is not None:
                    current.add(" ", None)
                continue
            if not ch.isprintable():
                continue
            box = textpage.get_charbox(i)
            if current is not None and current.chars and _breaks_line(current, box):
                flush()
            if current is None:
                current = _LineBuilder([], box[0], box[1], box[2], box[3])
            current.add(ch, box)
        flush()
        posconv = bitmap.get_posconv(page)
        width, height = bitmap.width, bitmap.height
        out = []
        for line in lines:
            text = " ".join("".join(line.chars).split())
            corners = [
                posconv.to_bitmap(x, y) for x in (line.left, line.right) for y in (line.bottom, line.top)
            ]
            xs = [c[0] for c in corners]
            ys = [c[1] for c in corners]
            box = (
                _clip01(min(xs) / width),
                _clip01(min(ys) / height),
                _clip01(max(xs) / width),
                _clip01(max(ys) / height),
            )
            out.append(OcrLine(text=text, score=1.0, box=box, page=number))
        out.sort(key=lambda ln: (round(ln.cy, 3), ln.box[0]))
        return tuple(out)
    finally:
        textpage.close()


def _breaks_line(line: _LineBuilder, box: tuple[float, float, float, float]) -> bool:
    left, bottom, right, top = box
    h = max(line.height, top - bottom, 1e-6)
    centre = (bottom + top) / 2
    if not (line.bottom - 0.25 * h <= centre <= line.top + 0.25 * h):
        return True  # another baseline without an explicit break
    gap = left - line.right
    return gap > 1.0 * h or gap < -2.0 * h  # a table cell or far column, or a jump back to the left


def _clip01(v: float) -> float:
    return 0.0 if v < 0.0 else 1.0 if v > 1.0 else v
