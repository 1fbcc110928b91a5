"""Address scorer: words, house numbers and PIN codes compared as the evidence they are.

An address is parsed into its PIN code, its numbers (house/door/flat numbers weigh most)
and its words (locality and street names weigh most; road/nagar/colony little; the state
almost nothing). Abbreviations, old city names and punctuation are normalised away; the
order of parts does not matter. The score is the weighted share of each side that the
other side covers, so an address that leaves out a building and a city scores lower than
one that only spells "Road" as "Rd"; a different PIN or house number caps the score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from atlasflow.similarity._data import load_table, variant_map
from atlasflow.similarity.text import (
    Token,
    align,
    ascii_lower,
    digit_fold,
    folded_index,
    make_token,
    merge_split_words,
    ocr_fold,
    token_similarity,
)

_AGREE = 0.8


class Part(StrEnum):
    WORD = "word"  # a locality, street or building name
    GENERIC = "generic"  # road, nagar, colony ...
    LANDMARK = "landmark"  # words after "near"/"opp"
    CITY = "city"
    STATE = "state"
    LETTER = "letter"  # "B" of "B Wing"
    FLOOR = "floor"  # "Ground Floor", "2nd Floor": often left out, rarely decisive
    HOUSE = "house"  # the number after H.No/D.No/Flat, or the first number
    NUMBER = "number"  # any other number (2nd Cross, Sector 5)
    PIN = "pin"


_WEIGHTS = {
    Part.WORD: 1.0,
    Part.GENERIC: 0.35,
    Part.LANDMARK: 0.25,
    Part.CITY: 0.7,
    Part.STATE: 0.15,
    Part.LETTER: 0.3,
    Part.FLOOR: 0.15,
    Part.HOUSE: 1.5,
    Part.NUMBER: 0.8,
    Part.PIN: 2.0,
}
# What a part costs when one side has it and the other does not. The place around the
# address (city, state, PIN, a landmark, the floor) is often left out and contradicts nothing;
# leaving out a building, street or locality name or a door number is what makes two
# addresses different.
_OMISSION_WEIGHTS = {
    **_WEIGHTS,
    Part.LANDMARK: 0.15,
    Part.CITY: 0.3,
    Part.STATE: 0.05,
    Part.FLOOR: 0.1,
    Part.PIN: 0.3,
}


@dataclass(frozen=True, slots=True)
class _Tables:
    abbreviations: dict[str, str]
    number_labels: frozenset[str]
    generic: frozenset[str]
    landmark_markers: frozenset[str]
    places: dict[str, tuple[str, Part]]  # alias (maybe several words) -> canonical, CITY/STATE
    folded_places: dict[str, tuple[str, Part]]  # the same, keyed by OCR-folded words
    longest_place: int
    folded: dict[str, str]  # OCR-folded spelling -> a one-word entry of a table above


@cache
def _tables() -> _Tables:
    table = load_table("addresses")
    places: dict[str, tuple[str, Part]] = {}
    for canonical_by_alias, part in (
        (variant_map(table["state_aliases"]), Part.STATE),
        (variant_map(table["city_aliases"]), Part.CITY),
    ):
        for alias, canonical in canonical_by_alias.items():
            places[alias] = (canonical.replace(" ", ""), part)
    return _Tables(
        abbreviations=dict(table["abbreviations"]),
        number_labels=frozenset(table["number_labels"]),
        generic=frozenset(table["generic"]),
        landmark_markers=frozenset(table["landmark_markers"]),
        places=places,
        folded_places={
            " ".join(ocr_fold(w) for w in alias.split()): value for alias, value in places.items()
        },
        longest_place=max(len(alias.split()) for alias in places),
        folded=folded_index(
            w
            for w in [
                *table["abbreviations"],
                *table["number_labels"],
                *table["generic"],
                *table["landmark_markers"],
                *places,
            ]
            if len(w) >= 3 and " " not in w
        ),
    )


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of evidence in an address."""

    text: str
    part: Part

    @property
    def weight(self) -> float:
        return _WEIGHTS[self.part]

    @property
    def is_number(self) -> bool:
        return self.part in (Part.HOUSE, Part.NUMBER, Part.PIN)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    pin: str
    items: tuple[Item, ...]  # without the PIN

    @property
    def numbers(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.is_number)

    @property
    def words(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if not i.is_number)


_FLOOR_WORDS = frozenset(
    {"ground", "upper", "lower", "top", "basement", "first", "second", "third", "mezzanine"}
)
_PIN = re.compile(r"(?<!\d)(?<!\d/)(\d{3})[ \t]{0,2}(\d{3})(?![\d/-])")
_AFTER_PIN = re.compile(r"[\W_]*(india|bharat)?[\W_]*")
_TOKEN = re.compile(r"[a-z0-9]+(?:[-/][a-z0-9]+)*")
_DIGIT_LOOKALIKES = str.maketrans({"o": "0", "l": "1", "i": "1", "s": "5"})


def _number_text(token: str) -> str:
    # OCR reads 0 as O and 1 as l inside door numbers: fold when digits dominate.
    bare = token.replace("-", "").replace("/", "")
    digits = sum(c.isdigit() for c in bare)
    if digits * 2 >= len(bare) and digits < len(bare):
        bare = re.sub(r"[olis](?=\d)|(?<=\d)[olis]", lambda m: m[0].translate(_DIGIT_LOOKALIKES), bare)
    return bare.lstrip("0") or "0"


_ONE_AS_I = str.maketrans({"1": "i", "l": "i"})


def _is_known(word: str, tables: _Tables) -> bool:
    return (
        word in tables.abbreviations
        or word in tables.number_labels
        or word in tables.generic
        or word in tables.landmark_markers
        or word in tables.places
    )


def _as_word(token: str, tables: _Tables) -> str:
    """A word as the tables spell it: digits OCR put in a word read as letters (5tation,
    F1at, N0), and a garbled table word (Ngr read as Nqr) read as that word. Door numbers
    (C-1002, 14-4-16, 54A) stay as they are."""
    letters = sum(c.isalpha() for c in token)
    digits = len(token) - letters
    if digits and letters and "-" not in token and "/" not in token:
        # OCR's 1 is an l as often as an i: try both against the tables.
        candidates = [digit_fold(token)]
        candidates.append(candidates[0].translate(_ONE_AS_I))
        # A short token ("6A", "N0") is a door number unless it reads as a number label.
        known = next(
            (
                c
                for c in candidates
                if c.isalpha() and (c in tables.number_labels if len(c) <= 2 else _is_known(c, tables))
            ),
            None,
        )
        if known:
            return known
        if letters >= 2 and letters >= digits and candidates[0].isalpha():
            token = candidates[0]
    if token.isalpha() and len(token) >= 3 and not _is_known(token, tables):
        return tables.folded.get(ocr_fold(token), token)
    return token


def _expand(token: str, tables: _Tables) -> list[str]:
    if "-" in token or "/" in token:
        # Mira-Bhayandar is two words, Sector-15 a word and a number; C-1002 and 14-4-16
        # are one door number.
        parts = [_as_word(p, tables) for p in re.split(r"[-/]", token) if p]
        if all(p.isalpha() for p in parts) or (
            len(parts) == 2 and parts[0].isalpha() and _is_known(parts[0], tables) and parts[1].isdigit()
        ):
            return [w for p in parts for w in _expand(p, tables)]
    token = _as_word(token, tables)
    expansion = tables.abbreviations.get(token, token)
    return expansion.split() if expansion else []


def _join_initials(tokens: list[str]) -> list[str]:
    """M.G. Road is MG Road: a run of single letters is one word."""
    out: list[str] = []
    run = ""
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        if token:
            out.append(token)
    return out


_ROMAN = {"i": "1", "v": "5", "x": "10"}


def _read_roman_numerals(tokens: list[str], tables: _Tables) -> list[str]:
    # "I Main", "V Block": a lone I, V or X before a road or block word is a number.
    return [
        _ROMAN[t] if t in _ROMAN and k + 1 < len(tokens) and tokens[k + 1] in tables.generic else t
        for k, t in enumerate(tokens)
    ]


def parse_address(text: str) -> ParsedAddress:
    """Split an address into PIN code, numbers and words, each tagged with what it is."""
    tables = _tables()
    lowered = ascii_lower(text).replace("#", " no ").replace("&", " and ")
    pin = ""
    # Only the last six-digit figure is the PIN; earlier ones are plot or survey numbers. PINs
    # start 1-9; one written last (after the city) is taken whatever its first digit.
    candidates = list(_PIN.finditer(lowered))
    if candidates:
        last = candidates[-1]
        if last[1][0] != "0" or _AFTER_PIN.fullmatch(lowered[last.end() :]):
            pin = last[1] + last[2]
            lowered = lowered[: last.start()] + " , " + lowered[last.end() :]
    items: list[Item] = []
    chunk_of: list[int] = []  # which comma-separated part each item came from
    for chunk_index, chunk in enumerate(re.split(r"[,;:\n()]+", lowered)):
        chunk_of.extend([chunk_index - 1] * (len(items) - len(chunk_of)))
        tokens = _read_roman_numerals(
            [t for raw in _join_initials(_TOKEN.findall(chunk)) for t in _expand(raw, tables)], tables
        )
        in_landmark = False
        after_label = False
        i = 0
        while i < len(tokens):
            token = tokens[i]
            place = None
            for span in range(min(tables.longest_place, len(tokens) - i), 0, -1):
                words_ = tokens[i : i + span]
                place = tables.places.get(" ".join(words_))
                if not place and sum(map(len, words_)) >= 5:
                    place = tables.folded_places.get(" ".join(ocr_fold(w) for w in words_))
                if place:
                    i += span
                    break
            if place:
                items.append(Item(place[0], place[1]))
                continue
            i += 1
            if any(c.isdigit() for c in token):
                first_number = not any(it.is_number for it in items)
                part = Part.HOUSE if after_label or first_number else Part.NUMBER
                items.append(Item(_number_text(token), part))
                after_label = False
            elif token in tables.number_labels:
                after_label = True
            elif token in tables.landmark_markers:
                in_landmark = True
            elif token == "floor":
                if items and (items[-1].part is Part.NUMBER or items[-1].text in _FLOOR_WORDS):
                    items[-1] = Item(items[-1].text, Part.FLOOR)
                items.append(Item(token, Part.FLOOR))
            elif token in tables.generic:
                items.append(Item(token, Part.GENERIC))
            elif len(token) == 1:
                items.append(Item(token, Part.LETTER))
            else:
                items.append(Item(token, Part.LANDMARK if in_landmark else Part.WORD))
    chunk_of.extend([chunk_of[-1] + 1 if chunk_of else 0] * (len(items) - len(chunk_of)))
    return ParsedAddress(pin, tuple(_mark_city(items, chunk_of)))


def _mark_city(items: list[Item], chunk_of: list[int]) -> list[Item]:
    """The town is the last place name before the state and PIN: "..., Hospet, Karnataka
    583201". Known cities are tagged already; this finds the others by position."""
    if any(item.part is Part.CITY for item in items):
        return items
    k = len(items) - 1
    while k >= 0 and items[k].part is Part.STATE:
        k -= 1
    if k < 1 or items[k].part is not Part.WORD:
        return items
    # A part of its own ("..., Hospet, ...") of at most two words, or the last word of a
    # line with no commas.
    start = k
    while start - 1 >= 0 and chunk_of[start - 1] == chunk_of[k] and items[start - 1].part is Part.WORD:
        start -= 1
    own_part = (start == 0 or chunk_of[start - 1] != chunk_of[k]) and k - start < 2
    marked = range(start, k + 1) if own_part else range(k, k + 1)
    return [Item(item.text, Part.CITY) if n in marked else item for n, item in enumerate(items)]


_DIGIT_GLYPHS = str.maketrans({"o": "0", "i": "1", "l": "1", "s": "5", "b": "8", "z": "2", "g": "6"})


def _number_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if a.translate(_DIGIT_GLYPHS) == b.translate(_DIGIT_GLYPHS):
        return 0.95  # 218B read as 2188
    if re.sub(r"\D", "", a) == re.sub(r"\D", "", b) and re.sub(r"\D", "", a):
        return 0.85  # "B-102" and "102": same flat, one side left the wing out
    return 0.0


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two addresses relate, before it is turned into a score."""

    coverage_left: float  # weighted share of the left address found in the right one
    coverage_right: float
    pin: str  # "same", "different" or "unknown"
    house: str  # "same", "different" or "unknown"
    numbers_conflict: bool
    word_containment: float  # share of the shorter side's names found in the other side
    word_conflicts: int  # names unmatched on both sides, paired off


def _merge_words(left: list[Item], right: list[Item]) -> tuple[list[Item], list[Item]]:
    left_words, right_words = merge_split_words([i.text for i in left], [i.text for i in right])

    def rebuild(original: list[Item], merged: list[str]) -> list[Item]:
        if len(merged) == len(original):
            return original
        by_text = {i.text: i for i in original}
        return [by_text.get(w, Item(w, Part.WORD)) for w in merged]

    return rebuild(left, left_words), rebuild(right, right_words)


def compare_addresses(a: str, b: str) -> Comparison:
    left, right = parse_address(a), parse_address(b)
    pin = "unknown"
    if left.pin and right.pin:
        pin = "same" if left.pin == right.pin else "different"
    weight_left = weight_right = matched_left = matched_right = 0.0
    # A PIN is strong evidence when both sides give one; a side that leaves it out has not
    # contradicted anything, and the other side's PIN counts for little more than a city.
    pin_weight = _WEIGHTS[Part.PIN] if pin != "unknown" else _OMISSION_WEIGHTS[Part.PIN]
    if left.pin:
        weight_left += pin_weight
    if right.pin:
        weight_right += pin_weight
    if pin == "same":
        matched_left += _WEIGHTS[Part.PIN]
        matched_right += _WEIGHTS[Part.PIN]

    # Numbers: exact, one to one.
    nums_l, nums_r = list(left.numbers), list(right.numbers)
    used: set[int] = set()
    unmatched_l: list[Item] = []
    for item in nums_l:
        best, best_j = 0.0, -1
        for j, other in enumerate(nums_r):
            if j not in used and (s := _number_similarity(item.text, other.text)) > best:
                best, best_j = s, j
        weight_left += item.weight
        if best_j >= 0:
            used.add(best_j)
            matched_left += item.weight * best
            matched_right += nums_r[best_j].weight * best
        else:
            unmatched_l.append(item)
    unmatched_r = [n for j, n in enumerate(nums_r) if j not in used]
    weight_right += sum(n.weight for n in nums_r)
    house_l = [n for n in nums_l if n.part is Part.HOUSE]
    house_r = [n for n in nums_r if n.part is Part.HOUSE]
    house = "unknown"
    if house_l and house_r:
        house = (
            "different"
            if any(n in unmatched_l for n in house_l) and any(n in unmatched_r for n in house_r)
            else "same"
        )
    numbers_conflict = bool(unmatched_l and unmatched_r)

    # Words: fuzzy, one to one. A city the other side leaves out costs little when both
    # sides carry the same PIN, which already names the city.
    words_l, words_r = _merge_words(list(left.words), list(right.words))
    tokens_l = [make_token(w.text) for w in words_l]
    tokens_r = [make_token(w.text) for w in words_r]
    alignment = align(tokens_l, tokens_r, _word_similarity, threshold=_AGREE)

    def weight(item: Item, paired: bool) -> float:
        if paired:
            return item.weight
        if item.part is Part.CITY and pin == "same":
            return 0.2  # the PIN both sides give already names the city
        return _OMISSION_WEIGHTS[item.part]

    paired_l = {i for i, _, _ in alignment.pairs}
    paired_r = {j for _, j, _ in alignment.pairs}
    weight_left += sum(weight(w, i in paired_l) for i, w in enumerate(words_l))
    weight_right += sum(weight(w, j in paired_r) for j, w in enumerate(words_r))
    names_matched_l = names_matched_r = 0.0
    for i, j, s in alignment.pairs:
        matched_left += words_l[i].weight * s
        matched_right += words_r[j].weight * s
        if words_l[i].part is Part.WORD:
            names_matched_l += s
        if words_r[j].part is Part.WORD:
            names_matched_r += s
    names_l = sum(1 for w in words_l if w.part is Part.WORD)
    names_r = sum(1 for w in words_r if w.part is Part.WORD)
    containment = max(
        names_matched_l / names_l if names_l else 0.0,
        names_matched_r / names_r if names_r else 0.0,
    )
    return Comparison(
        coverage_left=matched_left / weight_left if weight_left else 0.0,
        coverage_right=matched_right / weight_right if weight_right else 0.0,
        pin=pin,
        house=house,
        numbers_conflict=numbers_conflict,
        word_containment=containment,
        word_conflicts=min(
            sum(1 for i in alignment.left_only if words_l[i].part is Part.WORD),
            sum(1 for j in alignment.right_only if words_r[j].part is Part.WORD),
        ),
    )


def _word_similarity(a: Token, b: Token) -> float:
    if a.is_initial or b.is_initial:
        return 1.0 if a.raw == b.raw else 0.0
    return token_similarity(a, b)


def score_address(a: str, b: str) -> int:
    """0-100: how completely and consistently the two texts describe one address."""
    if not a.strip() or not b.strip():
        return 0
    if " ".join(ascii_lower(a).split()) == " ".join(ascii_lower(b).split()):
        return 100
    c = compare_addresses(a, b)
    low, high = sorted((c.coverage_left, c.coverage_right))
    # What one side leaves out of the other, weighted; the less complete side counts most.
    # The curve is gentle for a dropped landmark or state (a few percent of the weight) and
    # steep once names go missing: without a building and the city, SPEC's example is ~64.
    missing = min(1.0, max(0.0, 1.0 - (0.85 * low + 0.15 * high)))
    result = 100.0 - 700.0 * missing**2
    # A street or locality name each side has and the other lacks is a different place,
    # not a shorter way of writing one.
    result *= 0.85**c.word_conflicts
    if c.pin == "different":
        result = min(result * 0.5, 40)
    if c.house == "different":
        result = min(result * 0.55, 45)
    elif c.numbers_conflict:
        result *= 0.75
    return max(0, min(100, round(result)))


def score_same_household(a: str, b: str) -> int:
    """0-100 estimate that two addresses are one household: the same house number, PIN and
    street agree, whatever else one side leaves out (a building name, the city)."""
    if not a.strip() or not b.strip():
        return 0
    if " ".join(ascii_lower(a).split()) == " ".join(ascii_lower(b).split()):
        return 100
    c = compare_addresses(a, b)
    house = {"same": 1.0, "unknown": 0.5, "different": 0.0}[c.house]
    pin = {"same": 1.0, "unknown": 0.6, "different": 0.0}[c.pin]
    result = 100 * (0.4 * house + 0.25 * pin + 0.35 * c.word_containment)
    if c.pin == "different":
        result = min(result, 15)
    if c.house == "different":
        result = min(result, 20)
    return max(0, min(100, round(result)))
