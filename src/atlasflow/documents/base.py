"""Declarations of document types: what a type is called on the page and which fields it has.

A document module holds knowledge (label words, cue phrases), never loops; the generic
engines in `atlasflow.pipeline` read these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from atlasflow.domain.types import DocumentType, Kind


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


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    document_type: DocumentType
    # Phrases whose presence suggests this type, with weights; matched case-insensitively.
    cues: tuple[tuple[str, float], ...]
    fields: tuple[FieldSpec, ...]
    # Image-content type: recognised from pixels, not only text.
    visual: bool = False
    notes: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
