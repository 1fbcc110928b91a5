"""Asset model scorer: marketing names, model codes, storage variants, colours and brands.

A value is reduced to its identity (the words and numbers that tell one model from
another: "note", "12", "pro", "a14"), its memory (RAM/storage), screen size, network
generation, brand and line ("galaxy", "redmi") and colours. Known model codes (SM-A146B)
are replaced by the name they are sold under. Identity decides; a different storage variant
is another product; brands, lines and colours one side leaves out cost nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz

from atlasflow.similarity._data import load_table, variant_map
from atlasflow.similarity.text import ascii_lower, folded_index, key_similarity, ocr_fold


@dataclass(frozen=True, slots=True)
class _Tables:
    codes: dict[str, str]
    code_patterns: tuple[re.Pattern[str], ...]
    size_patterns: tuple[re.Pattern[str], ...]
    brands: dict[str, str]
    lines: dict[str, str]
    qualifiers: frozenset[str]
    descriptive: frozenset[str]
    colours: frozenset[str]
    folded: dict[str, str]  # OCR-folded spelling -> word of a table above


@cache
def _tables() -> _Tables:
    table = load_table("models")
    return _Tables(
        codes=dict(table["codes"]),
        code_patterns=tuple(re.compile(p) for p, _ in table["code_patterns"]),
        size_patterns=tuple(re.compile(p) for p, _ in table["tv_size_patterns"]),
        brands=variant_map(table["brands"]),
        lines=variant_map(table["lines"]),
        qualifiers=frozenset(table["qualifiers"]),
        descriptive=frozenset(table["descriptive"]),
        colours=frozenset(table["colours"]),
        folded=folded_index(
            w for key in ("qualifiers", "descriptive", "colours") for w in table[key] if len(w) >= 3
        )
        | folded_index(
            w
            for key in ("brands", "lines")
            for group in table[key]
            for w in group
            if " " not in w and len(w) >= 3
        ),
    )


@dataclass(slots=True)
class ModelParts:
    """What a model value says, by kind of information."""

    identity: list[str] = field(default_factory=list)
    ram_gb: float | None = None
    storage_gb: float | None = None
    screen_inch: int | None = None
    network: str = ""  # "5g", "4g" or ""
    brands: set[str] = field(default_factory=set)
    lines: set[str] = field(default_factory=set)
    colours: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)  # unknown model codes kept verbatim
    specs: dict[str, float] = field(default_factory=dict)  # litres, stars, tons, kg of appliances


_STORAGE_SIZES = frozenset({8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0})
_MEMORY_PAIR = re.compile(
    r"(\d{1,2})\s*(gb|g)?\s*(?:ram)?\s*(?:[/+|,&]|and)\s*(\d{1,4})\s*(gb|g|tb|t)?\b(?:\s*(?:rom|storage|internal|memory))?"
)
_RAM = re.compile(
    r"(\d+(?:\.\d+)?)\s*(gb|g|tb)\s*(?:of\s*)?ram\b|\bram\s*(?:[:\-]\s*)?(\d+(?:\.\d+)?)\s*(gb|g)\b"
)
_STORAGE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(gb|tb)\b(?:\s*(?:rom|storage|internal|memory))?|\b(?:rom|storage)\s*(?:[:\-]\s*)?(\d+(?:\.\d+)?)\s*(gb|tb)\b"
)
_SCREEN_CM = re.compile(r"(\d{2,3}(?:\.\d+)?)\s*(?:cm|cms|centimet(?:er|re)s?)\b")
_SCREEN_IN = re.compile(r"(\d{2,3}(?:\.\d+)?)\s*(?:\"|''|inch(?:es)?\b|in\b)")
_CODE_TOKEN = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
_NETWORK = re.compile(r"\b([345])\s*g\b")
# Appliance ratings that tell one variant from another, like phone storage does.
_SPECS = {
    "litres": re.compile(r"\b(\d{2,4})\s*(?:l|ltr|ltrs|litres?|liters?)\b"),
    "stars": re.compile(r"\b([1-5])\s*(?:star|\*)"),
    "tons": re.compile(r"\b(\d(?:\.\d+)?)\s*(?:tons?|tr)\b"),
    "kg": re.compile(r"\b(\d{1,2}(?:\.\d+)?)\s*kgs?\b"),
}


def _gb(number: str, unit: str | None) -> float:
    value = float(number)
    return value * 1024 if unit and unit.startswith("t") else value


def _runs(token: str) -> list[str]:
    """Split letters from digits, keeping a one-letter prefix on its number (a14, y21):
    note12 -> note 12, a05s -> a05 s, 13c -> 13 c."""
    parts = re.findall(r"[a-z]+|\d+", token)
    out: list[str] = []
    for part in parts:
        if part.isdigit() and out and len(out[-1]) == 1 and out[-1].isalpha():
            out[-1] += part
        else:
            out.append(part)
    return out


def _lookup_code(token: str, tables: _Tables) -> str | None:
    bare = token.replace("-", "").replace("/", "")
    bare = re.sub(r"d[s5]$", "", bare)  # SM-A146B/DS: dual-SIM mark
    for pattern in tables.code_patterns:
        if m := pattern.match(bare):
            return tables.codes.get(m.group(1))
    return tables.codes.get(bare)


def _looks_like_code(token: str) -> bool:
    # V2123, CPH2483, RMX3710, UA43AUE60AKLXL: letters and digits mixed, long enough.
    bare = token.replace("-", "")
    return len(bare) >= 5 and bool(re.search(r"\d", bare)) and bool(re.search(r"[a-z]", bare))


def _is_known(word: str, tables: _Tables) -> bool:
    return any(
        word in t
        for t in (tables.brands, tables.lines, tables.qualifiers, tables.descriptive, tables.colours)
    )


def _may_be_garbled(word: str, tables: _Tables) -> bool:
    letters = sum(c.isalpha() for c in word)
    return len(word) >= 3 and letters >= 2 * (len(word) - letters) and not _is_known(word, tables)


def parse_model(text: str) -> ModelParts:
    tables = _tables()
    # Known model codes first, so the name they stand for is parsed like any written name.
    lowered = _CODE_TOKEN.sub(lambda m: _lookup_code(m[0], tables) or m[0], ascii_lower(text))
    parts = ModelParts()
    # "128G8": OCR reads the B of GB as 8.
    lowered = re.sub(r"(?<=\d)\s*g8\b", "gb", lowered)
    for pair in _MEMORY_PAIR.finditer(lowered):
        ram, storage = _gb(pair[1], pair[2] or "gb"), _gb(pair[3], pair[4] or "gb")
        # "4+64", "6/128 GB": a RAM size then a storage size, or it is not memory at all.
        if ram <= 24 and storage in _STORAGE_SIZES and ram < storage:
            parts.ram_gb, parts.storage_gb = ram, storage
            lowered = lowered[: pair.start()] + " " + lowered[pair.end() :]
            break
    if parts.ram_gb is None and (m := _RAM.search(lowered)):
        parts.ram_gb = _gb(m[1] or m[3], m[2] or m[4])
        lowered = lowered[: m.start()] + " " + lowered[m.end() :]
    if parts.storage_gb is None and (m := _STORAGE.search(lowered)):
        parts.storage_gb = _gb(m[1] or m[3], m[2] or m[4])
        lowered = lowered[: m.start()] + " " + lowered[m.end() :]
    for pattern in tables.size_patterns:
        if parts.screen_inch is None and (sized := pattern.search(lowered)):
            # The screen size is part of a TV's model code (UA43..., 43UR75..., KD-55X...).
            parts.screen_inch = int(sized[1])
    if m := _SCREEN_CM.search(lowered):
        parts.screen_inch = round(float(m[1]) / 2.54)
        lowered = _SCREEN_IN.sub(" ", lowered[: m.start()] + " " + lowered[m.end() :])
    elif m := _SCREEN_IN.search(lowered):
        parts.screen_inch = round(float(m[1]))
        lowered = lowered[: m.start()] + " " + lowered[m.end() :]
    for name, pattern in _SPECS.items():
        if m := pattern.search(lowered):
            parts.specs[name] = float(m[1])
            lowered = lowered[: m.start()] + " " + lowered[m.end() :]
    if m := _NETWORK.search(lowered):
        parts.network = f"{m[1]}g"
        lowered = _NETWORK.sub(" ", lowered)
    words = re.findall(r"[a-z0-9]+(?:[-/][a-z0-9]+)*", lowered.replace("+", " plus "))
    expanded: list[str] = []
    for word in words:
        if _may_be_garbled(word, tables) and ocr_fold(word) in tables.folded:
            expanded.append(tables.folded[ocr_fold(word)])
            continue
        if _looks_like_code(word) and not re.fullmatch(r"[a-z]\d{1,3}[a-z]?", word.replace("-", "")):
            parts.codes.add(word.replace("-", ""))
            continue
        expanded.extend(w for piece in word.split("-") for w in piece.split("/") if w)
    # Words OCR garbled (0ppo, L1te, Mobilc) are read as the table word they were.
    expanded = [tables.folded.get(ocr_fold(w), w) if _may_be_garbled(w, tables) else w for w in expanded]
    # Marketing colours are endless ("Drizzling Gold"): a word just before a colour is one.
    for k in range(len(expanded) - 2, -1, -1):
        if expanded[k + 1] in tables.colours and expanded[k].isalpha() and not _is_known(expanded[k], tables):
            expanded[k] = expanded[k + 1]
    i = 0
    while i < len(expanded):
        word = expanded[i]
        two_words = " ".join(expanded[i : i + 2])
        if two_words in tables.brands or two_words in tables.lines:
            (parts.brands if two_words in tables.brands else parts.lines).add(
                tables.brands.get(two_words) or tables.lines[two_words]
            )
            i += 2
            continue
        i += 1
        if word in tables.brands:
            parts.brands.add(tables.brands[word])
        elif word in tables.lines:
            parts.lines.add(tables.lines[word])
        elif word in tables.colours:
            parts.colours.add(word)
        elif word in tables.descriptive:
            continue
        else:
            # A code and the name it stands for often both appear: say each word once.
            parts.identity.extend(r for r in _runs(word) if r not in parts.identity)
    if parts.network and not parts.identity:
        parts.identity.append(parts.network)
    return parts


def _identity_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if any(c.isdigit() for c in a + b):
        # Numbers name models (A14/A34, Note 12/13): no near misses, only OCR glyphs.
        return 1.0 if ocr_fold(a) == ocr_fold(b) else 0.0
    return key_similarity(a, b) if min(len(a), len(b)) > 3 else 0.0


def _compare_identity(left: list[str], right: list[str], qualifiers: frozenset[str]) -> float:
    remaining = list(right)
    factor = 1.0
    unmatched_left: list[str] = []
    for word in left:
        best, best_k = 0.0, -1
        for k, other in enumerate(remaining):
            s = _identity_similarity(word, other)
            if s > best:
                best, best_k = s, k
        if best >= 0.8:
            factor *= 1.0 - (1.0 - best) * 1.5
            remaining.pop(best_k)
        else:
            unmatched_left.append(word)
    unmatched_right = remaining
    conflicts = min(len(unmatched_left), len(unmatched_right))
    factor *= 0.45**conflicts
    for word in unmatched_left[conflicts:] + unmatched_right[conflicts:]:
        # A missing "pro", "note" or number is another model; a missing unknown word is
        # more often a description one side added.
        if word in qualifiers or any(c.isdigit() for c in word) or len(word) == 1:
            factor *= 0.62
        else:
            factor *= 0.88
    return factor


def _codes_extend(left: set[str], right: set[str]) -> bool:
    """UA43AUE60AKLXL and UA43AUE60AK: one code is the other with a region or batch suffix."""
    return any(
        len(x) >= 6 and len(y) >= 6 and (x.startswith(y) or y.startswith(x)) for x in left for y in right
    )


def _same_appliance(left: ModelParts, right: ModelParts) -> bool:
    shared = left.specs.keys() & right.specs.keys()
    return bool(left.brands & right.brands and shared) and all(
        left.specs[k] == right.specs[k] for k in shared
    )


def score_model(a: str, b: str) -> int:
    if not a.strip() or not b.strip():
        return 0
    if " ".join(ascii_lower(a).split()) == " ".join(ascii_lower(b).split()):
        return 100
    tables = _tables()
    left, right = parse_model(a), parse_model(b)
    squashed_a, squashed_b = (
        re.sub(r"[^a-z0-9]", "", ascii_lower(a)),
        re.sub(r"[^a-z0-9]", "", ascii_lower(b)),
    )
    if (
        left.codes & right.codes
        or any(c in squashed_b for c in left.codes)
        or any(c in squashed_a for c in right.codes)
        or _codes_extend(left.codes, right.codes)
    ):
        # The same unknown model code on both sides (however split): the same model.
        result = 0.97
    elif not left.identity and not right.identity and _same_appliance(left, right):
        result = 0.92  # "Whirlpool 190 L Single Door": brand and ratings are all there is
    elif not left.identity or not right.identity:
        if left.codes and right.codes:
            return 30
        return round(0.5 * fuzz.token_set_ratio(ascii_lower(a), ascii_lower(b)))
    elif ocr_fold("".join(left.identity)) == ocr_fold("".join(right.identity)):
        result = 0.95  # the same characters, split differently by a glyph swap (A05s / A055)
    else:
        result = _compare_identity(left.identity, right.identity, tables.qualifiers)
        if left.codes and right.codes:
            result *= 0.6  # both name a model code we do not know, and the codes differ
    if left.brands and right.brands and not left.brands & right.brands:
        result *= 0.3
    if left.lines and right.lines and not left.lines & right.lines:
        result *= 0.5
    if left.storage_gb and right.storage_gb and left.storage_gb != right.storage_gb:
        result *= 0.6  # same phone, another variant: another price
    if left.ram_gb and right.ram_gb and left.ram_gb != right.ram_gb:
        result *= 0.75
    if left.screen_inch and right.screen_inch and left.screen_inch != right.screen_inch:
        result *= 0.5
    if left.network and right.network and left.network != right.network:
        result *= 0.75
    elif bool(left.network) != bool(right.network):
        result *= 0.97
    for name in left.specs.keys() & right.specs.keys():
        if left.specs[name] != right.specs[name]:
            result *= 0.6
    if left.colours and right.colours and not left.colours & right.colours:
        result *= 0.95
    return max(0, min(100, round(100 * result)))
