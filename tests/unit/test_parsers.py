"""Typed parsers and identifier repair: what a lender would see in the SPEC value formats."""

from __future__ import annotations

import pytest

from atlasflow.domain.types import Kind
from atlasflow.pipeline import identifiers as ids
from atlasflow.pipeline.parsers import parse_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date: 23-10-2025", "23-10-2025"),
        ("Dated 23/10/25", "23-10-2025"),
        ("23.10.2025", "23-10-2025"),
        ("23 Oct 2025", "23-10-2025"),
        ("23-Oct-2025", "23-10-2025"),
        ("23rd October, 2025", "23-10-2025"),
        ("Oct 23, 2025", "23-10-2025"),
        ("2025-10-23", "23-10-2025"),
        ("31/02/2025", None),
    ],
)
def test_dates_in_indian_styles_become_dd_mm_yyyy(text: str, expected: str | None) -> None:
    parsed = parse_value(Kind.DATE, text)
    assert (parsed.value if parsed else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grand Total ₹ 1,23,456.00", 123456),
        ("Rs. 32,499.50", 32499.5),
        ("INR 32499/-", 32499),
        ("Total 1 32,499.00", 32499),
        ("MRP Rs.18,999.00 (Incl. of all taxes)", 18999),
        ("Qty 1", None),
    ],
)
def test_amounts_with_rupee_marks_and_indian_grouping(text: str, expected: float | None) -> None:
    parsed = parse_value(Kind.AMOUNT, text)
    assert (parsed.value if parsed else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mob: +91 98765 43210", "9876543210"), ("Ph 09876543210", "9876543210"), ("98765-43210", "9876543210"),
     ("Mobile: 12345 67890", None)],
)
def test_mobile_numbers_lose_prefixes(text: str, expected: str | None) -> None:
    parsed = parse_value(Kind.MOBILE, text)
    assert (parsed.value if parsed else None) == expected


def test_gstin_repair_only_when_it_makes_the_check_character_valid() -> None:
    assert parse_value(Kind.GSTIN, "GSTIN: 27AAPFUO939F1ZV").value == "27AAPFU0939F1ZV"  # O read for 0
    bad = parse_value(Kind.GSTIN, "GSTIN: 27AAPFU0939F1ZX")
    assert bad is not None and bad.valid is False  # kept as read, flagged invalid


def test_pan_repair_by_position() -> None:
    assert parse_value(Kind.PAN, "PAN AAPFU0939F").value == "AAPFU0939F"
    assert parse_value(Kind.PAN, "PAN AAPFUO939F").value == "AAPFU0939F"


def test_aadhaar_is_masked_and_checked() -> None:
    valid = "2345 6789 0124"
    digits = valid.replace(" ", "")
    if not ids.aadhaar_is_valid(digits):  # find the Verhoeff digit for a fixed prefix
        digits = next(digits[:11] + str(d) for d in range(10) if ids.aadhaar_is_valid(digits[:11] + str(d)))
    parsed = parse_value(Kind.AADHAAR, f"{digits[:4]} {digits[4:8]} {digits[8:]}")
    assert parsed.value == f"**** **** {digits[-4:]}"
    assert parsed.valid
    assert digits not in repr(parsed)


def test_imei_lists_keep_only_luhn_valid_numbers() -> None:
    parsed = parse_value(Kind.IMEI_LIST, "IMEI1: 356938035643809 IMEI2: 356938035643808")
    assert parsed.value == ["356938035643809"]
    assert parse_value(Kind.IMEI_LIST, "IMEI: 3569380356438O9").value == ["356938035643809"]


def test_pincode_takes_the_pin_that_closes_an_address() -> None:
    assert parse_value(Kind.PINCODE, "D. No. 14-4-16, Kapu Street, NELLORE 524 001").value == "524001"


def test_gender_needs_a_whole_word() -> None:
    assert parse_value(Kind.GENDER, "पुरुष / MALE").value == "MALE"
    assert parse_value(Kind.GENDER, "12 M G Road") is None


def test_gstin_check_character_read_as_its_lookalike_is_resolved_by_the_checksum() -> None:
    parsed = parse_value(Kind.GSTIN, "GSTIN: 08KIZCQ8684E1Z0")  # the check character is the letter O
    assert parsed.value == "08KIZCQ8684E1ZO" and parsed.valid and parsed.repaired
