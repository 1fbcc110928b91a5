"""Every bad upload gets a clear error code and a reason an operator can act on, quickly and cheaply.

Hostile files are built here at run time and kept small: a decompression bomb is a PNG whose header
declares 30000×30000 pixels over a few bytes of data, not 900 megapixels on disk.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from atlasflow.domain.types import ErrorCode
from atlasflow.errors import AtlasError, DocumentError
from atlasflow.pipeline import decode as decode_module
from atlasflow.pipeline.decode import decode_document

# A hang here would stall a worker: each case must finish in seconds, not minutes.
pytestmark = pytest.mark.timeout(30)


def _error(data: bytes, **kwargs: object) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        decode_document(data, **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, AtlasError)
    return info.value


def _jpeg(width: int = 640, height: int = 480) -> bytes:
    rng = np.random.default_rng(7)  # noise does not compress: the file is long enough to cut
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG header announcing width×height RGB pixels, followed by a tiny zlib stream."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


# ------------------------------------------------------------------------------------------ cases


def test_empty_file() -> None:
    err = _error(b"")
    assert (err.error_code, err.reason) == (ErrorCode.UNSUPPORTED_FORMAT, "empty file")


def test_truncated_jpeg() -> None:
    data = _jpeg()
    err = _error(data[: len(data) // 2])
    assert (err.error_code, err.reason) == (
        ErrorCode.UNSUPPORTED_FORMAT,
        "image data is truncated or corrupt",
    )


def test_jpeg_with_a_corrupt_header() -> None:
    data = bytearray(_jpeg())
    data[4:400] = b"\x00" * 396  # keep the JPEG signature, wipe the headers after it
    err = _error(bytes(data))
    assert (err.error_code, err.reason) == (
        ErrorCode.UNSUPPORTED_FORMAT,
        "image data is truncated or corrupt",
    )


def test_random_bytes() -> None:
    data = np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    err = _error(data)
    assert err.error_code == ErrorCode.UNSUPPORTED_FORMAT
    assert err.reason.startswith("not a supported image or PDF")


def test_html_error_page_saved_as_jpg(tmp_path) -> None:
    path = tmp_path / "invoice.jpg"
    path.write_text(
        "<!DOCTYPE html>\n<html><head><title>Link expired</title></head>"
        "<body><h1>This link has expired</h1></body></html>\n"
    )
    err = _error(path.read_bytes())
    assert err.error_code == ErrorCode.UNSUPPORTED_FORMAT
    assert "HTML" in err.reason and "expired" in err.reason


def test_storage_error_reply_instead_of_a_file() -> None:
    # What an expired pre-signed object-store link returns.
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
    err = _error(data)
    assert err.error_code == ErrorCode.UNSUPPORTED_FORMAT
    assert "XML" in err.reason and "download link" in err.reason


def test_iphone_heic_photo_is_named() -> None:
    data = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)
    err = _error(data)
    assert err.error_code == ErrorCode.UNSUPPORTED_FORMAT
    assert "HEIC" in err.reason


@pytest.mark.filterwarnings("error")  # a Pillow DecompressionBombWarning must not leak either
@pytest.mark.parametrize("side", [30000, 10000, 200000])  # ours, Pillow's warning zone, Pillow's error zone
def test_decompression_bomb_png(side: int) -> None:
    data = _png_declaring(side, side)
    assert len(data) < 200
    err = _error(data)
    assert (err.error_code, err.reason) == (
        ErrorCode.FILE_TOO_LARGE,
        f"image is {side}×{side} pixels; at most 60 megapixels",
    )


def test_jpeg_declaring_huge_dimensions() -> None:
    data = bytearray(_jpeg(64, 64))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 40000, 40000)  # height, width in the frame header
    err = _error(bytes(data))
    assert (err.error_code, err.reason) == (
        ErrorCode.FILE_TOO_LARGE,
        "image is 40000×40000 pixels; at most 60 megapixels",
    )


def test_pdf_with_500_pages() -> None:
    pdf = pdfium.PdfDocument.new()
    for _ in range(500):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    err = _error(buf.getvalue())
    assert (err.error_code, err.reason) == (ErrorCode.FILE_TOO_LARGE, "PDF has 500 pages; at most 10")


def test_tiff_with_too_many_pages() -> None:
    frames = [Image.new("L", (80, 80), 255) for _ in range(11)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    err = _error(buf.getvalue())
    assert (err.error_code, err.reason) == (ErrorCode.FILE_TOO_LARGE, "TIFF has 11 pages; at most 10")


def test_password_protected_pdf() -> None:
    data = _encrypted_pdf(user_password=b"4332", owner_password=b"dealer")
    # The file is a real encrypted PDF: it opens, and shows its text, with the password.
    with_password = pdfium.PdfDocument(data, password="4332")
    assert with_password[0].get_textpage().get_text_range() == "Loan statement"
    with_password.close()
    err = _error(data)
    assert (err.error_code, err.reason) == (ErrorCode.UNSUPPORTED_FORMAT, "PDF is password-protected")


def test_animated_gif() -> None:
    frames = []
    for i in range(3):
        frame = Image.new("RGB", (120, 120), "white")
        ImageDraw.Draw(frame).rectangle([i * 30, 10, i * 30 + 30, 40], fill="black")
        frames.append(frame)
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    err = _error(buf.getvalue())
    assert (err.error_code, err.reason) == (ErrorCode.UNSUPPORTED_FORMAT, "animated images are not supported")


def test_one_pixel_image() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buf, "PNG")
    err = _error(buf.getvalue())
    assert (err.error_code, err.reason) == (ErrorCode.INVALID_DOC, "image is too small to read (1×1 pixels)")


def test_100_mib_file_is_refused_by_size_alone() -> None:
    # A valid JPEG padded to 100 MiB: refused for its length before anything looks inside.
    head = _jpeg(64, 64)
    data = head + bytes(100 * 1024 * 1024 - len(head))
    err = _error(data)
    assert (err.error_code, err.reason) == (ErrorCode.FILE_TOO_LARGE, "file is 100.0 MiB; at most 20 MiB")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + np.random.default_rng(5).integers(0, 256, 3000, dtype=np.uint8).tobytes(),
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",  # cut off after one object
    ],
    ids=["garbage-after-header", "truncated"],
)
def test_corrupt_pdf(data: bytes) -> None:
    err = _error(data)
    assert err.error_code == ErrorCode.UNSUPPORTED_FORMAT
    assert "PDF" in err.reason


def test_unexpected_failure_becomes_processing_failed_without_details(monkeypatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("internal detail /var/lib/atlas/blob/3f2a")

    monkeypatch.setattr(decode_module, "_to_rgb_array", explode)
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buf, "PNG")
    err = _error(buf.getvalue())
    assert err.error_code == ErrorCode.PROCESSING_FAILED
    assert err.reason == "the file could not be processed"
    assert err.__cause__ is None and err.__suppress_context__


# ------------------------------------------------------------------------------------------ encrypted PDF

# Standard security handler, revision 2 (RC4, 40-bit key): PDF 1.7 (ISO 32000-1) §7.6.3, algorithms 2-4.
_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _encrypted_pdf(*, user_password: bytes, owner_password: bytes) -> bytes:
    file_id = hashlib.md5(b"atlasflow encrypted fixture").digest()
    permissions = -44  # print and copy denied; the value is only mixed into the key here
    padded_user = (user_password + _PASSWORD_PAD)[:32]
    owner_key = hashlib.md5((owner_password + _PASSWORD_PAD)[:32]).digest()[:5]
    o_entry = _rc4(owner_key, padded_user)
    key = hashlib.md5(
        padded_user + o_entry + permissions.to_bytes(4, "little", signed=True) + file_id
    ).digest()[:5]
    u_entry = _rc4(key, _PASSWORD_PAD)
    content = b"BT /F1 24 Tf 72 700 Td (Loan statement) Tj ET"
    content_obj = 5
    object_key = hashlib.md5(key + content_obj.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
    sealed = _rc4(object_key, content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(sealed), sealed),
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (o_entry.hex().encode(), u_entry.hex().encode(), permissions),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    ident = file_id.hex().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 6 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        ident,
        ident,
        xref,
    )
    return bytes(out)
