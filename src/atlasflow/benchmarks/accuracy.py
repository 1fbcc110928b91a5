"""Accuracy benchmark: a fresh synthetic test set (with layouts development never used), the
engine over it, and a Markdown report of classification, field accuracy, calibration and speed."""

from __future__ import annotations

import platform
import statistics
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from atlasflow.benchmarks.common import FieldOutcome, field_outcomes, load_labels, percentile
from atlasflow.domain.types import DocumentType
from atlasflow.pipeline.decode import decode_document
from atlasflow.pipeline.engine import analyse_document, warm_up
from atlasflow.pipeline.ocr import RapidOcrEngine, get_engine
from atlasflow.quality import expected_calibration_error

TARGETS = {"classification": 0.995, "clean": 0.98, "degraded": 0.95, "ece": 0.05, "speed_ratio": 1.15}


def _bare_ocr_seconds(bare: RapidOcrEngine, data: bytes) -> float:
    """RapidOCR alone on the same decoded page images: the floor our engine is compared to."""
    try:
        doc = decode_document(data)
    except Exception:
        return float("nan")
    start = time.perf_counter()
    for page in doc.pages:
        if page.text_lines is None:
            bare.read(page.image)
    return time.perf_counter() - start


def run(*, seed: int, per_type: int, out: Path, workdir: Path, degraded_share: float = 0.5) -> dict[str, float]:
    from atlasflow.synth.dataset import generate_dataset

    workdir.mkdir(parents=True, exist_ok=True)
    cases = generate_dataset(workdir, seed=seed, per_type=per_type, split="test", degraded_share=degraded_share)
    warm_up()
    bare = get_engine()
    assert isinstance(bare, RapidOcrEngine)

    confusion: Counter[tuple[str, str]] = Counter()
    outcomes: list[FieldOutcome] = []
    engine_s: list[float] = []
    bare_s: list[float] = []
    ratios: list[float] = []
    error_codes: Counter[tuple[str, str]] = Counter()
    for case in cases:
        labels = load_labels(Path(case.labels_path))
        data = Path(case.path).read_bytes()
        b = _bare_ocr_seconds(bare, data)
        t = time.perf_counter()
        analysis = analyse_document(data)
        e = time.perf_counter() - t
        result = analysis.result
        predicted = result.document_type.value
        truth_type = labels["document_type"]
        confusion[(truth_type, predicted)] += 1
        error_codes[(labels.get("error_code", ""), result.error_code.value)] += 1
        outcomes.extend(field_outcomes(labels, predicted, result.data()))
        engine_s.append(e)
        if b == b and b > 0.05:  # pages read from a text layer need no OCR: no ratio to take
            bare_s.append(b)
            ratios.append(e / b)

    return _write_report(out=out, seed=seed, per_type=per_type, n_cases=len(cases), confusion=confusion,
                         outcomes=outcomes, engine_s=engine_s, bare_s=bare_s, ratios=ratios, error_codes=error_codes)


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _write_report(*, out: Path, seed: int, per_type: int, n_cases: int, confusion: Counter[tuple[str, str]],
                  outcomes: list[FieldOutcome], engine_s: list[float], bare_s: list[float], ratios: list[float],
                  error_codes: Counter[tuple[str, str]]) -> dict[str, float]:
    types = [t.value for t in DocumentType]
    correct_cls = sum(n for (t, p), n in confusion.items() if t == p)
    cls_acc = correct_cls / max(1, n_cases)
    by_variant: dict[str, list[FieldOutcome]] = defaultdict(list)
    for o in outcomes:
        by_variant[o.variant].append(o)
    acc = {v: sum(o.correct for o in os_) / max(1, len(os_)) for v, os_ in by_variant.items()}
    found = [o for o in outcomes if o.predicted not in ("", [], None)]
    ece = expected_calibration_error([o.confidence for o in found], [o.correct for o in found])
    hi = [o for o in found if o.confidence >= 0.9]
    lo = [o for o in found if o.confidence < 0.5]
    hi_acc = sum(o.correct for o in hi) / max(1, len(hi))
    lo_acc = sum(o.correct for o in lo) / max(1, len(lo))
    med_e = statistics.median(engine_s) if engine_s else 0.0
    med_b = statistics.median(bare_s) if bare_s else 0.0
    med_ratio = statistics.median(ratios) if ratios else 0.0

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = [
        "# Accuracy benchmark",
        "",
        f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M UTC} on {platform.machine()} ({_cores()} cores), "
        f"test split seed {seed}, {per_type} per type, {n_cases} documents (half photo-degraded; every type "
        "includes a layout development never used). Reproduce: `atlas bench accuracy --seed "
        f"{seed} --per-type {per_type}`.",
        "",
        "## Headline",
        "",
        "| measure | value | target | |",
        "|---|---|---|---|",
        f"| classification accuracy | {_pct(cls_acc)} | ≥ 99.5 % | {mark(cls_acc >= TARGETS['classification'])} |",
        f"| field accuracy, clean | {_pct(acc.get('clean', 0))} | ≥ 98 % | {mark(acc.get('clean', 0) >= TARGETS['clean'])} |",
        f"| field accuracy, degraded photos | {_pct(acc.get('degraded', 0))} | ≥ 95 % | {mark(acc.get('degraded', 0) >= TARGETS['degraded'])} |",
        f"| expected calibration error (found fields) | {ece:.3f} | ≤ 0.05 | {mark(ece <= TARGETS['ece'])} |",
        f"| median s/document: engine vs bare RapidOCR | {med_e:.2f} vs {med_b:.2f} | | |",
        f"| median per-document ratio engine / bare OCR | {med_ratio:.2f} | ≤ 1.15 | {mark(0 < med_ratio <= TARGETS['speed_ratio'])} |",
        f"| p90 s/document (engine) | {percentile(engine_s, 90):.2f} | | |",
        "",
        f"Calibration: {len(hi)} found values with confidence ≥ 0.9 are {_pct(hi_acc)} correct; "
        f"{len(lo)} with confidence < 0.5 are {_pct(lo_acc)} correct. Fields not found carry 0.0 by the "
        "contract and are left out of the ECE (they are counted in field accuracy).",
        "",
        "## Classification (rows: truth, columns: predicted)",
        "",
        "| truth \\ predicted | " + " | ".join(t[:12] for t in types) + " |",
        "|---|" + "---|" * len(types),
    ]
    for t in types:
        row = [str(confusion.get((t, p), 0)) for p in types]
        if any(r != "0" for r in row):
            lines.append(f"| {t} | " + " | ".join(row) + " |")
    lines += ["", "## Field accuracy (SPEC §6 normalisation)", "", "| type | field | clean | degraded | mean confidence |",
              "|---|---|---|---|---|"]
    per_field: dict[tuple[str, str], dict[str, list[FieldOutcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        per_field[(o.document_type, o.field)][o.variant].append(o)
    for (dtype, fname), variants in sorted(per_field.items()):
        cells = []
        for v in ("clean", "degraded"):
            os_ = variants.get(v, [])
            cells.append(f"{_pct(sum(o.correct for o in os_) / len(os_))} ({len(os_)})" if os_ else "–")
        allv = [o for vs in variants.values() for o in vs]
        mean_conf = sum(o.confidence for o in allv) / max(1, len(allv))
        lines.append(f"| {dtype} | {fname} | {cells[0]} | {cells[1]} | {mean_conf:.2f} |")
    lines += ["", "## By layout", "", "| type | layout | field accuracy | documents |", "|---|---|---|---|"]
    per_layout: dict[tuple[str, str], list[FieldOutcome]] = defaultdict(list)
    for o in outcomes:
        per_layout[(o.document_type, o.layout)].append(o)
    for (dtype, lay), os_ in sorted(per_layout.items()):
        ndocs = len(os_) // max(1, len({o.field for o in os_}))
        lines.append(f"| {dtype} | {lay} | {_pct(sum(o.correct for o in os_) / len(os_))} | {ndocs} |")
    wrong = [o for o in outcomes if not o.correct]
    lines += ["", "## Sample of wrong fields", "", "| type | layout | variant | field | predicted | truth | confidence |",
              "|---|---|---|---|---|---|---|"]
    for o in wrong[:40]:
        lines.append(f"| {o.document_type} | {o.layout} | {o.variant} | {o.field} | {_cell(o.predicted)} | "
                     f"{_cell(o.truth)} | {o.confidence:.2f} |")
    lines += ["", "## Document error codes (truth → predicted)", "", "| truth | predicted | count |", "|---|---|---|"]
    for (t, p), n in sorted(error_codes.items()):
        lines.append(f"| {t or '—'} | {p or '—'} | {n} |")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    return {"classification": cls_acc, "clean": acc.get("clean", 0.0), "degraded": acc.get("degraded", 0.0),
            "ece": ece, "speed_ratio": med_ratio}


def _cell(value: object) -> str:
    text = ", ".join(value) if isinstance(value, list) else str(value)
    return text.replace("|", "/")[:60]


def _cores() -> int:
    import os

    return os.cpu_count() or 1


def calibrate(*, seed: int, per_type: int, workdir: Path) -> dict[str, object]:
    """Fit the confidence model on a development set (never the benchmark's test split)."""
    from atlasflow.documents import DOCUMENT_SPECS
    from atlasflow.pipeline import calibrate as cal
    from atlasflow.quality import values_equal
    from atlasflow.synth.dataset import generate_dataset

    workdir.mkdir(parents=True, exist_ok=True)
    cases = generate_dataset(workdir, seed=seed, per_type=per_type, split="dev", degraded_share=0.5)
    warm_up()
    rows: list[tuple[list[float], bool]] = []
    for case in cases:
        labels = load_labels(Path(case.labels_path))
        analysis = analyse_document(Path(case.path).read_bytes())
        if analysis.result.document_type.value != labels["document_type"]:
            continue
        if analysis.result.document_type is DocumentType.UNRECOGNISED:
            continue
        spec = DOCUMENT_SPECS[analysis.result.document_type]
        for fspec in spec.fields:
            ex = analysis.extractions.get(fspec.name)
            if ex is None or not ex.found:
                continue
            truth = labels["data"].get(fspec.name, fspec.kind.empty)
            rows.append((cal.featurize(fspec.kind, ex), values_equal(fspec.kind, ex.value, truth)))
    target = Path(cal.__file__).with_name("calibration.json")
    model = cal.fit_calibration(rows, out=target)
    return {"rows": len(rows), "positive_share": model["positive_share"], "path": str(target)}


__all__ = ["calibrate", "run", "np"]
