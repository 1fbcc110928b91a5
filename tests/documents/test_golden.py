"""Golden documents: one committed file per case with the SPEC result a lender must get.

Each `cases/<case>.<ext>` has `cases/<case>.expected.json` (document_type, error_code and every
field's value); the test id is the case name, so a failure names the document type.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.domain.types import DocumentType
from atlasflow.pipeline.engine import process_document
from atlasflow.quality import values_equal

CASES = Path(__file__).parent / "cases"
FILES = sorted(p for p in CASES.iterdir() if p.suffix in {".jpg", ".png", ".pdf", ".webp"}) if CASES.exists() else []


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden_document(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    result = process_document(path.read_bytes(), filename=path.name)
    assert result.document_type.value == expected["document_type"]
    assert result.error_code.value == expected["error_code"]
    if result.document_type is DocumentType.UNRECOGNISED:
        assert result.data() == {}
        return
    spec = DOCUMENT_SPECS[result.document_type]
    wrong = {}
    for fspec in spec.fields:
        got = result.fields[fspec.name]
        truth = expected["data"][fspec.name]
        if not values_equal(fspec.kind, got.value, truth):
            wrong[fspec.name] = (got.value, truth)
        if got.value not in ("", []):
            assert 0.0 < got.confidence <= 1.0
            # A value read off the page says where; "no" or 0 (nothing printed, no face) has no place.
            if got.value not in ("no", 0):
                assert got.bbox is not None and got.page is not None, fspec.name
    assert not wrong, f"fields read wrong (got, expected): {wrong}"


def test_every_type_has_a_golden_case() -> None:
    covered = {json.loads(p.with_suffix(".expected.json").read_text())["document_type"] for p in FILES}
    assert covered >= {t.value for t in DocumentType}
