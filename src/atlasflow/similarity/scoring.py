"""One entry point, `score(kind, a, b)`, dispatching to the scorer of each kind of value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from atlasflow.domain.types import Kind
from atlasflow.errors import AtlasError
from atlasflow.similarity.addresses import score_address
from atlasflow.similarity.identifiers import (
    score_aadhaar,
    score_date,
    score_exact,
    score_gstin,
    score_ident,
    score_imei,
    score_pan,
)
from atlasflow.similarity.models import score_model
from atlasflow.similarity.names import score_business, score_name
from atlasflow.similarity.numbers import score_amount, score_mobile


class ScoreError(AtlasError):
    """A kind no scorer knows."""


def _text(scorer: Callable[[str, str], int]) -> Callable[[Any, Any], int]:
    def scored(a: Any, b: Any) -> int:
        return scorer(_as_text(a), _as_text(b))

    scored.__name__ = scorer.__name__
    scored.__doc__ = scorer.__doc__
    return scored


def _as_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


SCORERS: dict[Kind, Callable[[Any, Any], int]] = {
    Kind.NAME: _text(score_name),
    Kind.TEXT: _text(score_business),
    Kind.ADDRESS: _text(score_address),
    Kind.MOBILE: score_mobile,
    Kind.AMOUNT: score_amount,
    Kind.IMEI_LIST: score_imei,
    Kind.GSTIN: score_gstin,
    Kind.PAN: score_pan,
    Kind.AADHAAR: score_aadhaar,
    Kind.IDENT: score_ident,
    Kind.DATE: score_date,
    Kind.MODEL: _text(score_model),
    Kind.PINCODE: score_exact,
    Kind.YESNO: score_exact,
    Kind.GENDER: score_exact,
    Kind.INTEGER: score_exact,
}

_ALIASES = {"phone": Kind.MOBILE, "imei_list": Kind.IMEI_LIST, "imeis": Kind.IMEI_LIST, "gst": Kind.GSTIN,
            "org": Kind.TEXT, "business": Kind.TEXT, "pin": Kind.PINCODE}  # fmt: skip


def resolve_kind(kind: Kind | str) -> Kind:
    """A Kind from a Kind, its value ("name") or an alias ("phone")."""
    if isinstance(kind, Kind):
        return kind
    text = str(kind).strip().lower()
    if text in _ALIASES:
        return _ALIASES[text]
    try:
        return Kind(text)
    except ValueError:
        raise ScoreError(
            f"unknown kind {kind!r}; known: {', '.join(sorted(k.value for k in SCORERS))}, phone"
        ) from None


def is_empty(value: Any) -> bool:
    """Nothing to compare: None, a blank string or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | dict):
        return not any(not is_empty(v) for v in value) if not isinstance(value, dict) else not value
    return False


def score(kind: Kind | str, a: Any, b: Any) -> int:
    """0-100 similarity of two values of one kind; an empty side scores 0, equal values 100."""
    resolved = resolve_kind(kind)
    if is_empty(a) or is_empty(b):
        return 0
    if a == b:
        return 100
    return int(SCORERS[resolved](a, b))
