"""The cross-check stage as a lender sees it in CallbackData `cross_checks`."""

from __future__ import annotations

from atlasflow.domain.types import DocumentResult, DocumentType, ErrorCode, FieldValue
from atlasflow.pipeline.crosscheck import run_cross_checks
from atlasflow.products import PROD_CDL

_KEYS = ["name", "source_doc", "source_field_name", "source_value", "target_doc", "target_field_name",
         "target_value", "similarity_score"]  # fmt: skip


def _doc(
    document_type: DocumentType, error_code: ErrorCode = ErrorCode.NONE, **fields: object
) -> DocumentResult:
    values = {}
    for name, value in fields.items():
        if isinstance(value, tuple):
            values[name] = FieldValue(value[0], value[1])
        else:
            values[name] = FieldValue(value, 0.9)
    return DocumentResult(document_type, values, error_code)


def _invoice(**overrides: object) -> DocumentResult:
    fields: dict[str, object] = {
        "dealership_name": "Sri Sai Mobiles Pvt Ltd",
        "dealer_address": "D. No. 14-4-16, Anam Vari Street, Kapu Street, 524001",
        "customer_name": "Pashangh Irani",
        "customer_address": "Flat 1002, Falcon Tower, Linking Road, Bandra West, Mumbai 400050",
        "mobile_number": "8655126210",
        "model": "SM-A146B Galaxy A14 5G 4GB/64GB",
        "imei_number": ["356938035643809", "356938035643817"],
        "total_invoice_amount": 14999,
    }
    fields.update(overrides)
    return _doc(DocumentType.INVOICE, **fields)


def _delivery_order(**overrides: object) -> DocumentResult:
    fields: dict[str, object] = {
        "dealer_name": "Sai Mobiles",
        "dealer_address": "D. No. 14-4-16, Anam Vari Street, Kapu Street, Abbai Reddy Complex, NELLORE. 524001",
        "customer_name": "Pashangh",
        "customer_delivery_address": "Flat No. 1002, Falcon Twr, Linking Rd, Bandra (W), Bombay - 400050",
        "customer_mobile_number": "+91 86551 26210",
        "model": "Samsung Galaxy A14 5G (4 GB RAM, 64 GB)",
        "asset_cost": "Rs. 14,999.00",
    }
    fields.update(overrides)
    return _doc(DocumentType.DELIVERY_ORDER, **fields)


def test_every_check_in_catalog_order_with_the_wire_shape() -> None:
    results = [
        _invoice(),
        _delivery_order(),
        _doc(DocumentType.IMEI_CLOSEUP_IMAGE, model="SM-A146B/DS", imei_number=["356938035643809"]),
        _doc(DocumentType.AADHAAR, name="Pashangh Irani"),
        _doc(DocumentType.PAN, name_as_per_pan="PASHANGH IRANI"),
    ]
    checks = run_cross_checks(PROD_CDL, results)
    assert [c["name"] for c in checks] == [spec.name for spec in PROD_CDL.cross_checks]
    for check in checks:
        assert list(check) == _KEYS
        assert isinstance(check["similarity_score"], int) and 0 <= check["similarity_score"] <= 100
    by_name = {c["name"]: c for c in checks}
    assert by_name["CUSTOMER_NAME"]["source_value"] == "Pashangh"
    assert by_name["CUSTOMER_NAME"]["similarity_score"] >= 90
    assert 50 <= by_name["DEALER_ADDRESS"]["similarity_score"] <= 75
    assert by_name["IMEI_NUMBER"]["target_value"] == ["356938035643809", "356938035643817"]
    assert by_name["IMEI_NUMBER"]["similarity_score"] >= 90
    for name in ("CUSTOMER_MOBILE_NUMBER", "INVOICE_AMOUNT", "ASSET_MODEL", "IMEI_MODEL", "AADHAAR_NAME",
                 "PAN_NAME", "CUSTOMER_DELIVERY_ADDRESS", "DEALER_NAME"):  # fmt: skip
        assert by_name[name]["similarity_score"] >= 90, by_name[name]


def test_checks_need_both_document_types() -> None:
    only_invoice = run_cross_checks(PROD_CDL, [_invoice()])
    assert only_invoice == []
    names = [
        c["name"]
        for c in run_cross_checks(PROD_CDL, [_invoice(), _doc(DocumentType.PAN, name_as_per_pan="X")])
    ]
    assert names == ["PAN_NAME"]


def test_unrecognised_and_failed_files_do_not_count_but_invalid_docs_do() -> None:
    unrecognised = DocumentResult(DocumentType.PAN, {"name_as_per_pan": FieldValue("Pashangh Irani", 0.9)},
                                  ErrorCode.UNRECOGNISED, "document not in list")  # fmt: skip
    failed = DocumentResult.failed(ErrorCode.DOWNLOAD_FAILED, "timeout")
    assert run_cross_checks(PROD_CDL, [_invoice(), unrecognised, failed]) == []
    invalid = _doc(DocumentType.PAN, ErrorCode.INVALID_DOC, name_as_per_pan="Pashangh Irani")
    checks = run_cross_checks(PROD_CDL, [_invoice(), invalid])
    assert [(c["name"], c["similarity_score"]) for c in checks] == [("PAN_NAME", 100)]


def test_repeated_type_takes_the_most_confident_non_empty_value() -> None:
    front = _doc(DocumentType.AADHAAR, name=("Pashangh Iranl", 0.6), address=("", 0.0))
    back = _doc(DocumentType.AADHAAR, name=("", 0.99), address=("C1002 Falcon Tower", 0.8))
    better = _doc(DocumentType.AADHAAR, name=("Pashangh Irani", 0.95))
    checks = run_cross_checks(PROD_CDL, [_invoice(), front, back, better])
    assert checks[0]["name"] == "AADHAAR_NAME"
    assert checks[0]["source_value"] == "Pashangh Irani"
    assert checks[0]["similarity_score"] == 100


def test_an_empty_side_still_yields_the_check_with_score_zero() -> None:
    checks = run_cross_checks(PROD_CDL, [_invoice(mobile_number="", imei_number=[]), _delivery_order()])
    by_name = {c["name"]: c for c in checks}
    assert by_name["CUSTOMER_MOBILE_NUMBER"]["target_value"] == ""
    assert by_name["CUSTOMER_MOBILE_NUMBER"]["similarity_score"] == 0
    imei = run_cross_checks(PROD_CDL, [_invoice(imei_number=[]), _doc(DocumentType.IMEI_CLOSEUP_IMAGE)])
    assert [(c["name"], c["source_value"], c["target_value"], c["similarity_score"]) for c in imei] == [
        ("IMEI_NUMBER", [], [], 0),
        ("IMEI_MODEL", "", "SM-A146B Galaxy A14 5G 4GB/64GB", 0),
    ]


def test_a_different_customer_is_sent_to_review() -> None:
    checks = run_cross_checks(PROD_CDL, [_invoice(), _delivery_order(customer_name="Rahul Verma",
                                                                      customer_mobile_number="8655126219")])  # fmt: skip
    by_name = {c["name"]: c["similarity_score"] for c in checks}
    assert by_name["CUSTOMER_NAME"] < 50
    assert by_name["CUSTOMER_MOBILE_NUMBER"] < 50
