"""Repair OCR slips in Indian state and city names ("Kamataka" → "Karnataka") inside addresses.

The names come from the same gazetteer the address scorer uses; a word is replaced only when it
is long, not itself a known word of the gazetteer, and within one or two letters of exactly one name.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from rapidfuzz import fuzz, process


@cache
def _names() -> tuple[str, ...]:
    data = json.loads(resources.files("atlasflow.similarity").joinpath("data/addresses.json").read_text())
    names: list[str] = []
    for group in data.get("state_aliases", []) + data.get("city_aliases", []):
        names.extend(n for n in group if " " not in n and len(n) >= 6)
    return tuple(dict.fromkeys(names))


def _restyle(word: str, name: str) -> str:
    if word.isupper():
        return name.upper()
    if word[:1].isupper():
        return name.capitalize()
    return name


def repair_place_names(text: str) -> str:
    names = _names()
    known = set(names)

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if len(low) < 6 or low in known:
            return word
        best = process.extract(low, names, scorer=fuzz.ratio, limit=2, score_cutoff=82)
        if len(best) == 1 or (best and best[0][1] - best[1][1] >= 8):
            return _restyle(word, best[0][0])
        return word

    return re.sub(r"[A-Za-z]+", fix, text)
