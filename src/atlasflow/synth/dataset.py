"""Generate a labelled synthetic dataset: one image or PDF plus one labels JSON per case.

Labels follow SPEC §3/§4 value formats and carry every field of the document's type (see
`atlasflow.documents`). Besides document_type, error_code, error_reason, layout, variant, split
and data, a label file says which `group` (loan application) the case belongs to (cases of the
same index share customer, dealer and product, so cross-checks can be scored), whether the file
has a PDF `text_layer`, and for Aadhaar the card `side`.

A case's labels depend only on (seed, split, type, index): not on how many cases are asked for,
nor on which fonts the machine has (fonts change only the pictures).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.domain.types import DocumentType
from atlasflow.synth import aadhaar, delivery_order, imei_closeup, invoice, open_box, pan
from atlasflow.synth import distractors as distractor_docs
from atlasflow.synth.application import Application, make_application
from atlasflow.synth.degrade import DEGRADED_JPEG_QUALITY, degrade_photo, photograph_document
from atlasflow.synth.errors import SceneLayoutError, SynthError
from atlasflow.synth.model import CaseContext, Layout, Medium, Rendered, Split, Variant
from atlasflow.synth.pdf import write_digital_pdf, write_scanned_pdf

LAYOUTS: dict[DocumentType, tuple[Layout, ...]] = {
    DocumentType.INVOICE: invoice.LAYOUTS,
    DocumentType.DELIVERY_ORDER: delivery_order.LAYOUTS,
    DocumentType.AADHAAR: aadhaar.LAYOUTS,
    DocumentType.PAN: pan.LAYOUTS,
    DocumentType.IMEI_CLOSEUP_IMAGE: imei_closeup.LAYOUTS,
    DocumentType.ASSET_OPEN_BOX_IMAGE: open_box.LAYOUTS,
    DocumentType.UNRECOGNISED: distractor_docs.LAYOUTS,
}

_SLUGS = {
    DocumentType.INVOICE: "invoice",
    DocumentType.DELIVERY_ORDER: "do",
    DocumentType.AADHAAR: "aadhaar",
    DocumentType.PAN: "pan",
    DocumentType.IMEI_CLOSEUP_IMAGE: "imei",
    DocumentType.ASSET_OPEN_BOX_IMAGE: "openbox",
    DocumentType.UNRECOGNISED: "other",
}


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    path: Path
    labels_path: Path
    document_type: DocumentType
    layout: str
    variant: Variant


def layouts_for(document_type: DocumentType, split: Split | str) -> tuple[Layout, ...]:
    """The layouts a split may use; in the test split, test-only layouts come first."""
    split = Split(split)
    usable = [lay for lay in LAYOUTS[document_type] if split in lay.splits]
    if split is Split.TEST:
        usable.sort(key=lambda lay: Split.DEV in lay.splits)  # stable: test-only ones first
    return tuple(usable)


def _seed(*parts: object) -> int:
    """A stable 64-bit seed from any parts (Python's hash() is salted per process)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def application_for(*, seed: int, split: Split | str, index: int) -> Application:
    """The loan application behind case `index` of every type: same customer, dealer and product."""
    return make_application(random.Random(_seed(seed, Split(split), "application", index)))


def _rotation(document_type: DocumentType, split: Split, seed: int) -> list[Layout]:
    """Which layout each index gets: all layouts in turn, dev/test order shuffled per seed."""
    usable = list(layouts_for(document_type, split))
    rng = random.Random(_seed(seed, split, document_type, "layouts"))
    if split is Split.TEST:
        head = [lay for lay in usable if Split.DEV not in lay.splits]
        tail = [lay for lay in usable if Split.DEV in lay.splits]
        rng.shuffle(tail)
        return head + tail
    rng.shuffle(usable)
    return usable


def _choose_format(rng: random.Random, layout: Layout, medium: Medium, *, degraded: bool) -> str:
    """'png', 'jpg', 'pdf' (digital, with text layer) or 'scan-pdf' (image-only PDF)."""
    if degraded:
        if medium in (Medium.PAGE, Medium.RECEIPT) and rng.random() < 0.15:
            return "scan-pdf"
        return "jpg"
    if medium is Medium.PHOTO:
        return "jpg"
    roll = rng.random()
    if layout.digital_pdf and roll < 0.3:
        return "pdf"
    return "png" if roll < 0.65 else "jpg"


def _check_labels(rendered: Rendered, layout: Layout, case_id: str) -> None:
    if rendered.medium is not layout.medium or rendered.document_type is not layout.document_type:
        raise SynthError(
            f"{case_id}: layout {layout.name} rendered a {rendered.medium} {rendered.document_type}"
        )
    if rendered.document_type is DocumentType.UNRECOGNISED:
        if rendered.data:
            raise SynthError(f"{case_id}: a distractor must have empty data")
        return
    expected = set(DOCUMENT_SPECS[rendered.document_type].field_names)
    if set(rendered.data) != expected:
        raise SynthError(
            f"{case_id}: labels {sorted(set(rendered.data) ^ expected)} do not match the type's fields"
        )


def _render(layout: Layout, ctx_for: Callable[[int], CaseContext], case_id: str) -> Rendered:
    """Render, retrying with another style stream if a scene cannot be laid out (rare, deterministic)."""
    last: Exception | None = None
    for attempt in range(4):
        try:
            return layout.render(ctx_for(attempt))
        except SceneLayoutError as exc:
            last = exc
    raise SynthError(f"{case_id}: could not render layout {layout.name}: {last}")


def _write(
    rendered: Rendered,
    layout: Layout,
    fmt: str,
    *,
    degraded: bool,
    out_dir: Path,
    case_id: str,
    rng: random.Random,
) -> Path:
    page = rendered.page
    if fmt == "pdf":
        path = out_dir / f"{case_id}.pdf"
        write_digital_pdf(page, path)
        return path
    img = page.img
    if degraded:
        if rendered.medium is Medium.PHOTO:
            quarter_turns = rendered.document_type is not DocumentType.ASSET_OPEN_BOX_IMAGE
            img = degrade_photo(img, rng, allow_quarter_turns=quarter_turns)
        else:
            img = photograph_document(img, rng, rendered.medium)
        quality = rng.randint(*DEGRADED_JPEG_QUALITY)
    else:
        quality = 90
    if fmt == "scan-pdf":
        path = out_dir / f"{case_id}.pdf"
        write_scanned_pdf(img, path, quality=quality)
    elif fmt == "png":
        path = out_dir / f"{case_id}.png"
        img.save(path, "PNG", compress_level=3)
    else:
        path = out_dir / f"{case_id}.jpg"
        img.convert("RGB").save(path, "JPEG", quality=quality)
    return path


def _labels(
    rendered: Rendered, layout: Layout, *, split: Split, variant: Variant, group: str, fmt: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "document_type": rendered.document_type.value,
        "error_code": rendered.error_code.value,
        "error_reason": rendered.error_reason,
        "layout": layout.name,
        "variant": variant.value,
        "split": split.value,
        "data": rendered.data,
        "group": group,  # cases sharing a group describe one loan application (cross-checks)
        "text_layer": fmt == "pdf",
    }
    if "side" in rendered.extra:
        out["side"] = rendered.extra["side"]
    return out


def generate_case(
    out_dir: Path, *, seed: int, split: Split | str, document_type: DocumentType, index: int, degraded: bool
) -> Case:
    """Render and write one case; the building block of generate_dataset."""
    split = Split(split)
    rotation = _rotation(document_type, split, seed)
    layout = rotation[index % len(rotation)]
    slug = _SLUGS[document_type]
    case_id = f"{split.value}-{slug}-{index:04d}"
    app = application_for(seed=seed, split=split, index=index)
    fmt = _choose_format(
        random.Random(_seed(seed, split, document_type, index, "format")),
        layout,
        layout.medium,
        degraded=degraded,
    )

    def ctx_for(attempt: int) -> CaseContext:
        return CaseContext(
            app=app,
            rng=random.Random(_seed(seed, split, document_type, index, "content")),
            style=random.Random(_seed(seed, split, document_type, index, "style", attempt)),
            vector_text=fmt == "pdf",
            index=index,
        )

    rendered = _render(layout, ctx_for, case_id)
    _check_labels(rendered, layout, case_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    degrade_rng = random.Random(_seed(seed, split, document_type, index, "degrade"))
    path = _write(rendered, layout, fmt, degraded=degraded, out_dir=out_dir, case_id=case_id, rng=degrade_rng)
    variant = Variant.DEGRADED if degraded else Variant.CLEAN
    labels = _labels(
        rendered, layout, split=split, variant=variant, group=f"{split.value}-{index:04d}", fmt=fmt
    )
    labels_path = out_dir / f"{case_id}.json"
    labels_path.write_text(json.dumps(labels, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Case(case_id, path, labels_path, document_type, layout.name, variant)


def _degraded_indices(count: int, share: float, rng: random.Random) -> set[int]:
    if not 0.0 <= share <= 1.0:
        raise SynthError(f"degraded_share must be within 0..1, got {share}")
    return set(rng.sample(range(count), round(count * share)))


def generate_dataset(
    out_dir: Path,
    *,
    seed: int,
    per_type: int,
    split: str = "dev",
    degraded_share: float = 0.5,
    distractors: int | None = None,
    progress: Callable[[Case], None] | None = None,
) -> list[Case]:
    """Write `per_type` cases of every accepted type plus `distractors` UNRECOGNISED ones.

    Deterministic for a seed: the same arguments give the same labels and the same pictures.
    """
    if per_type < 0 or (distractors is not None and distractors < 0):
        raise SynthError("case counts must not be negative")
    split_enum = Split(split)
    out_dir = Path(out_dir)
    counts = {t: per_type for t in LAYOUTS if t is not DocumentType.UNRECOGNISED}
    counts[DocumentType.UNRECOGNISED] = per_type if distractors is None else distractors
    cases: list[Case] = []
    for document_type, count in counts.items():
        degraded = _degraded_indices(
            count, degraded_share, random.Random(_seed(seed, split_enum, document_type, "degraded"))
        )
        for index in range(count):
            case = generate_case(
                out_dir,
                seed=seed,
                split=split_enum,
                document_type=document_type,
                index=index,
                degraded=index in degraded,
            )
            cases.append(case)
            if progress is not None:
                progress(case)
    return cases
