"""The synthetic document generator: valid numbers, truthful labels, deterministic, split-aware."""

from __future__ import annotations

import json
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from stdnum import imei as std_imei
from stdnum.in_ import aadhaar as std_aadhaar
from stdnum.in_ import gstin as std_gstin
from stdnum.in_ import pan as std_pan

from atlasflow.documents import DOCUMENT_SPECS
from atlasflow.domain.types import DocumentType, Kind
from atlasflow.synth import numbers
from atlasflow.synth.application import make_application
from atlasflow.synth.dataset import LAYOUTS, Case, generate_dataset, layouts_for
from atlasflow.synth.model import CaseContext, Medium, Split
from atlasflow.synth.render import collapse

ACCEPTED = [t for t in DocumentType if t is not DocumentType.UNRECOGNISED]


def _labels(case: Case) -> dict[str, Any]:
    return json.loads(Path(case.labels_path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dev_cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return generate_dataset(
        tmp_path_factory.mktemp("dev"), seed=7, per_type=5, split="dev", degraded_share=0.4
    )


@pytest.fixture(scope="module")
def test_cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return generate_dataset(
        tmp_path_factory.mktemp("test"), seed=7, per_type=5, split="test", degraded_share=0.4
    )


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize("seed", range(300))
def test_every_fake_identifier_passes_its_checksum(seed: int) -> None:
    rng = random.Random(seed)
    assert std_gstin.is_valid(numbers.fake_gstin(rng))
    code = rng.choice(numbers.GST_STATE_CODES)
    assert numbers.fake_gstin(rng, code).startswith(code)
    pan = numbers.fake_pan(rng, "P", initial="S")
    assert std_pan.is_valid(pan) and pan[3] == "P" and pan[4] == "S"
    assert std_pan.is_valid(numbers.fake_pan(rng, "C"))
    aadhaar = numbers.fake_aadhaar(rng)
    assert std_aadhaar.is_valid(aadhaar) and aadhaar[0] in "23456789"
    assert std_imei.is_valid(numbers.fake_imei(rng))
    first, second = numbers.fake_imei_pair(rng)
    assert std_imei.is_valid(first) and std_imei.is_valid(second) and first != second
    assert re.fullmatch(r"[6-9]\d{9}", numbers.fake_mobile(rng))
    assert re.fullmatch(r"[1-8]\d{5}", numbers.fake_pincode(rng))
    assert numbers.fake_pincode(rng, "524").startswith("524")


def test_indian_formatting() -> None:
    assert numbers.format_inr(112999.5) == "1,12,999.50"
    assert numbers.format_inr(18999, decimals=False) == "18,999"
    assert numbers.amount_in_words(32499) == "Rupees Thirty Two Thousand Four Hundred Ninety Nine Only"
    assert numbers.amount_in_words(1250000) == "Rupees Twelve Lakh Fifty Thousand Only"
    assert numbers.mask_aadhaar("234567890124") == "**** **** 0124"
    assert numbers.financial_year(date(2025, 3, 31)) == "24-25"
    assert numbers.truth_amount(18999.0) == 18999 and isinstance(numbers.truth_amount(18999.0), int)


# ------------------------------------------------------------------ labels of generated cases


def _check_value(kind: Kind, value: Any) -> None:
    """A truth value is in the SPEC §3 format of its kind, or empty."""
    if kind.is_list:
        assert isinstance(value, list)
        assert all(std_imei.is_valid(v) and len(v) == 15 for v in value)
        return
    if kind is Kind.INTEGER:
        assert isinstance(value, int)
        return
    if kind is Kind.AMOUNT:
        assert isinstance(value, int | float) and value > 0
        assert not isinstance(value, float) or value != int(value), "whole amounts are ints"
        return
    assert isinstance(value, str)
    if value == "":
        return
    checks = {
        Kind.DATE: lambda v: (
            re.fullmatch(r"\d{2}-\d{2}-\d{4}", v) and date(int(v[6:]), int(v[3:5]), int(v[:2]))
        ),
        Kind.MOBILE: lambda v: re.fullmatch(r"[6-9]\d{9}", v),
        Kind.GSTIN: std_gstin.is_valid,
        Kind.PAN: std_pan.is_valid,
        Kind.AADHAAR: lambda v: re.fullmatch(r"\*{4} \*{4} \d{4}", v),
        Kind.PINCODE: lambda v: re.fullmatch(r"[1-8]\d{5}", v),
        Kind.YESNO: lambda v: v in ("yes", "no"),
        Kind.GENDER: lambda v: v in ("MALE", "FEMALE"),
    }
    if kind in checks:
        assert checks[kind](value), (kind, value)
    else:  # names, addresses, models, ids: printed text, whitespace collapsed
        assert value == collapse(value) and "\n" not in value


def test_labels_have_exactly_the_types_fields_in_spec_format(
    dev_cases: list[Case], test_cases: list[Case]
) -> None:
    for case in dev_cases + test_cases:
        labels = _labels(case)
        assert Path(case.path).exists() and Path(case.path).suffix in (".png", ".jpg", ".pdf")
        assert labels["document_type"] == case.document_type.value
        assert labels["layout"] == case.layout and labels["variant"] == case.variant
        if case.document_type is DocumentType.UNRECOGNISED:
            assert labels["data"] == {}
            assert (labels["error_code"], labels["error_reason"]) == ("UNRECOGNISED", "document not in list")
            continue
        spec = DOCUMENT_SPECS[case.document_type]
        assert list(labels["data"]) == list(spec.field_names), case.case_id
        for field in spec.fields:
            _check_value(field.kind, labels["data"][field.name])


def test_every_type_has_its_important_fields_filled(dev_cases: list[Case]) -> None:
    for case in dev_cases:
        data = _labels(case)["data"]
        if case.document_type is DocumentType.INVOICE:
            assert data["invoice_number"] and data["dealer_gst"] and data["customer_name"] and data["model"]
            assert data["hypothecation"] == ("yes" if data["financier_name"] else "no")
        if case.document_type is DocumentType.DELIVERY_ORDER:
            assert data["asset_cost"] == data["loan_amount"] + data["down_payment"]
        if case.document_type is DocumentType.IMEI_CLOSEUP_IMAGE:
            assert len(data["imei_number"]) == 2 and data["model"] and data["price"] > 0
        if case.document_type is DocumentType.AADHAAR:
            assert data["aadhaar_number"]
            assert bool(data["address"]) == bool(data["pincode"]) != bool(data["name"])


def test_open_box_error_codes_follow_the_face_count(dev_cases: list[Case]) -> None:
    seen = set()
    for case in dev_cases:
        if case.document_type is not DocumentType.ASSET_OPEN_BOX_IMAGE:
            continue
        labels = _labels(case)
        faces = labels["data"]["number_of_faces_visible"]
        seen.add(min(faces, 2))
        expected = {0: ("INVALID_DOC", "customer not present", "no"), 1: ("", "", "yes")}.get(
            faces, ("INVALID_DOC", "multiple people", "yes")
        )
        assert (labels["error_code"], labels["error_reason"], labels["data"]["customer_present"]) == expected
    assert seen == {0, 1, 2}


def test_aadhaar_number_is_masked_and_never_written_in_full(
    dev_cases: list[Case], test_cases: list[Case]
) -> None:
    from atlasflow.synth.dataset import application_for

    for cases, split in ((dev_cases, Split.DEV), (test_cases, Split.TEST)):
        everything = " ".join(Path(c.labels_path).read_text(encoding="utf-8") for c in cases)
        assert not re.search(r"(?<!\d)\d{4} ?\d{4} ?\d{4}(?!\d)", re.sub(r"\d{15}", "", everything))
        for index in range(5):
            full = application_for(seed=7, split=split, index=index).person.aadhaar
            assert full not in everything and numbers.group_aadhaar(full) not in everything
            assert numbers.mask_aadhaar(full) in everything


# ------------------------------------------------------------------ determinism and splits


def test_same_seed_gives_identical_labels_and_another_seed_differs(tmp_path: Path) -> None:
    def snapshot(folder: Path, seed: int) -> dict[str, str]:
        cases = generate_dataset(folder, seed=seed, per_type=2, distractors=2)
        return {c.case_id: Path(c.labels_path).read_text(encoding="utf-8") for c in cases}

    first = snapshot(tmp_path / "a", 42)
    assert first == snapshot(tmp_path / "b", 42)
    other = snapshot(tmp_path / "c", 43)
    # distractors and open-box photos have no text labels that a seed could change
    assert first.keys() == other.keys()
    assert all(first[k] != other[k] for k in first if "-other-" not in k and "-openbox-" not in k)


def test_content_does_not_depend_on_how_many_cases_are_asked_for(tmp_path: Path) -> None:
    small = generate_dataset(tmp_path / "small", seed=5, per_type=1, distractors=0, degraded_share=0.0)
    large = generate_dataset(tmp_path / "large", seed=5, per_type=2, distractors=0, degraded_share=0.0)
    by_id = {c.case_id: c for c in large}
    for case in small:
        assert _labels(case)["data"] == _labels(by_id[case.case_id])["data"]


def test_test_split_has_a_layout_per_type_that_dev_never_uses(
    dev_cases: list[Case], test_cases: list[Case]
) -> None:
    for document_type in DocumentType:
        dev_layouts = {lay.name for lay in layouts_for(document_type, "dev")}
        test_only = {lay.name for lay in layouts_for(document_type, "test")} - dev_layouts
        assert test_only, document_type
        assert not test_only & {lay.name for lay in LAYOUTS[document_type] if Split.DEV in lay.splits}
    for document_type in DocumentType:
        dev_used = {c.layout for c in dev_cases if c.document_type is document_type}
        test_used = {c.layout for c in test_cases if c.document_type is document_type}
        assert test_used - dev_used, f"{document_type}: the test split shows no unseen layout"
        assert not dev_used - {lay.name for lay in layouts_for(document_type, "dev")}
    assert {_labels(c)["split"] for c in test_cases} == {"test"}


def test_one_case_per_type_in_the_test_split_is_an_unseen_layout(tmp_path: Path) -> None:
    cases = generate_dataset(tmp_path, seed=1, per_type=1, split="test", degraded_share=0.0)
    for case in cases:
        dev_names = {lay.name for lay in layouts_for(case.document_type, "dev")}
        assert case.layout not in dev_names


def test_degraded_share_is_honoured(dev_cases: list[Case]) -> None:
    for document_type in DocumentType:
        variants = [c.variant for c in dev_cases if c.document_type is document_type]
        assert variants.count("degraded") == 2 and variants.count("clean") == 3


@pytest.mark.timeout(90)
def test_a_small_dataset_is_quick_to_make(tmp_path: Path) -> None:
    cases = generate_dataset(tmp_path, seed=3, per_type=1)
    assert len(cases) == 7
    assert {c.document_type for c in cases} == set(DocumentType)


# ------------------------------------------------------------------ the labels say what the page says


TEXT_KINDS = {Kind.NAME, Kind.TEXT, Kind.IDENT, Kind.GSTIN, Kind.PAN}
MULTILINE_KINDS = {Kind.ADDRESS, Kind.MODEL}


@pytest.mark.parametrize(
    "layout",
    [
        lay
        for t in (DocumentType.INVOICE, DocumentType.DELIVERY_ORDER, DocumentType.AADHAAR, DocumentType.PAN)
        for lay in LAYOUTS[t]
    ],
    ids=lambda lay: lay.name,
)
def test_text_labels_are_printed_on_the_page(layout: Any) -> None:
    spec = DOCUMENT_SPECS[layout.document_type]
    for seed in range(8):
        ctx = CaseContext(
            make_application(random.Random(seed)),
            random.Random(100 + seed),
            random.Random(200 + seed),
            vector_text=True,
            index=seed,
        )
        rendered = layout.render(ctx)
        text = collapse(" \n ".join(run.text for run in rendered.page.runs))
        digits = re.sub(r"\D", "", text)
        for field in spec.fields:
            value = rendered.data[field.name]
            if value in ("", []):
                continue
            if field.kind in TEXT_KINDS:
                assert value in text, (field.name, value)
            elif field.kind in MULTILINE_KINDS:
                assert all(part in text for part in value.split(", ")), (field.name, value)
            elif field.kind in (Kind.MOBILE, Kind.PINCODE):
                assert value in digits
            elif field.kind is Kind.IMEI_LIST:
                assert all(v in digits for v in value)
            elif field.kind is Kind.DATE:
                d = date(int(value[6:]), int(value[3:5]), int(value[:2]))
                assert any(numbers.format_date(d, style) in text for style in numbers.DATE_STYLES), value
            elif field.kind is Kind.AMOUNT:
                assert numbers.format_inr(value) in text or numbers.format_inr(value, decimals=False) in text


def test_digital_pdf_carries_the_text_and_looks_like_the_picture(tmp_path: Path) -> None:
    import numpy as np
    import pypdfium2 as pdfium

    from atlasflow.synth import invoice
    from atlasflow.synth.pdf import write_digital_pdf

    ctx = CaseContext(
        make_application(random.Random(9)), random.Random(9), random.Random(10), vector_text=True
    )
    rendered = invoice.render_gst_a4(ctx)
    path = tmp_path / "invoice.pdf"
    write_digital_pdf(rendered.page, path)
    doc = pdfium.PdfDocument(str(path))
    try:
        text = doc[0].get_textpage().get_text_range()
        picture = doc[0].render(scale=150 / 72).to_pil().convert("L").resize(rendered.page.img.size)
    finally:
        doc.close()
    for field in ("invoice_number", "dealer_gst", "dealership_name"):
        assert rendered.data[field] in text
    diff = np.abs(
        np.asarray(picture, dtype=np.int16) - np.asarray(rendered.page.img.convert("L"), dtype=np.int16)
    )
    assert diff.mean() < 12


# ------------------------------------------------------------------ faces


def _haar() -> Any:
    import cv2

    return cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")


@pytest.mark.parametrize("layout", LAYOUTS[DocumentType.ASSET_OPEN_BOX_IMAGE], ids=lambda lay: lay.name)
def test_every_pasted_face_is_found_by_a_frontal_face_detector(layout: Any) -> None:
    import cv2
    import numpy as np

    detector = _haar()
    for index in range(5):
        ctx = CaseContext(
            make_application(random.Random(index)),
            random.Random(index),
            random.Random(50 + index),
            index=index,
        )
        rendered = layout.render(ctx)
        heads = rendered.extra["faces"]
        assert len(heads) == rendered.data["number_of_faces_visible"]
        grey = cv2.cvtColor(np.asarray(rendered.page.img), cv2.COLOR_RGB2GRAY)
        found = detector.detectMultiScale(grey, 1.1, 5, minSize=(60, 60))
        for x0, y0, x1, y1 in heads:
            assert y1 - y0 >= 80
            assert any(x0 <= fx + fw / 2 <= x1 and y0 <= fy + fh / 2 <= y1 for fx, fy, fw, fh in found), (
                index,
                heads,
            )


def test_selfie_distractor_shows_one_big_face() -> None:
    import cv2
    import numpy as np

    from atlasflow.synth import distractors

    rendered = distractors.render_selfie(
        CaseContext(make_application(random.Random(1)), random.Random(1), random.Random(2))
    )
    grey = cv2.cvtColor(np.asarray(rendered.page.img), cv2.COLOR_RGB2GRAY)
    found = _haar().detectMultiScale(grey, 1.1, 5, minSize=(150, 150))
    assert len(found) == 1 and rendered.medium is Medium.PHOTO and rendered.data == {}


# ------------------------------------------------------------------ command line


def test_atlas_synth_command_writes_the_dataset_and_summarises(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from atlasflow.cli import app

    result = CliRunner().invoke(
        app,
        [
            "synth",
            "--out",
            str(tmp_path),
            "--seed",
            "4",
            "--per-type",
            "1",
            "--split",
            "test",
            "--degraded-share",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "7 test cases" in result.output and "INVOICE 1" in result.output
    assert len(list(tmp_path.glob("*.json"))) == 7
