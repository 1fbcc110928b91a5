"""Geometry over OCR lines: find labels, and the values that sit after, right of or below them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz

from atlasflow.domain.types import OcrLine

SEPARATORS = " \t:：;-–—#.|)(=>"

_PROSE = re.compile(r"^'?s?\s+(with|to|of|and|the|is|in|for|on|by|at|as|from|shall|will|be|should|must|has|have)\s", re.I)

# Words that caption table columns in bills.
COLUMN_WORDS = frozenset({
    "s", "sr", "sl", "no", "s.no", "sno", "sl.no", "sr.no", "#", "hsn", "sac", "hsn/sac", "qty", "quantity", "rate",
    "price", "unit", "uom", "mrp", "disc", "discount", "gst", "tax", "taxable", "amount", "amt", "total", "value",
    "description", "item", "items", "particulars", "product", "model", "imei", "serial", "%",
})


@dataclass(frozen=True, slots=True)
class LabelHit:
    line: OcrLine
    label: str
    start: int  # label span in line.text
    end: int
    score: float  # 1.0 exact, lower for fuzzy matches
    rank: int  # position of the label in the field's list (0 = most specific)

    @property
    def remainder(self) -> str:
        return self.line.text[self.end :].lstrip(SEPARATORS)

    @property
    def value_start(self) -> int:
        """Where the text after the label and its separators begins."""
        return len(self.line.text) - len(self.line.text[self.end :].lstrip(SEPARATORS))

    @property
    def at_line_start(self) -> bool:
        return not self.line.text[: self.start].strip(SEPARATORS + " ")

    @property
    def looks_like_label(self) -> bool:
        """A label opens its line or is followed by a colon; a lone word inside running text
        ("check the product at delivery") is prose."""
        after = self.line.text[self.end : self.end + 3]
        colon = after.lstrip(" ")[:1] in (":", "#", "|", "：") or after.startswith((" - ", " – "))
        # A table header merged into one line ("S.No HSN/SAC Particulars") is all captions.
        prefix = self.line.text[: self.start].lower().replace("/", " ").split()
        in_header = bool(prefix) and all(w.strip(".:#") in COLUMN_WORDS for w in prefix)
        if not colon and _PROSE.match(self.line.text[self.end :]):
            return False  # "customer's name with hypothecation to …" is a sentence, not a caption
        return self.at_line_start or colon or in_header or (" " in self.label and len(self.label) > 4)


@cache
def label_regex(label: str) -> re.Pattern[str]:
    words = re.findall(r"[0-9a-z']+|#", label.lower())  # "inv #" must not match a bare "INV"
    body = r"[\s.\-_/']*".join(re.escape(w) for w in words)
    # A label may run straight into its number ("MRP12,999", "Ph:98…"), never into more letters.
    return re.compile(r"(?<![0-9a-z])" + body + r"(?![a-z])", re.I)


def find_label(line: OcrLine, label: str, *, fuzzy: bool = True) -> tuple[int, int, float] | None:
    m = label_regex(label).search(line.text)
    if m:
        return m.start(), m.end(), 1.0
    # Long labels tolerate OCR slips ("Invoice N0", "Grand Tota1", a stamp hiding "Au" of
    # "Authorised"), but most of the label must be there.
    need = max(len(label) - 2, int(0.8 * len(label)))
    if not fuzzy or len(label) < 7 or len(line.text) < need:
        return None
    # Long captions survive more slips ("INVONCE DAIE", "CUSTONERADORESS" on a blurred photo).
    long_label = len(label) >= 10
    al = fuzz.partial_ratio_alignment(label.lower(), line.text.lower(), score_cutoff=80 if long_label else 86)
    if al is None or al.src_end - al.src_start < need:
        return None
    start, end = al.dest_start, al.dest_end
    if (start > 0 and line.text[start - 1].isalnum()) or end - start < need:
        return None
    # Near-misses count only where a caption would stand: at the start of a line.
    if line.text[:start].strip(SEPARATORS + " 0123456789"):
        return None
    while end < len(line.text) and line.text[end].isalnum():  # finish the word OCR split ("Hypoth ecation")
        end += 1
    # Each word must be there: "Hypothecation: Sah…" is not "hypothecation with".
    want = re.findall(r"[0-9a-z']+", label.lower())
    got = re.findall(r"[0-9a-z']+", line.text[start:end].lower())
    if len(want) == 1 and len(got) == 1:
        if abs(len(want[0]) - len(got[0])) > 1 or fuzz.ratio(want[0], got[0]) < 88:
            return None
    elif len(got) == len(want):
        if any(fuzz.ratio(a, b) < 75 for a, b in zip(want, got, strict=True)):
            return None
    elif fuzz.ratio("".join(want), "".join(got)) < (82 if long_label else 88):
        return None
    return start, end, al.score / 100


def find_label_hits(lines: Iterable[OcrLine], labels: Sequence[str], *, not_labels: Sequence[str] = ()) -> list[LabelHit]:
    hits: list[LabelHit] = []
    for line in lines:
        if any(label_regex(n).search(line.text) for n in not_labels):
            continue
        best: LabelHit | None = None
        for rank, label in enumerate(labels):
            found = find_label(line, label)
            if found:
                hit = LabelHit(line, label, found[0], found[1], found[2], rank)
                # The longest label on a line wins ("Model Name:" over "Model").
                if hit.looks_like_label and (best is None or hit.end - hit.start > best.end - best.start):
                    best = hit
        if best is not None:
            hits.append(best)
    hits.sort(key=lambda h: (h.rank, -h.score, h.line.page, h.line.cy))
    return hits


def same_row(a: OcrLine, b: OcrLine) -> bool:
    overlap = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    return a.page == b.page and overlap > 0.5 * min(a.height, b.height)


def right_of(anchor: OcrLine, lines: Sequence[OcrLine], *, max_gap: float = 0.75) -> list[OcrLine]:
    found = [
        ln for ln in lines
        if ln is not anchor and same_row(anchor, ln) and ln.box[0] >= anchor.box[2] - 0.01
        and ln.box[0] - anchor.box[2] < max_gap
    ]
    return sorted(found, key=lambda ln: ln.box[0])


def below(anchor: OcrLine, lines: Sequence[OcrLine], *, max_lines: float = 2.6, x0: float | None = None,
          x1: float | None = None) -> list[OcrLine]:
    """Lines under `anchor` (within a few line heights) that overlap its horizontal extent."""
    left = anchor.box[0] if x0 is None else x0
    right = anchor.box[2] if x1 is None else x1
    found = []
    for ln in lines:
        if ln is anchor or ln.page != anchor.page:
            continue
        gap = ln.box[1] - anchor.box[3]
        if gap < -0.3 * anchor.height or gap > max_lines * max(anchor.height, 0.008):
            continue
        overlap = min(ln.box[2], right) - max(ln.box[0], left)
        if overlap > 0 or abs(ln.box[0] - left) < 0.02:
            found.append(ln)
    return sorted(found, key=lambda ln: (ln.box[1], ln.box[0]))


def continuation(first: OcrLine, lines: Sequence[OcrLine], *, limit: int, stop: Iterable[str],
                 align_x: float | None = None, is_caption: Callable[[OcrLine], bool] | None = None) -> list[OcrLine]:
    """The lines that continue a block (an address) below `first`, left-aligned and closely spaced.

    `align_x` is where the value starts when it follows a label on the first line ("Addr: D. No. …")."""
    stop = tuple(stop)
    left = first.box[0] if align_x is None else align_x
    block = [first]
    current = first
    while len(block) < limit:
        nxt = [
            ln for ln in lines
            if ln.page == current.page and ln not in block
            and 0 <= ln.box[1] - current.box[3] + 0.3 * current.height < 1.9 * current.height + 0.004
            and (abs(ln.box[0] - left) < 0.03 or abs(ln.box[0] - first.box[0]) < 0.03 or abs(ln.cx - first.cx) < 0.03)
        ]
        if not nxt:
            break
        ln = min(nxt, key=lambda x: x.box[1])
        if any(label_regex(s).search(ln.text) for s in stop):
            break
        # In a grid a new row starts with its own caption on the left, in a bill's item table with its
        # serial number ("2", "2."): the value cell ended.
        beside = [o for o in lines if o is not ln and same_row(o, ln) and o.box[2] <= ln.box[0] + 0.01]
        if any(re.fullmatch(r"\d{1,3}[.)]?", o.text.strip()) for o in beside):
            break
        if is_caption is not None and any(is_caption(o) for o in beside):
            break
        block.append(ln)
        current = ln
    return block


def cut_at_labels(text: str, labels: Iterable[str]) -> str:
    """Cut `text` where another label starts: OCR often merges "Name: X   Mobile: Y" into one line.

    Only a label followed by a colon-like separator (or a multi-word label) cuts: "Royal Mobile
    Zone" is a shop's name, "Ravi  Mobile: 98…" is two fields."""
    cut = len(text)
    for label in labels:
        for m in label_regex(label).finditer(text):
            if m.start() == 0:
                continue
            after = text[m.end() : m.end() + 3].lstrip(" ")
            if after[:1] in (":", "-", "#", "|", "：") or (" " in label and len(label) > 6):
                cut = min(cut, m.start())
                break
    return text[:cut].rstrip(SEPARATORS + " ")


def union_box(lines: Sequence[OcrLine]) -> tuple[float, float, float, float]:
    return (
        min(ln.box[0] for ln in lines),
        min(ln.box[1] for ln in lines),
        max(ln.box[2] for ln in lines),
        max(ln.box[3] for ln in lines),
    )
