"""Declarations of document types: what a type is called on the page and which fields it has.

A document module holds knowledge (label words, cue phrases), never loops; the generic
engines in `atlasflow.pipeline` read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from atlasflow.domain.types import DocumentType, Kind


class Strategy(StrEnum):
    """How the text engine looks for a value when a label does not anchor one."""

    LABEL = "label"  # only label -> value geometry (and pattern fallback if enabled)
    HEADER = "header"  # the most prominent line at the top of the first page (a letterhead name)
    FIRST_LINE = "first_line"  # the first line of the field's section (an unlabelled "Bill To" block)
    BLOCK_AFTER = "block_after"  # the lines right below another field's value (an address under a name)
    FROM_FIELD = "from_field"  # parsed out of another field's value (the PIN code closing an address)


class Source(StrEnum):
    """Where a field's value comes from."""

    TEXT = "text"  # label/pattern search over OCR lines
    VISUAL = "visual"  # image analysis (signature ink, stamps, faces)
    DERIVED = "derived"  # computed from other fields of the same document


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: Kind
    labels: tuple[str, ...] = ()
    source: Source = Source.TEXT
    # Search the whole page for a value of this kind when no label anchors one.
    pattern_fallback: bool = False
    # Labels whose lines must not anchor this field ("sub total" for a grand total).
    not_labels: tuple[str, ...] = ()
    # Address-like values continue on following lines until a stop label or a gap.
    max_lines: int = 1
    # Value may sit below the label (table headers, stacked forms).
    below: bool = True
    # Restrict the search to a section of the page declared by the document (e.g. "customer").
    section: str | None = None
    # Where to look when no label anchors a value.
    fallback: Strategy = Strategy.LABEL
    # For Strategy.BLOCK_AFTER / FROM_FIELD: the field this one is found after or inside.
    after: str | None = None
    # Sections whose lines belong to another field of the same kind ("customer" for the dealer's address).
    avoid: tuple[str, ...] = ()
    # OCR slips this field's format makes certain, as (regex, replacement): "D0" between digits in a
    # delivery-order number is the letters DO.
    repairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    document_type: DocumentType
    # Phrases whose presence suggests this type, with weights; matched case-insensitively.
    cues: tuple[tuple[str, float], ...]
    fields: tuple[FieldSpec, ...]
    # Image-content type: recognised from pixels, not only text.
    visual: bool = False
    # Sections of the page, each named by the anchor phrases that open it ("bill to", "buyer").
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notes: str = ""

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
