"""String primitives shared by the scorers: OCR folding, a phonetic key for Indian
spellings, token similarity and token alignment."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz.distance import OSA

from atlasflow.similarity._data import load_table

_NON_WORD = re.compile(r"[^0-9a-z]+")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII: accents dropped (Ã -> a), anything else non-ASCII removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def words(text: str) -> list[str]:
    """Alphanumeric runs of lower-cased text; apostrophes join (D'Souza -> dsouza)."""
    return [w for w in _NON_WORD.split(ascii_lower(text).replace("'", "").replace("`", "")) if w]


@cache
def _rules() -> dict[str, list[list[str]]]:
    return load_table("phonetics")


def _apply(rules: list[list[str]], text: str) -> str:
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text)
    return text


@cache
def ocr_fold(word: str) -> str:
    """Fold glyphs OCR confuses inside a word of letters (0/o, 1/l/i, 5/s, rn/m...)."""
    return _apply(_rules()["ocr_letters"], word)


@cache
def phonetic_key(word: str) -> str:
    """A key equal for common romanisations of one Indian word (Shrinivas/Srinivas,
    Laxmi/Lakshmi, Gaurav/Gourav, Siddharth/Sidharth, Narayana/Narayan)."""
    key = _apply(_rules()["phonetic"], word)
    return re.sub(r"(.)\1+", r"\1", key) or word


@dataclass(frozen=True, slots=True)
class Token:
    """One word with the keys it is compared by."""

    raw: str
    key: str  # phonetic key of the word as written
    okey: str  # phonetic key after OCR folding

    @property
    def is_initial(self) -> bool:
        return len(self.raw) == 1 and self.raw.isalpha()


@cache
def make_token(word: str) -> Token:
    return Token(word, phonetic_key(word), phonetic_key(ocr_fold(word)))


def key_similarity(a: str, b: str) -> float:
    """0-1 similarity of two keys; a transposition costs as much as one typo."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    return 1.0 - OSA.distance(a, b) / longest if longest else 0.0


def token_similarity(a: Token, b: Token) -> float:
    """0-1 similarity of two full words: spelling variants and OCR glyph swaps cost little,
    any other difference costs what an edit distance says."""
    if a.raw == b.raw:
        return 1.0
    if a.key == b.key:
        return 0.97
    if a.okey == b.okey:
        return 0.95
    return max(key_similarity(a.key, b.key), key_similarity(a.okey, b.okey) - 0.02)


@dataclass(frozen=True, slots=True)
class Alignment:
    """Which tokens of two sequences correspond, with each pair's similarity."""

    pairs: tuple[tuple[int, int, float], ...]
    left_only: tuple[int, ...]
    right_only: tuple[int, ...]


def align(
    left: Sequence[Token],
    right: Sequence[Token],
    similarity: Callable[[Token, Token], float],
    *,
    threshold: float,
) -> Alignment:
    """Greedy one-to-one pairing, best pairs first; pairs below `threshold` stay unpaired.

    Greedy is exact enough for the handful of words in a name or an address line, and keeps
    scoring in the thousands of pairs per second.
    """
    candidates = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            s = similarity(a, b)
            if s >= threshold:
                candidates.append((s, -abs(i - j), i, j))
    candidates.sort(reverse=True)
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for s, _, i, j in candidates:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        pairs.append((i, j, s))
    return Alignment(
        tuple(sorted(pairs)),
        tuple(i for i in range(len(left)) if i not in used_left),
        tuple(j for j in range(len(right)) if j not in used_right),
    )


def merge_split_words(left: list[str], right: list[str]) -> tuple[list[str], list[str]]:
    """Join adjacent words on one side when together they spell one word of the other side
    (Gandhi Nagar / Gandhinagar, Abdul Rahman / Abdulrahman)."""

    def merge(side: list[str], other: list[str]) -> list[str]:
        other_keys = {make_token(w).key for w in other if len(w) > 3}
        if not other_keys:
            return side
        out: list[str] = []
        i = 0
        while i < len(side):
            merged = False
            for span in (3, 2):
                if i + span <= len(side):
                    joined = "".join(side[i : i + span])
                    if make_token(joined).key in other_keys:
                        out.append(joined)
                        i += span
                        merged = True
                        break
            if not merged:
                out.append(side[i])
                i += 1
        return out

    return merge(left, right), merge(right, left)
