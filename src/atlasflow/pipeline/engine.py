"""The document-understanding engine: bytes of one file in, the SPEC `ocr_data` item out.

This module is the only one that knows the order of the stages:

    decode -> read (OCR, orientation) -> classify -> extract -> visual checks -> validate -> calibrate

Stage contract: each stage takes the previous stage's values and returns new values; a
`DocumentError` from any stage becomes the document's error_code and reason (a result, not a
crash). Models load once per process (`warm_up`), never per document.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.documents.base import DocumentSpec, Source
from atlasflow.domain.types import DocumentResult, DocumentType, ErrorCode, FieldValue, OcrLine
from atlasflow.errors import DocumentError
from atlasflow.pipeline import calibrate, visual
from atlasflow.pipeline.classify import LITTLE_TEXT_CHARS, Classification, classify_photo, classify_text
from atlasflow.pipeline.decode import Limits, decode_document
from atlasflow.pipeline.extract import Extraction, extract_text_fields
from atlasflow.pipeline.layout import union_box
from atlasflow.pipeline.ocr import OcrEngine, get_engine
from atlasflow.pipeline.read import ReadPage, read_document

log = logging.getLogger(__name__)

PHOTO_WHITE_MAX = 0.45  # a printed page is mostly white paper


@dataclass(slots=True)
class Timings:
    """Seconds spent per stage, for benchmarks and stage-latency metrics."""

    stages: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the engine learnt about one file; `result` is what goes on the wire."""

    result: DocumentResult
    pages: tuple[ReadPage, ...]
    classification: Classification | None
    extractions: dict[str, Extraction]
    timings: Timings


_warm_lock = threading.Lock()


def warm_up(ocr: str = "rapidocr") -> None:
    """Load every model this process will need, once; a model that is missing fails here, not mid-flow."""
    with _warm_lock:
        get_engine(ocr)
        visual.face_detector()


def _visual_fields(spec: DocumentSpec, pages: Sequence[ReadPage], lines: Sequence[OcrLine], faces: list[visual.Face]) -> dict[str, Extraction]:
    out: dict[str, Extraction] = {}
    names = {f.name for f in spec.fields if f.source is Source.VISUAL}
    if spec.document_type is DocumentType.ASSET_OPEN_BOX_IMAGE:
        image = pages[0].image
        h, w = image.shape[:2]
        n = len(faces)
        boxes = [(f.x / w, f.y / h, (f.x + f.w) / w, (f.y + f.h) / h) for f in faces]
        extra = {"strength": 0.9 if n else 0.7}
        fake_line = (
            (OcrLine("", 1.0, (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                               max(b[3] for b in boxes)), 1),) if boxes else ()
        )
        out["number_of_faces_visible"] = Extraction(n, fake_line, "visual", 1.0, 0, True, extra=extra)
        out["customer_present"] = Extraction("yes" if n else "no", fake_line, "visual", 1.0, 0, True, extra=extra)
        return out
    for name in names:
        best: visual.InkEvidence | None = None
        best_page = 1
        for page in pages:
            check = visual.detect_signature if name == "dealer_sign" else visual.detect_stamp
            ev = check(page.image, lines, page=page.ocr.number)
            if best is None or (ev.present and not best.present):
                best, best_page = ev, page.ocr.number
        assert best is not None
        line = (OcrLine("", 1.0, best.box, best_page),) if best.box else ()
        out[name] = Extraction("yes" if best.present else "no", line, "visual", 1.0, 0, None,
                               extra={"strength": best.strength})
    return out


def _invalid_reason(spec: DocumentSpec, extractions: dict[str, Extraction]) -> str:
    if spec.document_type is DocumentType.ASSET_OPEN_BOX_IMAGE:
        n = extractions["number_of_faces_visible"].value
        if n == 0:
            return "customer not present"
        if n > 1:
            return "multiple people"
    return ""


def _to_fields(spec: DocumentSpec, extractions: dict[str, Extraction]) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for fspec in spec.fields:
        ex = extractions.get(fspec.name)
        if ex is None or not ex.found:
            fields[fspec.name] = FieldValue(fspec.kind.empty, 0.0)
            continue
        conf = calibrate.confidence(fspec.kind, ex)
        boxes = [ln for ln in ex.lines if ln.box is not None]
        if boxes:
            page = boxes[0].page
            fields[fspec.name] = FieldValue(ex.value, conf, union_box([b for b in boxes if b.page == page]), page)
        else:
            fields[fspec.name] = FieldValue(ex.value, conf)
    return fields


def analyse_document(data: bytes, *, ocr: OcrEngine | None = None, limits: Limits | None = None) -> Analysis:
    timings = Timings()
    t0 = time.perf_counter()
    try:
        doc = decode_document(data, limits=limits or Limits())
        timings.add("decode", time.perf_counter() - t0)
        t = time.perf_counter()
        pages = tuple(read_document(doc, ocr or get_engine()))
        timings.add("ocr", time.perf_counter() - t)
    except DocumentError as exc:
        return Analysis(DocumentResult.failed(ErrorCode(exc.error_code), exc.reason), (), None, {}, timings)

    t = time.perf_counter()
    lines = [ln for p in pages for ln in p.ocr.lines]
    first = pages[0].image
    faces: list[visual.Face] = []
    cls, scores = classify_text(lines)
    if cls is None:
        # The words did not decide: look at the picture (faces, a printed page or a photo).
        stats = visual.photo_stats(first)
        text_chars = sum(len(ln.text) for ln in lines)
        # A printed page is mostly white paper and text; a photo of a box on a white floor is not
        # white enough to tell, so little text is reason enough to look at the pixels.
        photo_like = stats["white"] < PHOTO_WHITE_MAX or text_chars < LITTLE_TEXT_CHARS
        if photo_like:
            faces = visual.face_detector().detect(first)
        cls = classify_photo(lines, scores, photo_like=photo_like, faces=len(faces))
    timings.add("classify", time.perf_counter() - t)
    if cls.document_type is DocumentType.UNRECOGNISED:
        result = DocumentResult(DocumentType.UNRECOGNISED, {}, ErrorCode.UNRECOGNISED, "document not in list",
                                cls.confidence)
        return Analysis(result, pages, cls, {}, timings)

    t = time.perf_counter()
    spec = DOCUMENT_SPECS[cls.document_type]
    extractions = extract_text_fields(spec, [p.ocr for p in pages])
    extractions.update(_visual_fields(spec, pages, lines, faces))
    timings.add("extract", time.perf_counter() - t)
    fields = _to_fields(spec, extractions)
    reason = _invalid_reason(spec, extractions)
    if not reason and not lines and not spec.visual:
        reason = "image too blurry"
    code = ErrorCode.INVALID_DOC if reason else ErrorCode.NONE
    result = DocumentResult(cls.document_type, fields, code, reason, cls.confidence)
    return Analysis(result, pages, cls, extractions, timings)


def process_document(data: bytes, *, filename: str | None = None, ocr: str | None = None) -> DocumentResult:
    """The SPEC ocr_data item (without caller ids) for one file's bytes. Never raises for bad input.

    `ocr` names the OCR engine (`rapidocr`, the default, or `tesseract`)."""
    try:
        return analyse_document(data, ocr=get_engine(ocr) if ocr else None).result
    except Exception:  # a bug must not lose the flow: the document carries PROCESSING_FAILED
        log.exception("document processing failed", extra={"filename_given": filename is not None})
        return DocumentResult.failed(ErrorCode.PROCESSING_FAILED, "internal error while processing the document")


__all__ = ["Analysis", "analyse_document", "process_document", "warm_up"]
