"""Name scorers: people (honorifics, initials, token order, missing parts, romanisation
variants, OCR glyph swaps) and businesses (legal suffixes, trade words)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from atlasflow.similarity._data import load_table, variant_map
from atlasflow.similarity.text import (
    Token,
    align,
    digit_fold,
    fold_lookup,
    folded_index,
    make_token,
    merge_split_words,
    ocr_fold,
    phonetic_key,
    token_similarity,
    words,
)

# Two words are the same word of a name from this similarity up; below it they disagree.
AGREE = 0.8
_INITIAL_WEIGHT = 0.35


@dataclass(frozen=True, slots=True)
class _Tables:
    honorifics: frozenset[str]
    markers: tuple[tuple[str, ...], ...]
    variants: dict[str, str]
    business: frozenset[str]
    business_abbr: dict[str, str]
    legal: frozenset[str]
    soft: frozenset[str]
    folded: dict[str, str]  # OCR-folded spelling -> the table word, over every table above
    keyed: dict[str, str]  # phonetic key -> business, legal or prefix word


@cache
def _tables() -> _Tables:
    table = load_table("names")
    return _Tables(
        honorifics=frozenset(table["honorifics"]),
        markers=tuple(tuple(m.split()) for m in table["relation_markers"]),
        variants=variant_map(table["variants"]),
        business=frozenset(table["business_words"]),
        business_abbr=dict(table["business_abbreviations"]),
        legal=frozenset(table["business_legal"]),
        soft=frozenset(table["business_soft"]),
        folded=folded_index(
            [
                *table["honorifics"],
                *table["business_words"],
                *table["business_abbreviations"],
                *table["business_legal"],
                *table["business_soft"],
            ]
            + [w for group in table["variants"] for w in group]
        ),
        keyed={
            phonetic_key(w): w
            for w in [*table["business_legal"], *table["business_soft"], *table["business_words"]]
            if len(w) >= 3
        },
    )


_VOWELS = frozenset("aeiouy")


def _split_initials(word: str) -> list[str]:
    # "KVS Ramesh", "AR Rahman": a short run of consonants is a string of initials.
    if 2 <= len(word) <= 3 and word.isalpha() and not (set(word) & _VOWELS):
        return list(word)
    return [word]


def _known(word: str, table: dict[str, str] | frozenset[str], *, min_length: int) -> str | None:
    """The table word this word is, as written or as OCR garbled it (Kvmari, Mobammed)."""
    if word in table:
        return word
    if len(word) >= min_length:
        found = fold_lookup(word, table, _tables().folded)
        return found if found in table else None
    return None


def _name_words(text: str, *, drop_honorifics: bool = True) -> list[str]:
    """A person's name as words: digits read as letters, relation suffix (S/O ...) cut,
    leading honorifics dropped, consonant runs split to initials (KVS -> k v s)."""
    tables = _tables()
    # "and" joins names of firms, never the parts of one person's name.
    ws = [digit_fold(w) for w in words(text) if w != "and"]
    for i in range(1, len(ws)):
        if any(tuple(ws[i : i + len(m)]) == m for m in tables.markers):
            ws = ws[:i]
            break
    if drop_honorifics:
        ws = _drop_honorifics(ws)
    out: list[str] = []
    for w in ws:
        keep = _known(w, tables.variants, min_length=4) or _known(w, tables.honorifics, min_length=3)
        out.extend([w] if keep else _split_initials(w))
    return out


def _drop_honorifics(ws: list[str]) -> list[str]:
    while len(ws) > 1 and _known(ws[0], _tables().honorifics, min_length=3):
        ws = ws[1:]
    return ws


def _canonical(word: str) -> str:
    tables = _tables()
    known = _known(word, tables.variants, min_length=4)
    return tables.variants[known] if known else word


def person_words(text: str) -> list[str]:
    """The words of a person's name, known spelling variants mapped to one spelling."""
    return [_canonical(w) for w in _name_words(text)]


def _pair_similarity(a: Token, b: Token) -> float:
    if a.is_initial and b.is_initial:
        return 1.0 if a.raw == b.raw else 0.0
    if a.is_initial or b.is_initial:
        full = b if a.is_initial else a
        initial = a if a.is_initial else b
        return 0.9 if initial.raw in (full.raw[0], full.okey[:1]) else 0.0
    return token_similarity(a, b)


def _weight(token: Token) -> float:
    return _INITIAL_WEIGHT if token.is_initial else 1.0


def _agreement_factor(similarity: float) -> float:
    # Spelling variants and glyph swaps (0.95-1.0) cost a point or two; slips cost what
    # `token_similarity` says, and another letter in place of one falls below AGREE.
    if similarity >= 0.95:
        return 1.0 - (1.0 - similarity) * 0.5
    return similarity


def _tokens(ws: Sequence[str]) -> list[Token]:
    return [make_token(w, _canonical(w)) for w in ws]


def _fallback(a: Sequence[Token], b: Sequence[Token], cap: float) -> int:
    """Nothing agrees: a low score that still orders near misses above strangers."""
    left = " ".join(sorted(t.key for t in a))
    right = " ".join(sorted(t.key for t in b))
    return round(cap * fuzz.ratio(left, right) / 100)


def score_person(a: str, b: str) -> int:
    # Join split words before dropping honorifics: "Sri Devi" may be how the other side's
    # "Sridevi" was written, and then "Sri" is part of the name.
    left_words, right_words = merge_split_words(
        _name_words(a, drop_honorifics=False), _name_words(b, drop_honorifics=False)
    )
    left_words, right_words = _drop_honorifics(left_words), _drop_honorifics(right_words)
    left, right = _tokens(left_words), _tokens(right_words)
    if not left or not right:
        return 0
    if left_words == right_words:
        return 100
    alignment = align(left, right, _pair_similarity, threshold=AGREE)
    agreed_weight = sum(min(_weight(left[i]), _weight(right[j])) for i, j, _ in alignment.pairs)
    full_agreed = [(i, j) for i, j, _ in alignment.pairs if not (left[i].is_initial or right[j].is_initial)]
    if not full_agreed:
        # Only initials (or nothing) agree: not enough to call two people the same.
        return (
            min(_fallback(left, right, 45.0), 45)
            if agreed_weight == 0
            else min(50, round(40 + 10 * agreed_weight))
        )
    result = 1.0
    for i, j, s in alignment.pairs:
        # An initial that fits is consistent, not proof: it costs a little, never more.
        result *= 0.97 if left[i].is_initial or right[j].is_initial else _agreement_factor(s)
    left_rest = [left[i] for i in alignment.left_only]
    right_rest = [right[j] for j in alignment.right_only]
    conflicts = min(len(left_rest), len(right_rest))
    # A word present on both sides that differs is a different person; one side naming
    # more parts (a surname, a middle name) is how the same person is written differently.
    for k in range(conflicts):
        both_initials = left_rest[k].is_initial and right_rest[k].is_initial
        # Two different given names (the first word on both sides) are two people even when
        # the family name agrees: that is how siblings and spouses are written.
        given_names = alignment.left_only[k] == 0 and alignment.right_only[k] == 0 and not both_initials
        result *= 0.65 if both_initials else 0.45 if given_names else 0.6
    extra = left_rest[conflicts:] + right_rest[conflicts:]
    first_missing = True
    longer = left if len(left) >= len(right) else right
    longer_first_matched = any(
        (i == 0 if longer is left else j == 0) for i, j, _ in alignment.pairs if not longer[0].is_initial
    )
    for token in extra:
        if token.is_initial:
            result *= 0.99
        elif first_missing:
            result *= 0.95 if longer_first_matched else 0.92
            first_missing = False
        else:
            result *= 0.97
    return max(0, min(100, round(100 * result)))


# --- businesses -------------------------------------------------------------------------


def _join_letter_runs(ws: list[str]) -> list[str]:
    # "A.B.C. Electronics" and "ABC Electronics" are one name.
    out: list[str] = []
    run = ""
    for w in ws:
        if len(w) == 1 and w.isalpha():
            run += w
            continue
        if run:
            out.append(run)
            run = ""
        out.append(w)
    if run:
        out.append(run)
    return out


def _business_word(word: str) -> str:
    """The table spelling of a word of a business name, through abbreviations, other
    spellings (Pointt, Nev) and OCR (0m, Mobilc)."""
    tables = _tables()
    if any(c.isalpha() for c in word):
        word = digit_fold(word)
    word = tables.business_abbr.get(word, word)
    if word in tables.business or word in tables.legal or word in tables.soft or len(word) < 2:
        return word
    found = tables.keyed.get(phonetic_key(word)) or (
        tables.folded.get(ocr_fold(word)) if len(word) >= 3 else None
    )
    return tables.business_abbr.get(found, found) if found else word


def business_words(text: str, other: str = "") -> tuple[list[str], list[str], list[str]]:
    """(distinctive, trade, soft) words of a business name, legal suffixes dropped; words
    split or joined differently from `other` (Mobile Gallery / MobileGallery) are joined."""
    tables = _tables()
    ws = _join_letter_runs(words(text.replace("&", " and ")))
    if other:
        ws, _ = merge_split_words(ws, _join_letter_runs(words(other.replace("&", " and "))))
    distinctive: list[str] = []
    trade: list[str] = []
    soft_words: list[str] = []
    for w in map(_business_word, ws):
        if w in tables.legal:
            continue
        if w in tables.business:
            trade.append(w)
        elif w in tables.soft:
            soft_words.append(w)
        else:
            distinctive.append(w)
    return distinctive, trade, soft_words


def looks_like_business(text: str) -> bool:
    tables = _tables()
    return any(
        w in tables.business or (w in tables.legal and w not in ("and", "the", "of", "ms"))
        for w in map(_business_word, words(text))
    )


def score_business(a: str, b: str) -> int:
    dist_a, trade_a, soft_a = business_words(a, b)
    dist_b, trade_b, soft_b = business_words(b, a)
    if not (dist_a or trade_a or soft_a) or not (dist_b or trade_b or soft_b):
        return 0
    promoted = not dist_a or not dist_b
    if promoted and (not (dist_a or soft_a) or not (dist_b or soft_b)):
        # "Om Traders": a prefix word is the whole name; "Mobile Point": so are trade words.
        dist_a, dist_b, trade_a, trade_b = dist_a + trade_a, dist_b + trade_b, [], []
    left, right = _tokens(dist_a + soft_a), _tokens(dist_b + soft_b)
    soft_left, soft_right = set(range(len(dist_a), len(left))), set(range(len(dist_b), len(right)))
    alignment = align(left, right, token_similarity, threshold=AGREE)
    if not alignment.pairs or (not promoted and all(i in soft_left for i, _, _ in alignment.pairs)):
        return _fallback(left, right, 45.0)
    result = 1.0
    for _, _, s in alignment.pairs:
        result *= _agreement_factor(s)
    hard_left = [i for i in alignment.left_only if i not in soft_left]
    hard_right = [j for j in alignment.right_only if j not in soft_right]
    soft_left_missing = len(alignment.left_only) - len(hard_left)
    soft_right_missing = len(alignment.right_only) - len(hard_right)
    # Two different names where one was expected. When a side has nothing but prefix words
    # (New India Stores), those are its name and can disagree too.
    if promoted:
        conflicts = min(len(alignment.left_only), len(alignment.right_only))
    else:
        conflicts = min(len(hard_left), len(hard_right))
    result *= 0.5**conflicts
    # Shops drop words of their own name less often than people drop a surname; a prefix
    # (Sri, New, Jai) comes and goes.
    hard_missing = max(0, len(hard_left) - conflicts) + max(0, len(hard_right) - conflicts)
    soft_missing = soft_left_missing + soft_right_missing
    if promoted:
        soft_missing -= max(0, conflicts - len(hard_left)) + max(0, conflicts - len(hard_right))
    result *= 0.85**hard_missing * 0.97**soft_missing
    set_a, set_b = set(trade_a), set(trade_b)
    if set_a and set_b:
        if not set_a & set_b:
            result *= 0.75
        elif set_a != set_b:
            result *= 0.97
    return max(0, min(100, round(100 * result)))


def score_name(a: str, b: str) -> int:
    """A person's name, or a business's when either side carries trade words (DEALER_NAME)."""
    if looks_like_business(a) or looks_like_business(b):
        return score_business(a, b)
    return score_person(a, b)
