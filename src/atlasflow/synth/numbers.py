"""Checksum-valid fake identifiers and Indian number/date formatting for synthetic documents.

Every identifier made here validates with python-stdnum, so the engine's validators see
the same kind of numbers real documents carry, yet none belongs to a real person.
"""

from __future__ import annotations

import random
import string
from datetime import date

from stdnum import luhn, verhoeff
from stdnum.in_ import aadhaar as std_aadhaar
from stdnum.in_ import gstin as std_gstin
from stdnum.in_ import pan as std_pan

from atlasflow.synth.errors import SynthError

# GST state codes (first two GSTIN digits) of the states the generator uses.
GST_STATE_CODES: tuple[str, ...] = (
    "03", "04", "05", "07", "08", "09", "10", "18", "19", "20", "21", "22", "23", "24", "27",
    "29", "32", "33", "36", "37",
)  # fmt: skip

# Type Allocation Codes shaped like those of phones sold in India: 35xxxxxx (GSMA BABT
# allocations used by most brands) and 86xxxxxx (Chinese-allocated, common for budget brands).
_TAC_PREFIXES: tuple[str, ...] = (
    "3500",
    "3510",
    "3520",
    "3530",
    "3545",
    "3569",
    "3589",
    "8600",
    "8614",
    "8626",
    "8677",
    "8691",
)

# PAN 4th letter: holder status. P person, C company, F firm, H HUF, A AOP, T trust.
PAN_ENTITIES = frozenset("PCFHATBLJG")

_GSTIN_ALPHABET = string.digits + string.ascii_uppercase


def fake_pan(rng: random.Random, entity: str = "P", *, initial: str | None = None) -> str:
    """A PAN of the given holder type; `initial` (the surname's first letter for a person) is the 5th letter."""
    if entity not in PAN_ENTITIES:
        raise SynthError(f"unknown PAN entity letter {entity!r}")
    head = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
    fifth = (
        initial.upper()
        if initial and initial.isalpha() and initial.isascii()
        else rng.choice(string.ascii_uppercase)
    )
    digits = f"{rng.randint(1, 9999):04d}"
    return std_pan.validate(f"{head}{entity}{fifth}{digits}{rng.choice(string.ascii_uppercase)}")


def fake_gstin(rng: random.Random, state_code: str | None = None, *, pan: str | None = None) -> str:
    """A GSTIN with a valid check character; the embedded PAN is a firm's or a proprietor's."""
    code = state_code or rng.choice(GST_STATE_CODES)
    holder = pan or fake_pan(rng, rng.choice("PPFFC"))
    entity_number = rng.choice("1111112223A")  # most businesses hold one registration per state
    body = f"{code}{holder}{entity_number}Z"
    check = luhn.calc_check_digit(body, _GSTIN_ALPHABET)
    return std_gstin.validate(body + check)


def fake_aadhaar(rng: random.Random) -> str:
    """A 12-digit Aadhaar number: first digit 2-9, Verhoeff check digit, not a palindrome."""
    while True:
        body = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(10))
        number = body + verhoeff.calc_check_digit(body)
        if std_aadhaar.is_valid(number):
            return number


def fake_imei(rng: random.Random) -> str:
    """A Luhn-valid 15-digit IMEI with a realistic TAC prefix."""
    tac = rng.choice(_TAC_PREFIXES) + "".join(str(rng.randint(0, 9)) for _ in range(4))
    serial = "".join(str(rng.randint(0, 9)) for _ in range(6))
    body = tac + serial
    return body + luhn.calc_check_digit(body)


def fake_imei_pair(rng: random.Random) -> tuple[str, str]:
    """Two IMEIs of a dual-SIM phone: same TAC, serials a few apart, as printed on one box."""
    first = fake_imei(rng)
    serial = int(first[8:14]) + rng.choice((1, 2, 7, 8))
    body = first[:8] + f"{serial % 1_000_000:06d}"
    return first, body + luhn.calc_check_digit(body)


def fake_mobile(rng: random.Random) -> str:
    """A 10-digit Indian mobile number starting 6-9."""
    return str(rng.choice("6789999887")) + "".join(str(rng.randint(0, 9)) for _ in range(9))


def fake_pincode(rng: random.Random, prefix: str = "") -> str:
    """A 6-digit PIN code; `prefix` (e.g. a city's first 3 digits) keeps it in the right region."""
    if prefix and not prefix.isdigit():
        raise SynthError("PIN prefix must be digits")
    first = prefix or str(rng.randint(1, 8))  # 9 is the Army Postal Service
    rest = "".join(str(rng.randint(0, 9)) for _ in range(6 - len(first)))
    pin = first + rest
    return pin if pin[3:] != "000" else pin[:5] + "1"


def mask_aadhaar(number: str) -> str:
    """SPEC §3 masked form: `**** **** 1234`."""
    digits = std_aadhaar.compact(number)
    return f"**** **** {digits[-4:]}"


def group_aadhaar(number: str) -> str:
    """The printed form `1234 5678 9012`."""
    return " ".join(number[i : i + 4] for i in range(0, 12, 4))


def validate_all(
    *,
    gstins: tuple[str, ...] = (),
    pans: tuple[str, ...] = (),
    aadhaars: tuple[str, ...] = (),
    imeis: tuple[str, ...] = (),
) -> None:
    """Raise stdnum's ValidationError when any given number is invalid (used by tests and self-checks)."""
    from stdnum import imei as std_imei

    for value in gstins:
        std_gstin.validate(value)
    for value in pans:
        std_pan.validate(value)
    for value in aadhaars:
        std_aadhaar.validate(value)
    for value in imeis:
        std_imei.validate(value)


# ---------------------------------------------------------------- formatting (Indian conventions)


def format_inr(amount: float, *, decimals: bool = True) -> str:
    """Indian digit grouping: 112999.5 -> '1,12,999.50'."""
    negative = amount < 0
    amount = abs(amount)
    whole = int(amount)
    paise = round((amount - whole) * 100)
    if paise == 100:
        whole, paise = whole + 1, 0
    text = str(whole)
    if len(text) > 3:
        head, tail = text[:-3], text[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        text = ",".join(groups) + "," + tail
    if decimals:
        text += f".{paise:02d}"
    return ("-" if negative else "") + text


_ONES = (
    "", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven",
    "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen",
)  # fmt: skip
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")


def _words_below_100(n: int) -> str:
    if n < 20:
        return _ONES[n]
    return (_TENS[n // 10] + " " + _ONES[n % 10]).strip()


def _words_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = []
    if hundreds:
        parts.append(_ONES[hundreds] + " Hundred")
    if rest:
        parts.append(_words_below_100(rest))
    return " ".join(parts)


def amount_in_words(amount: float) -> str:
    """'Rupees Thirty Two Thousand Four Hundred Ninety Nine Only', lakh/crore scale."""
    whole = int(amount)
    paise = round((amount - whole) * 100)
    if whole == 0:
        text = "Zero"
    else:
        parts = []
        crore, whole = divmod(whole, 10_000_000)
        lakh, whole = divmod(whole, 100_000)
        thousand, whole = divmod(whole, 1000)
        if crore:
            parts.append(_words_below_1000(crore) + " Crore")
        if lakh:
            parts.append(_words_below_100(lakh) + " Lakh")
        if thousand:
            parts.append(_words_below_100(thousand) + " Thousand")
        if whole:
            parts.append(_words_below_1000(whole))
        text = " ".join(parts)
    out = f"Rupees {text}"
    if paise:
        out += f" and {_words_below_100(paise)} Paise"
    return out + " Only"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Printed date styles seen on Indian invoices and letters; the truth is always DD-MM-YYYY.
DATE_STYLES: tuple[str, ...] = (
    "dd/mm/yyyy",
    "dd-mm-yyyy",
    "dd.mm.yyyy",
    "dd-Mon-yyyy",
    "dd Mon yyyy",
    "dd/mm/yy",
)


def format_date(value: date, style: str) -> str:
    """Render a date in one of DATE_STYLES."""
    d, m, y = value.day, value.month, value.year
    match style:
        case "dd/mm/yyyy":
            return f"{d:02d}/{m:02d}/{y}"
        case "dd-mm-yyyy":
            return f"{d:02d}-{m:02d}-{y}"
        case "dd.mm.yyyy":
            return f"{d:02d}.{m:02d}.{y}"
        case "dd-Mon-yyyy":
            return f"{d:02d}-{_MONTHS[m - 1]}-{y}"
        case "dd Mon yyyy":
            return f"{d:02d} {_MONTHS[m - 1]} {y}"
        case "dd/mm/yy":
            return f"{d:02d}/{m:02d}/{y % 100:02d}"
    raise SynthError(f"unknown date style {style!r}")


def truth_date(value: date) -> str:
    """SPEC date format DD-MM-YYYY."""
    return f"{value.day:02d}-{value.month:02d}-{value.year}"


def truth_amount(value: float) -> int | float:
    """SPEC amount: a JSON number, int when whole."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def financial_year(value: date, *, short: bool = True) -> str:
    """Indian financial year of a date: '25-26' (short) or '2025-26'."""
    start = value.year if value.month >= 4 else value.year - 1
    return f"{start % 100:02d}-{(start + 1) % 100:02d}" if short else f"{start}-{(start + 1) % 100:02d}"
