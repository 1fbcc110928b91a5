"""String primitives shared by the scorers: OCR folding, a phonetic key for Indian
spellings, token similarity and token alignment."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from atlasflow.similarity._data import load_table

_NON_WORD = re.compile(r"[^0-9a-z]+")
# Words repeat across pairs (Kumar, Road, Nagar); bounded so a long-running service stays small.
_WORD_CACHE = 1 << 16


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


@lru_cache(maxsize=_WORD_CACHE)
def ocr_fold(word: str) -> str:
    """Fold glyphs OCR confuses inside a word of letters (0/o, 1/l/i, 5/s, rn/m...)."""
    return _apply(_rules()["ocr_letters"], word)


@lru_cache(maxsize=_WORD_CACHE)
def digit_fold(word: str) -> str:
    """Letters for the digits OCR reads inside a word of letters (5hri -> shri)."""
    return _apply(_rules()["ocr_digits"], word) if any(c.isdigit() for c in word) else word


@lru_cache(maxsize=_WORD_CACHE)
def phonetic_key(word: str) -> str:
    """A key equal for common romanisations of one Indian word (Shrinivas/Srinivas,
    Laxmi/Lakshmi, Gaurav/Gourav, Siddharth/Sidharth, Narayana/Narayan)."""
    key = _apply(_rules()["phonetic"], word)
    return re.sub(r"(.)\1+", r"\1", key) or word


@dataclass(frozen=True, slots=True)
class Token:
    """One word with the keys it is compared by."""

    raw: str
    key: str  # phonetic key of the word as written (digits read as the letters they look like)
    okey: str  # phonetic key after folding every glyph OCR confuses
    alt: str = ""  # key of the spelling a variant table maps the word to (Basu -> Bose)

    @property
    def is_initial(self) -> bool:
        return len(self.raw) == 1 and self.raw.isalpha()


@lru_cache(maxsize=_WORD_CACHE)
def make_token(word: str, canonical: str = "") -> Token:
    alt = phonetic_key(canonical) if canonical and canonical != word else ""
    return Token(word, phonetic_key(digit_fold(word)), phonetic_key(ocr_fold(word)), alt)


def key_similarity(a: str, b: str) -> float:
    """0-1 similarity of two keys; a transposition costs as much as one typo."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    return 1.0 - OSA.distance(a, b) / longest if longest else 0.0


@cache
def _confusable_pairs() -> frozenset[frozenset[str]]:
    """Letter pairs one slip of a finger (neighbouring keys) or of OCR (look-alike glyphs)
    turns into each other."""
    rules = _rules()
    pairs: set[frozenset[str]] = set()
    rows = rules["keyboard_rows"]
    for r, row in enumerate(rows):
        for c, char in enumerate(row):
            neighbours = [row[c - 1] if c else "", row[c + 1] if c + 1 < len(row) else ""]
            if r + 1 < len(rows):
                below = rows[r + 1]
                neighbours += [below[k] for k in (c - 1, c) if 0 <= k < len(below)]
            pairs.update(frozenset((char, n)) for n in neighbours if n and n != char)
    for pattern, replacement in rules["ocr_letters"] + rules["ocr_digits"]:
        if len(pattern) == 1 and len(replacement) == 1:
            pairs.add(frozenset((pattern, replacement)))
    return frozenset(pairs)


def _slip_penalty(a: str, b: str) -> float | None:
    """What turning `a` into `b` by slips costs (0-1), or None past two edits. A swap of two
    letters or a neighbouring key is a slip; another letter in place of one is more often
    another name (Mitesh/Hitesh, Janaki/Janani) and costs most."""
    if OSA.distance(a, b) > 2:
        return None
    if Levenshtein.distance(a, b) == 2 and OSA.distance(a, b) == 1:
        return 0.06  # two neighbouring letters swapped
    confusable = _confusable_pairs()
    penalty = 0.0
    for edit in Levenshtein.editops(a, b):
        op, i, j = edit.tag, edit.src_pos, edit.dest_pos
        if op == "replace":
            penalty += 0.12 if frozenset((a[i], b[j])) in confusable else 0.35
        else:
            longer = a if op == "delete" else b
            k = i if op == "delete" else j
            doubled = (k > 0 and longer[k - 1] == longer[k]) or (
                k + 1 < len(longer) and longer[k + 1] == longer[k]
            )
            penalty += 0.05 if doubled else 0.15 if min(len(a), len(b)) >= 4 else 0.3
    return min(1.0, penalty)


def token_similarity(a: Token, b: Token) -> float:
    """0-1 similarity of two full words: spelling variants and OCR glyph swaps cost little,
    slips of a finger a little more, another letter most."""
    if a.raw == b.raw:
        return 1.0
    if a.key == b.key or (a.alt or a.key) == (b.alt or b.key):
        return 0.97
    if a.okey == b.okey:
        return 0.95
    penalty = _slip_penalty(digit_fold(a.raw), digit_fold(b.raw))
    if penalty is not None:
        return 1.0 - penalty
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
    (Gandhi Nagar / Gandhinagar, Abdul Rahman / Abdulrahman, Mobile Gallery / MobileGallery)."""

    def merge(side: list[str], other: list[str]) -> list[str]:
        other_tokens = [make_token(w) for w in other if len(w) >= 6 and w.isalpha()]
        if not other_tokens or len(side) < 2:
            return side
        other_keys = {make_token(w).key for w in other}
        out: list[str] = []
        i = 0
        while i < len(side):
            best_span, best = 1, 0.0
            for span in (2, 3):
                parts = side[i : i + span]
                # Initials and words the other side already has are not halves of a word.
                if len(parts) < span or any(len(p) < 2 or make_token(p).key in other_keys for p in parts):
                    break
                joined = make_token("".join(parts))
                s = max(
                    1.0 if joined.key == t.key else key_similarity(joined.okey, t.okey) for t in other_tokens
                )
                if s >= 0.88 and s > best:
                    best_span, best = span, s
            out.append("".join(side[i : i + best_span]))
            i += best_span
        return out

    return merge(left, right), merge(right, left)


def folded_index(words_: Iterable[str]) -> dict[str, str]:
    """Index words by their OCR-folded form, to find a table word OCR garbled (Sr1 -> sri)."""
    return {ocr_fold(w): w for w in words_}


def fold_lookup(
    word: str, table: Mapping[str, object] | AbstractSet[str], folded: Mapping[str, str]
) -> str | None:
    """The table word this word is, as written or as OCR may have garbled it; else None."""
    if word in table:
        return word
    return folded.get(ocr_fold(word))
