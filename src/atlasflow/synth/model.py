"""Shared value types of the generator: splits, media, layouts and what a renderer returns."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from atlasflow.domain.types import DocumentType, ErrorCode
from atlasflow.synth.application import Application
from atlasflow.synth.render import Page


class Split(StrEnum):
    DEV = "dev"
    TEST = "test"


DEV_AND_TEST = frozenset({Split.DEV, Split.TEST})
TEST_ONLY = frozenset({Split.TEST})


class Variant(StrEnum):
    CLEAN = "clean"  # the straight render
    DEGRADED = "degraded"  # photographed on a table, blurred, compressed


class Medium(StrEnum):
    """What was rendered; decides output formats and how a photo of it is faked."""

    PAGE = "page"  # A4 or half-A4 paper
    RECEIPT = "receipt"  # narrow thermal-printer slip
    CARD = "card"  # ID card
    PHOTO = "photo"  # already a camera photo (box sticker, open box, selfie)


@dataclass(frozen=True, slots=True)
class CaseContext:
    """Everything a renderer may use: the application it belongs to and two random streams.

    `rng` decides content (what the labels will say); `style` decides looks (fonts, colours,
    positions) so that a machine with other fonts draws differently but labels the same.
    """

    app: Application
    rng: random.Random
    style: random.Random
    vector_text: bool = False  # record text runs: this render may become a digital PDF
    index: int = 0  # the case's position within its type, for content that cycles through kinds


@dataclass(frozen=True, slots=True)
class Rendered:
    document_type: DocumentType
    page: Page
    data: dict[str, Any]
    medium: Medium
    error_code: ErrorCode = ErrorCode.NONE
    error_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


Renderer = Callable[[CaseContext], Rendered]


@dataclass(frozen=True, slots=True)
class Layout:
    """One visual design of a document type, and the splits it may appear in."""

    name: str
    document_type: DocumentType
    splits: frozenset[Split]
    render: Renderer
    medium: Medium
    # Billing-software output that can be saved as a digital PDF with a text layer.
    digital_pdf: bool = False
