"""Identifiers (IMEI lists, GSTIN, PAN, document numbers, PIN, masked Aadhaar) and dates:
exact after normalisation, with OCR glyph swaps undone where the format says which is meant."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rapidfuzz import fuzz

_TO_DIGIT = str.maketrans({"O": "0", "D": "0", "Q": "0", "I": "1", "L": "1", "|": "1", "S": "5", "B": "8", "Z": "2", "G": "6", "T": "7"})  # fmt: skip
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G", "7": "T"})


def _alnum_upper(value: Any) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(value).upper())


def _fold_by_pattern(text: str, pattern: str) -> str:
    """Undo glyph swaps position by position: 'D' where the format wants a digit, 'L' a letter."""
    if len(text) != len(pattern):
        return text
    out = []
    for char, kind in zip(text, pattern, strict=True):
        if kind == "9":
            out.append(char.translate(_TO_DIGIT))
        elif kind == "A":
            out.append(char.translate(_TO_LETTER))
        else:
            out.append(char)
    return "".join(out)


_GST_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOOKALIKES = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
    "2": "Z",
    "Z": "2",
}


def gstin_check_character(body: str) -> str:
    """The GSTIN check character of its first 14 characters (mod-36 Luhn)."""
    total = 0
    for i, char in enumerate(body):
        value = _GST_CHARS.index(char) * (2 if i % 2 else 1)
        total += value // 36 + value % 36
    return _GST_CHARS[(36 - total % 36) % 36]


def normalise_gstin(value: Any) -> str:
    """GSTIN with glyph swaps undone: by position where the format fixes digit or letter
    (state code, PAN, entity number, the Z), by the check character where it does not."""
    text = _fold_by_pattern(_alnum_upper(value), "99AAAAA9999A9A*")
    if len(text) != 15 or any(c not in _GST_CHARS for c in text):
        return text
    if gstin_check_character(text[:14]) != text[14]:
        swapped = _LOOKALIKES.get(text[14])
        if swapped and gstin_check_character(text[:14]) == swapped:
            text = text[:14] + swapped
    return text


def normalise_pan(value: Any) -> str:
    return _fold_by_pattern(_alnum_upper(value), "AAAAA9999A")


_GLYPH_BLIND = str.maketrans({"O": "0", "I": "1", "S": "5", "B": "8", "Z": "2"})


def _glyph_blind(text: str) -> str:
    return text.translate(_GLYPH_BLIND)


def score_gstin(a: Any, b: Any) -> int:
    left, right = normalise_gstin(a), normalise_gstin(b)
    if not left or not right:
        return 0
    if left == right:
        return 100
    if _glyph_blind(left) == _glyph_blind(right):
        return 90  # differ only where the check character could not tell which glyph was meant
    # Same PAN inside, another state or registration: the same business, not the same GSTIN.
    if len(left) == len(right) == 15 and left[2:12] == right[2:12]:
        return 40
    return 0


def score_pan(a: Any, b: Any) -> int:
    left, right = normalise_pan(a), normalise_pan(b)
    if not left or not right:
        return 0
    return 100 if left == right else 0


_IMEI_LABEL = re.compile(r"(?i)\b(?:imei|sl|sr|serial)\s*(?:no|number)?\.?\s*(?:\d(?!\d))?\s*[:#.\-]?")


def _imei_items(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple | set) else re.split(r"[,;/\s]+(?=\S{10,})", str(value))
    out: list[str] = []
    for item in items:
        # "IMEI1: 3569..." -- the label and its slot number are not part of the identity.
        digits = re.sub(r"\D", "", _IMEI_LABEL.sub(" ", str(item)).upper().translate(_TO_DIGIT))
        if len(digits) >= 14 and digits not in out:
            out.append(digits)
    return out


def _same_device(a: str, b: str) -> bool:
    # Two IMEIs match exactly; an IMEISV (16 digits) or a bare 14-digit body names the same
    # device as an IMEI with the same first 14 digits.
    if len(a) == len(b) == 15:
        return a == b
    return a[:14] == b[:14]


def score_imei(a: Any, b: Any) -> int:
    """Set overlap of device identities; one list holding only some of a dual-SIM phone's
    IMEIs still names the same device."""
    left, right = _imei_items(a), _imei_items(b)
    if not left or not right:
        return 0
    matched_left = {x for x in left if any(_same_device(x, y) for y in right)}
    matched_right = {y for y in right if any(_same_device(x, y) for x in left)}
    if not matched_left:
        return 0
    if len(matched_left) == len(left) and len(matched_right) == len(right):
        return 100
    if len(matched_left) == len(left) or len(matched_right) == len(right):
        return 95
    return round(60 * len(matched_left) / (len(left) + len(right) - len(matched_left)))


def score_ident(a: Any, b: Any) -> int:
    """Document numbers (invoice no, DO no): equal after folding look-alike glyphs, else low."""
    left, right = _alnum_upper(a).translate(_TO_DIGIT), _alnum_upper(b).translate(_TO_DIGIT)
    if not left or not right:
        return 0
    if left == right:
        return 100
    return round(0.45 * fuzz.ratio(left, right))


def score_exact(a: Any, b: Any) -> int:
    """Small closed values (yes/no, gender, counts, PIN codes, masked Aadhaar): equal or not."""
    left, right = _alnum_upper(a), _alnum_upper(b)
    if not left or not right:
        return 0
    return 100 if left == right else 0


def score_aadhaar(a: Any, b: Any) -> int:
    left, right = re.sub(r"\D", "", str(a))[-4:], re.sub(r"\D", "", str(b))[-4:]
    if len(left) < 4 or len(right) < 4:
        return 0
    return 100 if left == right else 0


_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}  # fmt: skip


def parse_date(value: Any) -> date | None:
    """DD-MM-YYYY (SPEC), DD/MM/YY, YYYY-MM-DD, 23 Oct 2025, Oct 23, 2025."""
    text = str(value).strip().lower()
    try:
        if m := re.search(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.search(r"(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})\b", text):
            year = int(m[3]) if len(m[3]) == 4 else 2000 + int(m[3]) if int(m[3]) < 70 else 1900 + int(m[3])
            return date(year, int(m[2]), int(m[1]))
        if m := re.search(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.,]*([a-z]{3})[a-z]*\.?[\s\-/.,]*(\d{4})", text):
            return date(int(m[3]), _MONTHS[m[2]], int(m[1]))
        if m := re.search(r"([a-z]{3})[a-z]*\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})", text):
            return date(int(m[3]), _MONTHS[m[1]], int(m[2]))
    except (KeyError, ValueError):
        return None
    return None


def score_date(a: Any, b: Any) -> int:
    left, right = parse_date(a), parse_date(b)
    if left is None or right is None:
        return score_ident(a, b) if str(a).strip() and str(b).strip() else 0
    if left == right:
        return 100
    if (left.day, left.month) == (right.month, right.day) and left.year == right.year:
        return 40  # day and month swapped: one of the two documents wrote it US-style
    return max(0, 30 - abs((left - right).days))
