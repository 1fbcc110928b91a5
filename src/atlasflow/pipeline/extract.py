"""The generic field extractor: reads a document's declarations and finds each field's value.

For every field it gathers candidates — the text after a label on the same line, the box to
its right, the line below it, a page-wide pattern, a section's first line, a block after another
field — parses each with the field's typed parser, and keeps the best. Each choice carries the
evidence the confidence model needs (`Extraction.features`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from atlasflow.documents.base import DocumentSpec, FieldSpec, Source, Strategy
from atlasflow.domain.types import Kind, OcrLine, OcrPage
from atlasflow.pipeline import layout
from atlasflow.pipeline.parsers import Parsed, parse_value

# Words that end an address or name block even when no field of this type is labelled so.
GENERIC_STOPS = (
    "gstin", "gst no", "gst", "phone", "ph", "mobile", "mob", "email", "e-mail", "tel", "contact",
    "state code", "pan", "place of supply", "date", "invoice", "cin", "website", "fssai", "dl no",
    "sub", "subject", "dear", "ref", "kind attn", "regd office", "details",
)

# A wrapped item description ends where its identifiers start.
MODEL_STOPS = ("imei", "imei1", "imei 1", "serial", "s/n", "sr no", "serial no", "hsn", "warranty", "colour", "color")

_PATTERN_KINDS = {Kind.GSTIN, Kind.PAN, Kind.AADHAAR, Kind.IMEI_LIST, Kind.MOBILE, Kind.GENDER, Kind.DATE}


@dataclass(frozen=True, slots=True)
class Extraction:
    """A field's chosen value and the evidence behind it."""

    value: Any
    lines: tuple[OcrLine, ...] = ()
    how: str = "none"
    label_score: float = 0.0
    label_rank: int = 0
    valid: bool | None = None
    repaired: bool = False
    agree: int = 0
    section_found: bool | None = None
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.value not in ("", [], None)

    @property
    def ocr_score(self) -> float:
        return min((ln.score for ln in self.lines), default=0.0)


@dataclass(frozen=True, slots=True)
class Region:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def contains(self, line: OcrLine) -> bool:
        return (
            line.page == self.page and self.y0 <= line.cy <= self.y1 and self.x0 <= line.cx <= self.x1
        )


_TABLE_WORDS = ("description", "item description", "qty", "quantity", "hsn", "hsn/sac", "rate", "amount", "particulars",
                "sr", "s no", "sl no", "sr no", "total", "unit price", "price", "taxable", "taxable value", "disc",
                "discount", "gst", "gst %", "tax", "#", "uom", "mrp")


_WATERMARKS = ("SPECIMEN", "SAMPLE")


def _is_watermark(line: OcrLine) -> bool:
    """Pieces of a diagonal SPECIMEN stamp that OCR reads as words ("PECIMEN", "IMEN"), and QR-code
    modules read as "O:O" (fewer than two distinct characters)."""
    chars = {c for c in line.text.upper().replace("0", "O") if c.isalnum()}
    if chars <= {"O"}:
        return True
    word = "".join(c for c in line.text.upper() if c.isalpha())
    return 3 <= len(word) <= 9 and any(word in w or fuzz.ratio(word, w) >= 80 for w in _WATERMARKS)


def _is_table_word(line: OcrLine) -> bool:
    return any(layout.label_regex(w).fullmatch(line.text.strip(" :.")) for w in _TABLE_WORDS + ("model", "item", "product"))


def _is_table_header(line: OcrLine) -> bool:
    low = line.text.lower()
    return sum(1 for w in _TABLE_WORDS if layout.label_regex(w).search(low)) >= 3


def table_header_tops(lines: Sequence[OcrLine]) -> list[tuple[int, float]]:
    """(page, top) of rows that look like a table's header: several column words side by side."""
    tops = []
    for ln in lines:
        if not _is_table_word(ln) and not _is_table_header(ln):
            continue
        row = [o for o in lines if layout.same_row(o, ln)]
        if _is_table_header(ln) or sum(_is_table_word(o) for o in row) >= 3:
            tops.append((ln.page, min(o.box[1] for o in row)))
    return tops


def find_sections(spec: DocumentSpec, lines: Sequence[OcrLine], *, is_caption: Callable[[OcrLine], bool]) -> dict[str, Region]:
    anchors: dict[str, OcrLine] = {}
    lefts: dict[str, float] = {}
    for name, phrases in spec.sections.items():
        hits = layout.find_label_hits(lines, phrases)
        if hits:
            anchor = min((h.line for h in hits), key=lambda ln: (ln.page, ln.cy))
            # Phrases side by side ("INCOME TAX DEPARTMENT   GOVT. OF INDIA") open one block together.
            row = [h.line for h in hits if layout.same_row(h.line, anchor)]
            anchors[name] = max(row, key=lambda ln: ln.box[2])
            lefts[name] = min(ln.box[0] for ln in row)
    tables = table_header_tops(lines)
    regions: dict[str, Region] = {}
    for name, anchor in anchors.items():
        own = tuple(lab for f in spec.fields if f.section == name for lab in f.labels)
        # A block ends at the next column's caption on its first row (two-column headers), but
        # not at a caption of its own fields (a form's "Name" | "Address" row) nor at a value.
        x1 = 1.0
        for other in lines:
            if (other is not anchor and layout.same_row(anchor, other) and other.box[0] > anchor.box[2] + 0.05
                    and is_caption(other) and not layout.find_label_hits([other], own)):
                x1 = min(x1, other.box[0] - 0.005)
        y1 = 1.0
        for page, top in tables:
            if page == anchor.page and top > anchor.box[3]:
                y1 = min(y1, top - 0.002)
        for other in anchors.values():
            if other is not anchor and other.page == anchor.page and other.box[1] > anchor.box[3] and other.box[0] < x1:
                y1 = min(y1, other.box[1] - 0.002)
        regions[name] = Region(anchor.page, max(0.0, lefts[name] - 0.03), anchor.box[1] - 0.002, x1, y1)
    return regions


class _DocumentContext:
    """Everything about one document that every field's search shares."""

    def __init__(self, spec: DocumentSpec, pages: Sequence[OcrPage]) -> None:
        self.spec = spec
        self.lines: list[OcrLine] = [ln for p in pages for ln in p.lines if not _is_watermark(ln)]
        self.table_tops = table_header_tops(self.lines)
        self.all_labels = tuple(dict.fromkeys(lab for f in spec.fields for lab in f.labels))
        self.stops = tuple(dict.fromkeys(self.all_labels + GENERIC_STOPS))
        self.section_phrases = tuple(p for phrases in spec.sections.values() for p in phrases)
        self.regions = find_sections(spec, self.lines, is_caption=self.is_caption)
        self.cue_phrases = tuple(c for c, _ in spec.cues)
        self._hits = self._all_hits()

    def _all_hits(self) -> dict[str, list[layout.LabelHit]]:
        hits = {
            f.name: layout.find_label_hits(self.lines, f.labels, not_labels=f.not_labels)
            for f in self.spec.fields if f.source is Source.TEXT
        }
        # A short label inside another field's longer label on the same line is not a label
        # ("name" in "Dealer Name", "date" in "DO Date" when reading the invoice date elsewhere).
        flat = [(name, h) for name, hs in hits.items() for h in hs]
        kept: dict[str, list[layout.LabelHit]] = {}
        for name, h in flat:
            shadowed = any(
                o is not h and oname != name and o.line is h.line and o.start <= h.start and o.end >= h.end
                and (o.end - o.start) > (h.end - h.start)
                for oname, o in flat
            )
            if not shadowed:
                kept.setdefault(name, []).append(h)
        return kept

    def is_caption(self, line: OcrLine) -> bool:
        return self.starts_with_label(line) or bool(layout.find_label_hits([line], self.section_phrases))

    def starts_with_label(self, line: OcrLine) -> bool:
        """The line opens with a label (another cell's caption), so it is not a value."""
        text = line.text.lstrip(layout.SEPARATORS)
        if _is_table_word(line):
            return True
        for lab in self.stops:
            m = layout.label_regex(lab).match(text)
            if m and (len(lab) > 3 or text[m.end() : m.end() + 2].strip()[:1] in (":", "-", "#", "")):
                return True
        return False

    def hits(self, spec: FieldSpec) -> list[layout.LabelHit]:
        return self._hits.get(spec.name, [])

    def lines_for(self, spec: FieldSpec) -> tuple[list[OcrLine], bool | None]:
        if spec.section:
            region = self.regions.get(spec.section)
            if region is None:
                return self.lines, False
            return [ln for ln in self.lines if region.contains(ln)], True
        avoid = [r for name, r in self.regions.items() if name in spec.avoid]
        if avoid:
            return [ln for ln in self.lines if not any(r.contains(ln) for r in avoid)], None
        return self.lines, None


def _parse_lines(kind: Kind, lines: Sequence[OcrLine], *, stops: Sequence[str], first_text: str | None = None) -> Parsed | None:
    texts = [first_text if (i == 0 and first_text is not None) else ln.text for i, ln in enumerate(lines)]
    texts = [layout.cut_at_labels(t, stops) if i > 0 or first_text is None else t for i, t in enumerate(texts)]
    texts = [t for t in texts if t.strip(layout.SEPARATORS)]
    if not texts:
        return None
    text = ", ".join(t.strip(" ,") for t in texts) if kind is Kind.ADDRESS else " ".join(texts)
    return parse_value(kind, text)


def _reaches_margin(ctx: _DocumentContext, line: OcrLine) -> bool:
    right = max((ln.box[2] for ln in ctx.lines if ln.page == line.page), default=1.0)
    return line.box[2] >= right - 0.06


def _candidates_from_hit(ctx: _DocumentContext, spec: FieldSpec, hit: layout.LabelHit, pool: Sequence[OcrLine]) -> list[Extraction]:
    out: list[Extraction] = []
    others = tuple(lab for lab in ctx.stops if lab not in spec.labels)
    limit = spec.max_lines

    def add(lines: list[OcrLine], how: str, first_text: str | None = None) -> None:
        if limit > 1 and lines and (spec.kind in (Kind.ADDRESS, Kind.MODEL) or _reaches_margin(ctx, lines[0])):
            # Addresses run over lines; a long item description wraps inside its table cell; a name
            # continues only when its line ran into the margin ("… Finance" / "Ltd" on a receipt).
            align = None
            if how == "same_line":
                ln = lines[0]
                align = ln.box[0] + (ln.box[2] - ln.box[0]) * hit.value_start / max(1, len(ln.text))
            lines = layout.continuation(lines[0], pool, limit=limit, stop=ctx.stops + MODEL_STOPS, align_x=align,
                                        is_caption=ctx.is_caption)
        parsed = _parse_lines(spec.kind, lines, stops=others, first_text=first_text)
        if parsed is not None:
            out.append(Extraction(parsed.value, tuple(lines), how, hit.score, hit.rank, parsed.valid, parsed.repaired))

    remainder = layout.cut_at_labels(hit.remainder, others)
    # "SELLER / DEALER", "IMEI / Serial No.": what follows a connective is more label, not a value.
    if remainder and not re.match(r"^(/|&|\(|or\b|and\b|details\b|information\b|info\b)", remainder, re.I):
        add([hit.line], "same_line", remainder)
    # In a table's header row the cell to the right is the next column's header, not a value.
    in_table_header = any(
        page == hit.line.page and abs(top - hit.line.box[1]) < hit.line.height for page, top in ctx.table_tops
    )
    right = [] if in_table_header else [ln for ln in layout.right_of(hit.line, pool) if not ctx.starts_with_label(ln)]
    if right:
        add([right[0]], "right", layout.cut_at_labels(right[0].text, others))
    if spec.below:
        # Below the label itself, not below the whole merged line.
        line = hit.line
        x0 = line.box[0] + (line.box[2] - line.box[0]) * hit.start / max(1, len(line.text))
        under = [ln for ln in layout.below(line, pool, x0=x0) if not ctx.starts_with_label(ln)]
        if under:
            add([under[0]], "below", layout.cut_at_labels(under[0].text, others))
    return out


def _pattern_candidates(spec: FieldSpec, pool: Sequence[OcrLine]) -> list[Extraction]:
    if spec.kind is Kind.IMEI_LIST:
        values: list[str] = []
        used: list[OcrLine] = []
        repaired = False
        for ln in pool:
            parsed = parse_value(Kind.IMEI_LIST, ln.text)
            if parsed:
                new = [v for v in parsed.value if v not in values]
                if new:
                    values.extend(new)
                    used.append(ln)
                    repaired = repaired or parsed.repaired
        return [Extraction(values, tuple(used), "pattern", 0.0, 0, True, repaired)] if values else []
    out = []
    for ln in pool:
        parsed = parse_value(spec.kind, ln.text)
        if parsed is not None and parsed.valid:
            out.append(Extraction(parsed.value, (ln,), "pattern", 0.0, 0, parsed.valid, parsed.repaired))
    return out


def _header_candidates(ctx: _DocumentContext, spec: FieldSpec) -> list[Extraction]:
    first_page = min((ln.page for ln in ctx.lines), default=1)
    # A letterhead is not a caption, a document title or a number.
    titles = ctx.cue_phrases + ctx.section_phrases + (
        "original", "duplicate", "copy", "recipient", "invoice", "bill", "receipt", "memo", "challan")
    cands = []
    for ln in ctx.lines:
        if ln.page != first_page or ln.cy > 0.3 or len(ln.text) < 3:
            continue
        if sum(c.isdigit() for c in ln.text) >= 3 or ctx.starts_with_label(ln) or any(
            layout.label_regex(w).search(ln.text) for w in titles if len(w) > 2
        ):
            continue
        parsed = parse_value(spec.kind, ln.text)
        if parsed is not None and len(ln.text.replace(" ", "")) >= 5:  # "SFL" in a logo is no name
            cands.append((ln.height, -ln.cy, ln, parsed))
    # The biggest print wins; among lines of about the same size, the top-most (a name sits above
    # its address, which may be printed just as large on narrow receipts).
    tallest = max((c[0] for c in cands), default=0.0)
    cands.sort(key=lambda c: (c[0] >= 0.85 * tallest, c[1], c[0]), reverse=True)
    return [Extraction(p.value, (ln,), "header", 0.0, 0, p.valid, p.repaired, extra={"height_rank": i})
            for i, (_, _, ln, p) in enumerate(cands[:2])]


def _first_line_candidates(ctx: _DocumentContext, spec: FieldSpec, pool: Sequence[OcrLine]) -> list[Extraction]:
    skip = ctx.all_labels + ctx.cue_phrases + ctx.section_phrases + GENERIC_STOPS
    for ln in sorted(pool, key=lambda x: (x.page, x.box[1], x.box[0])):
        low_hit = [w for w in skip if len(w) > 2 and layout.label_regex(w).search(ln.text)]
        if low_hit:
            # "Bill To: Ramesh" — the anchor line itself may carry the value after the phrase.
            continue
        parsed = parse_value(spec.kind, ln.text)
        if parsed is not None and sum(c.isalpha() for c in str(parsed.value)) >= 4:
            return [Extraction(parsed.value, (ln,), "first_line", 0.0, 0, parsed.valid, parsed.repaired)]
    return []


def _block_after_candidates(ctx: _DocumentContext, spec: FieldSpec, pool: Sequence[OcrLine], previous: Extraction | None) -> list[Extraction]:
    if previous is None or not previous.lines:
        return []
    last = previous.lines[-1]
    nxt = [ln for ln in layout.below(last, pool, max_lines=1.9) if ln is not last]
    if not nxt:
        return []
    limit = spec.max_lines if spec.kind is Kind.ADDRESS else 1
    block = layout.continuation(nxt[0], pool, limit=limit, stop=ctx.stops, is_caption=ctx.is_caption)
    if any(layout.label_regex(s).search(block[0].text) for s in ctx.stops if len(s) > 2):
        return []
    parsed = _parse_lines(spec.kind, block, stops=ctx.stops)
    if parsed is None:
        return []
    return [Extraction(parsed.value, tuple(block), "block_after", 0.0, 0, parsed.valid, parsed.repaired)]


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join("".join(c for c in value.lower() if c.isalnum() or c.isspace()).split())
    if isinstance(value, list):
        return tuple(sorted(value))
    return value


def _choose(cands: list[Extraction], *, section_found: bool | None) -> Extraction | None:
    if not cands:
        return None
    counts: dict[Any, int] = {}
    for c in cands:
        counts[_norm(c.value)] = counts.get(_norm(c.value), 0) + 1
    # Validated values first, then the candidate order (most specific label and geometry first).
    best = sorted(enumerate(cands), key=lambda ic: (ic[1].valid is False, ic[0]))[0][1]
    return Extraction(
        best.value, best.lines, best.how, best.label_score, best.label_rank, best.valid, best.repaired,
        counts[_norm(best.value)] - 1, section_found, best.extra,
    )


def _field_candidates(ctx: _DocumentContext, fspec: FieldSpec, pool: Sequence[OcrLine], section_found: bool | None,
                      results: dict[str, Extraction]) -> list[Extraction]:
    cands: list[Extraction] = []
    pool_ids = {id(ln) for ln in pool}
    for hit in ctx.hits(fspec):
        if id(hit.line) in pool_ids:
            cands.extend(_candidates_from_hit(ctx, fspec, hit, pool))
    if fspec.fallback is Strategy.HEADER:
        cands.extend(_header_candidates(ctx, fspec))
    elif fspec.fallback is Strategy.FIRST_LINE and section_found:
        cands.extend(_first_line_candidates(ctx, fspec, pool))
    elif fspec.fallback is Strategy.BLOCK_AFTER and fspec.after:
        cands.extend(_block_after_candidates(ctx, fspec, pool, results.get(fspec.after)))
    elif fspec.fallback is Strategy.FROM_FIELD and fspec.after and not cands:
        source = results.get(fspec.after)
        parsed = parse_value(fspec.kind, str(source.value)) if source and source.found else None
        if source is not None and parsed is not None:
            cands.append(Extraction(parsed.value, source.lines, "from_field", 0.0, 0, parsed.valid, parsed.repaired))
    if fspec.pattern_fallback or (fspec.kind in _PATTERN_KINDS and not cands):
        pattern = _pattern_candidates(fspec, pool)
        if fspec.kind is Kind.IMEI_LIST:
            cands = pattern + cands  # every IMEI on the page, not just the labelled one
        else:
            cands.extend(pattern)
    return cands


def extract_text_fields(spec: DocumentSpec, pages: Sequence[OcrPage]) -> dict[str, Extraction]:
    """Extract every text-sourced field of `spec` from OCR'd pages."""
    ctx = _DocumentContext(spec, pages)
    results: dict[str, Extraction] = {}
    for fspec in spec.fields:
        if fspec.source is not Source.TEXT:
            continue
        pool, section_found = ctx.lines_for(fspec)
        if fspec.kind is Kind.YESNO:
            # "Hypothecated to …" printed means yes; its absence on a read page means no.
            hit = next(iter(ctx.hits(fspec)), None)
            results[fspec.name] = (
                Extraction("yes", (hit.line,), "label_present", hit.score, hit.rank, True)
                if hit else Extraction("no", (), "default", 0.0, 0, None)
            )
            continue
        cands = _field_candidates(ctx, fspec, pool, section_found, results)
        if not cands and section_found:
            # The section is a preference, not a wall: forms put the customer's mobile in the next column.
            section_found = None
            cands = _field_candidates(ctx, fspec, ctx.lines, None, results)
        chosen = _choose(cands, section_found=section_found)
        if chosen is not None and fspec.repairs and isinstance(chosen.value, str):
            value = chosen.value
            for pattern, replacement in fspec.repairs:
                value = re.sub(pattern, replacement, value)
            if value != chosen.value:
                chosen = replace(chosen, value=value, repaired=True)
        results[fspec.name] = chosen or Extraction(fspec.kind.empty, section_found=section_found)
    return results
