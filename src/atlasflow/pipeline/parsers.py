"""Typed parsers: turn the text near a label into a SPEC-formatted value.

Each parser takes free text and returns a `Parsed` (value, span, validity) or None; they are
tolerant of what billing software and OCR produce (₹/Rs./INR, Indian digit grouping, any
common date style), and strict about what they return (SPEC §3 value formats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from atlasflow.domain.types import Kind
from atlasflow.pipeline import identifiers as ids


@dataclass(frozen=True, slots=True)
class Parsed:
    value: Any
    start: int = 0
    end: int = 0
    valid: bool | None = None  # None: the kind has no validator
    repaired: bool = False


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_RE = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"


def _mk_date(d: int, m: int, y: int) -> str | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return date(y, m, d).strftime("%d-%m-%Y")
    except ValueError:
        return None


_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?[\s\-/.,]*" + _MONTH_RE + r"[\s\-/.,]*(\d{4}|\d{2})(?!\d)", re.I), "dMy"),
    (re.compile(_MONTH_RE + r"\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})(?!\d)", re.I), "Mdy"),
)


def parse_date(text: str) -> Parsed | None:
    best: Parsed | None = None
    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            g = m.groups()
            if order == "ymd":
                value = _mk_date(int(g[2]), int(g[1]), int(g[0]))
            elif order == "dmy":
                value = _mk_date(int(g[0]), int(g[1]), int(g[2]))
            elif order == "dMy":
                value = _mk_date(int(g[0]), _MONTHS[g[1][:3].lower()], int(g[2]))
            else:
                value = _mk_date(int(g[1]), _MONTHS[g[0][:3].lower()], int(g[2]))
            if value and (best is None or m.start() < best.start):
                best = Parsed(value, m.start(), m.end(), True)
    return best


def parse_year(text: str) -> Parsed | None:
    m = re.search(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", text)
    return Parsed(m.group(1), m.start(), m.end(), True) if m else None


_AMOUNT_RE = re.compile(
    # A rupee mark OCR may misread ("t21,999", "z21,999"), then digits with separators.
    r"(?<![\d.,])((?:rs|inr|₹|mrp)\.?\s*:?\s*)?(\d(?:\d|[,.]\s?(?=\d))*)(?:\s*/-)?",
    re.I,
)


def amount_value(whole: str, frac: str | None) -> int | float:
    number = float(whole.replace(",", "") + ("." + frac if frac else ""))
    return int(number) if number.is_integer() else round(number, 2)


def _split_amount(run: str) -> tuple[str, str | None] | None:
    """'1,23,456.00' → ('123456', '00'); '18.999.00' (a comma read as a point) → ('18999', '00').

    The last separator followed by one or two digits is the decimal point; every other separator
    groups digits and must be followed by two or three of them."""
    run = run.replace(" ", "")
    parts = re.split(r"[,.]", run)
    frac = None
    if len(parts) > 1 and len(parts[-1]) in (1, 2):
        frac = parts.pop()
    if any(len(p) not in (2, 3) for p in parts[1:]) or not parts[0]:
        return None
    return "".join(parts), frac


def parse_amounts(text: str) -> list[Parsed]:
    out = []
    for m in _AMOUNT_RE.finditer(text.replace("₹ ", "₹")):
        split = _split_amount(m.group(2))
        if split is None:
            continue
        whole, frac = split
        # A bare short integer with no currency, separators or decimals is usually a quantity or code.
        marked = bool(m.group(1)) or any(c in m.group(2) for c in ",.")
        if not marked and len(whole) < 3:
            continue
        out.append(Parsed(amount_value(whole, frac), m.start(2), m.end(), marked))
    return out


def parse_amount(text: str) -> Parsed | None:
    """The amount a label points at: the last money-looking number on the text (totals sit right)."""
    found = parse_amounts(text)
    if not found:
        return None
    marked = [p for p in found if p.valid]
    return (marked or found)[-1]


def parse_mobile(text: str) -> Parsed | None:
    for m in re.finditer(r"(?<![\d])(?:\+?\s*91[\s\-]*|0)?([6-9](?:[\s\-]?\d){9})(?!\d)", text):
        digits = re.sub(r"\D", "", m.group(1))
        if len(digits) == 10:
            return Parsed(digits, m.start(), m.end(), True)
    return None


def parse_pincode(text: str) -> Parsed | None:
    found = list(re.finditer(r"(?<![\d])([1-9]\d{2})\s?(\d{3})(?![\d])", text))
    if not found:
        return None
    m = found[-1]  # a PIN closes an address
    return Parsed(m.group(1) + m.group(2), m.start(), m.end(), True)


def parse_gender(text: str) -> Parsed | None:
    # Whole words only: a lone "M" is as likely "M G Road" as male.
    m = re.search(r"\b(female|male|transgender)\b", text, re.I)
    if not m:
        return None
    value = m.group(1).upper()
    return Parsed(value, m.start(), m.end(), True)


def parse_ident(text: str) -> Parsed | None:
    """A document number: the first token with a digit, keeping its / - . separators."""
    for m in re.finditer(r"[A-Za-z0-9][A-Za-z0-9/\-._#]*", text):
        token = m.group(0).rstrip(".-/")
        if any(c.isdigit() for c in token) and not parse_date(token):
            return Parsed(token, m.start(), m.start() + len(token), None)
    return None


def _first(found: list[ids.IdMatch]) -> Parsed | None:
    if not found:
        return None
    best = sorted(found, key=lambda f: (not f.valid, f.start))[0]
    return Parsed(best.value, best.start, best.end, best.valid, best.repaired)


def parse_imeis(text: str) -> Parsed | None:
    found = [f for f in ids.find_imeis(text) if f.valid]
    if not found:
        return None
    values = list(dict.fromkeys(f.value for f in found))
    return Parsed(values, found[0].start, found[-1].end, True, any(f.repaired for f in found))


_NAME_CLEAN = re.compile(r"[^A-Za-z .'\-]")


def clean_text(text: str) -> str:
    text = " ".join(text.split())
    return text.strip(" :;,-|")


def parse_name(text: str) -> Parsed | None:
    text = clean_text(text)
    if not text or sum(c.isdigit() for c in text) > 0:
        return None
    cleaned = " ".join(_NAME_CLEAN.sub(" ", text).split()).strip(" .-")
    if len(cleaned) < 2:
        return None
    return Parsed(cleaned, 0, len(text), None)


def parse_text(text: str) -> Parsed | None:
    text = clean_text(text)
    return Parsed(text, 0, len(text), None) if len(text) >= 2 else None


def parse_yesno(text: str) -> Parsed | None:
    m = re.search(r"\b(yes|no|y|n)\b", text, re.I)
    if not m:
        return None
    return Parsed("yes" if m.group(1).lower().startswith("y") else "no", m.start(), m.end(), True)


def parse_integer(text: str) -> Parsed | None:
    m = re.search(r"\d+", text)
    return Parsed(int(m.group(0)), m.start(), m.end(), True) if m else None


def parse_value(kind: Kind, text: str) -> Parsed | None:
    """Parse `text` as a value of `kind`; None when it does not hold one."""
    match kind:
        case Kind.DATE:
            return parse_date(text)
        case Kind.AMOUNT:
            return parse_amount(text)
        case Kind.MOBILE:
            return parse_mobile(text)
        case Kind.GSTIN:
            return _first(ids.find_gstins(text))
        case Kind.PAN:
            return _first(ids.find_pans(text))
        case Kind.AADHAAR:
            return _first(ids.find_aadhaars(text))
        case Kind.IMEI_LIST:
            return parse_imeis(text)
        case Kind.PINCODE:
            return parse_pincode(text)
        case Kind.GENDER:
            return parse_gender(text)
        case Kind.IDENT:
            return parse_ident(text)
        case Kind.NAME:
            return parse_name(text)
        case Kind.YESNO:
            return parse_yesno(text)
        case Kind.INTEGER:
            return parse_integer(text)
        case Kind.ADDRESS:
            from atlasflow.pipeline.places import repair_place_names

            # An address has words: "0P0" beside an Address label is a QR code read as text.
            if len(text) < 8 or not re.search(r"[A-Za-z]{3}", text):
                return None
            return parse_text(repair_place_names(text))
        case Kind.TEXT | Kind.MODEL:
            return parse_text(text)
    return None
