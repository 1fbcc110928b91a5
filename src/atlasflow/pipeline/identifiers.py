"""Indian identifiers and IMEIs: find, repair typical OCR confusions by position, validate.

A repair is kept only when it makes the identifier valid (checksum or format); otherwise the
text as read is returned unvalidated, and the confidence model sees `valid=False`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import imei as std_imei
from stdnum import luhn
from stdnum.in_ import aadhaar as std_aadhaar
from stdnum.in_ import gstin as std_gstin
from stdnum.in_ import pan as std_pan

# What OCR confuses, by the class a position must hold.
_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1",
                           "L": "1", "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6",
                           "T": "7", "g": "9", "q": "9", "A": "4"})
_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"})


@dataclass(frozen=True, slots=True)
class IdMatch:
    value: str
    start: int  # span in the searched text
    end: int
    valid: bool
    repaired: bool


def _repair(raw: str, pattern: str) -> str:
    """Coerce each character to the class its position requires: 'D' digit, 'L' letter, 'A' either."""
    out = []
    for ch, cls in zip(raw, pattern, strict=True):
        if cls == "D":
            out.append(ch.translate(_TO_DIGIT))
        elif cls == "L":
            out.append(ch.upper().translate(_TO_LETTER))
        else:
            out.append(ch.upper())
    return "".join(out)


_LOOKALIKE = {"0": "O", "O": "0", "1": "I", "I": "1", "5": "S", "S": "5", "8": "B", "B": "8", "2": "Z", "Z": "2",
              "6": "G", "G": "6"}


def _resolve_either(value: str, *, positions: tuple[int, ...], is_valid: Callable[[str], bool]) -> str:
    """At positions that may hold a letter or a digit, try the look-alike of what OCR read; keep the
    change only when exactly one variant makes the check character valid."""
    valid = []
    for pos in positions:
        alt = _LOOKALIKE.get(value[pos])
        if alt:
            candidate = value[:pos] + alt + value[pos + 1 :]
            if is_valid(candidate):
                valid.append(candidate)
    return valid[0] if len(valid) == 1 else value


# --- GSTIN: 2 digits state, PAN (5L 4D 1L), entity (alnum), 'Z', check (alnum)
_GSTIN_SHAPE = "DDLLLLLDDDDLAZA"
_GSTIN_RE = re.compile(r"(?<![A-Za-z0-9])([0-9A-Za-z|]{2}[ ]?[0-9A-Za-z|]{13})(?![A-Za-z0-9])")


def gstin_is_valid(value: str) -> bool:
    return bool(std_gstin.is_valid(value))


def find_gstins(text: str) -> list[IdMatch]:
    found: list[IdMatch] = []
    for m in _GSTIN_RE.finditer(text):
        raw = m.group(1).replace(" ", "").upper()
        if len(raw) != 15:
            continue
        if gstin_is_valid(raw):
            found.append(IdMatch(raw, m.start(1), m.end(1), True, False))
            continue
        fixed = _repair(raw, _GSTIN_SHAPE.replace("Z", "A"))
        fixed = fixed[:13] + "Z" + fixed[14:] if fixed[13] in "Z2" else fixed
        if not gstin_is_valid(fixed):
            fixed = _resolve_either(fixed, positions=(12, 14), is_valid=gstin_is_valid)
        if gstin_is_valid(fixed):
            found.append(IdMatch(fixed, m.start(1), m.end(1), True, True))
        elif re.fullmatch(r"\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]", fixed):
            found.append(IdMatch(fixed, m.start(1), m.end(1), False, fixed != raw))
    return found


# --- PAN: 5 letters, 4 digits, 1 letter; the 4th letter is the holder's entity type
_PAN_RE = re.compile(r"(?<![A-Za-z0-9])([0-9A-Za-z|]{10})(?![A-Za-z0-9])")


def pan_is_valid(value: str) -> bool:
    return bool(std_pan.is_valid(value))


def find_pans(text: str) -> list[IdMatch]:
    found: list[IdMatch] = []
    for m in _PAN_RE.finditer(text):
        raw = m.group(1).upper()
        if not (sum(c.isdigit() for c in raw) >= 2 and sum(c.isalpha() for c in raw) >= 4):
            continue
        if pan_is_valid(raw):
            found.append(IdMatch(raw, m.start(1), m.end(1), True, False))
            continue
        fixed = _repair(m.group(1), "LLLLLDDDDL")
        if pan_is_valid(fixed):
            found.append(IdMatch(fixed, m.start(1), m.end(1), True, True))
    return found


# --- Aadhaar: 12 digits, Verhoeff; printed "1234 5678 9012"
_AADHAAR_RE = re.compile(r"(?<![0-9A-Za-z])([0-9OoIlSB|]{4}[ \-]?[0-9OoIlSB|]{4}[ \-]?[0-9OoIlSB|]{4})(?![0-9A-Za-z])")


def aadhaar_is_valid(value: str) -> bool:
    return bool(std_aadhaar.is_valid(value))


def mask_aadhaar(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return f"**** **** {digits[-4:]}"


def find_aadhaars(text: str) -> list[IdMatch]:
    """Aadhaar numbers in text, returned MASKED; the full number never leaves this function."""
    found: list[IdMatch] = []
    for m in _AADHAAR_RE.finditer(text):
        raw = re.sub(r"[ \-]", "", m.group(1))
        fixed = raw.translate(_TO_DIGIT)
        if not fixed.isdigit():
            continue
        valid = aadhaar_is_valid(fixed)
        found.append(IdMatch(mask_aadhaar(fixed), m.start(1), m.end(1), valid, fixed != raw))
    # Already-masked prints ("XXXX XXXX 1234") carry only the last four digits.
    for m in re.finditer(r"(?:[Xx*]{4}[ \-]?){2}(\d{4})(?!\d)", text):
        found.append(IdMatch(f"**** **** {m.group(1)}", m.start(), m.end(), False, False))
    return found


# --- IMEI: 15 digits, Luhn
_IMEI_RE = re.compile(r"(?<![0-9A-Za-z])([0-9OoIlSB|][0-9OoIlSB| ]{13,18}[0-9OoIlSB|])(?![0-9A-Za-z])")


def imei_is_valid(value: str) -> bool:
    return len(value) == 15 and value.isdigit() and bool(std_imei.is_valid(value))


def find_imeis(text: str) -> list[IdMatch]:
    found: list[IdMatch] = []
    for m in _IMEI_RE.finditer(text):
        raw = m.group(1).replace(" ", "")
        if len(raw) != 15:
            continue
        fixed = raw.translate(_TO_DIGIT)
        if not fixed.isdigit():
            continue
        valid = luhn.is_valid(fixed)
        found.append(IdMatch(fixed, m.start(1), m.end(1), valid, fixed != raw))
    return found
