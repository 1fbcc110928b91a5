"""Phone numbers and amounts: parsed to numbers first, then compared as numbers."""

from __future__ import annotations

import math
import re
from typing import Any

from rapidfuzz.distance import Levenshtein

# Letters OCR reads in place of digits inside a number.
_DIGIT_GLYPHS = str.maketrans({"o": "0", "O": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
                               "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "b": "6", "g": "9", "q": "9"})  # fmt: skip
_PHONE_RUN = re.compile(r"\+?[\dOoDQlIi|SsBZzGbgq][\dOoDQlIi|SsBZzGbgq\s\-.()/]{6,}[\dOoDQlIi|SsBZzGbgq]")


def _mobile_candidates(value: Any) -> list[str]:
    """Every phone number written in a value, reduced to its national digits (no +91, no 0)."""
    text = str(value)
    out: list[str] = []
    for chunk in re.split(r"[,;&]|\s/\s|\bor\b", text):
        for run in _PHONE_RUN.findall(chunk) or [chunk]:
            digits = re.sub(r"\D", "", run.translate(_DIGIT_GLYPHS))
            if len(digits) == 12 and digits.startswith("91"):
                digits = digits[2:]
            elif len(digits) == 13 and digits.startswith("091"):
                digits = digits[3:]
            elif len(digits) == 11 and digits.startswith("0"):
                digits = digits[1:]
            if len(digits) >= 6:
                out.append(digits)
    return out


def normalise_mobile(value: Any) -> str:
    """The first phone number in a value as bare national digits; "" if there is none."""
    candidates = _mobile_candidates(value)
    return candidates[0] if candidates else ""


def _phone_pair_score(a: str, b: str) -> int:
    if a == b:
        return 100
    # One wrong digit is another subscriber: the most a near miss gets is below 50.
    distance = Levenshtein.distance(a, b)
    return max(0, 45 - 12 * (distance - 1))


def score_mobile(a: Any, b: Any) -> int:
    left, right = _mobile_candidates(a), _mobile_candidates(b)
    if not left or not right:
        return 0
    return max(_phone_pair_score(x, y) for x in left for y in right)


_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "lakh": 1e5, "lakhs": 1e5, "lac": 1e5, "lacs": 1e5, "l": 1e5,
                "crore": 1e7, "crores": 1e7, "cr": 1e7}  # fmt: skip
_AMOUNT = re.compile(r"(\d[\d,\s]*(?:\.\d+)?)\s*(k|thousand|lakhs?|lacs?|l|crores?|cr)?\b", re.I)


def parse_amount(value: Any) -> float | None:
    """Rupees in a value: 32499, "Rs. 32,499.00", "₹ 32,499/-", "INR 1.2 lakh"; None if none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    text = str(value)
    # Currency words and the "/-" tail are not digits; OCR'd O/l/S inside a figure are.
    text = re.sub(r"(?i)\b(rs|inr|rupees?)\.?|₹|/-", " ", text)
    text = re.sub(r"(?<=[\d,])[OoD](?=[\d,.]|\b)|(?<=\b)[OoD](?=[\d,])", "0", text)
    text = re.sub(r"(?<=[\d,])[lI|](?=[\d,.]|\b)|(?<=\b)[lI|](?=[\d,])", "1", text)
    text = re.sub(r"(?<=[\d,])[S](?=[\d,.]|\b)|(?<=\b)[S](?=[\d,])", "5", text)
    best: float | None = None
    for match in _AMOUNT.finditer(text):
        figure = re.sub(r"[,\s]", "", match.group(1))
        try:
            amount = float(figure)
        except ValueError:
            continue
        if match.group(2):
            amount *= _MULTIPLIERS[match.group(2).lower()]
        # Several figures (a unit price and a total): the largest is the amount of the line.
        if best is None or amount > best:
            best = amount
    return best


def amount_score_for(relative_difference: float) -> int:
    """The published curve: 100 x 0.9 ** (percent ** 2) -- 0.5 % off is 97, 1 % 90, 1.5 % 79,
    2 % 66, 3 % 39, 5 % 7. It falls faster than linear: a few percent is already another
    price (a different variant, an accessory billed in), which a lender wants reviewed."""
    percent = 100.0 * relative_difference
    value: float = 100.0 * 0.9 ** (percent**2)
    return max(0, min(100, round(value)))


def _one_digit_apart(a: float, b: float) -> bool:
    """32,499 against 33,499 or 32,949: one digit misread or mistyped, or two swapped."""
    x, y = f"{a:.2f}", f"{b:.2f}"
    if len(x) != len(y):
        return False
    diffs = [i for i, (p, q) in enumerate(zip(x, y, strict=True)) if p != q]
    if len(diffs) == 1:
        return True
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and x[diffs[0]] == y[diffs[1]]
        and x[diffs[1]] == y[diffs[0]]
    )


def score_amount(a: Any, b: Any) -> int:
    left, right = parse_amount(a), parse_amount(b)
    if left is None or right is None:
        return 0
    if left == right:
        return 100
    difference = abs(left - right)
    if difference <= 1.0:
        # Rupee round-off (32499.50 printed as 32500) is the same amount.
        return 99
    result = amount_score_for(difference / max(abs(left), abs(right)))
    if _one_digit_apart(left, right):
        # A misread digit is not a rounding: which of the two is right needs a person.
        result = min(result, 65)
    return result
