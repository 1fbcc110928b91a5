"""Products as data: the document types a product accepts and the cross-checks it runs."""

from __future__ import annotations

from dataclasses import dataclass

from atlasflow.domain.types import DocumentType, Kind


@dataclass(frozen=True, slots=True)
class CrossCheckSpec:
    name: str
    source_doc: DocumentType
    source_field: str
    target_doc: DocumentType
    target_field: str
    kind: Kind  # which similarity scorer compares the two values


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    document_types: tuple[DocumentType, ...]
    cross_checks: tuple[CrossCheckSpec, ...]


_DO, _INV = DocumentType.DELIVERY_ORDER, DocumentType.INVOICE
_IMEI = DocumentType.IMEI_CLOSEUP_IMAGE

PROD_CDL = Product(
    code="PROD_CDL",
    document_types=(
        DocumentType.INVOICE,
        DocumentType.DELIVERY_ORDER,
        DocumentType.AADHAAR,
        DocumentType.PAN,
        DocumentType.IMEI_CLOSEUP_IMAGE,
        DocumentType.ASSET_OPEN_BOX_IMAGE,
    ),
    cross_checks=(
        CrossCheckSpec("DEALER_ADDRESS", _DO, "dealer_address", _INV, "dealer_address", Kind.ADDRESS),
        CrossCheckSpec("DEALER_NAME", _DO, "dealer_name", _INV, "dealership_name", Kind.NAME),
        CrossCheckSpec("CUSTOMER_NAME", _DO, "customer_name", _INV, "customer_name", Kind.NAME),
        CrossCheckSpec("CUSTOMER_DELIVERY_ADDRESS", _DO, "customer_delivery_address", _INV, "customer_address", Kind.ADDRESS),
        CrossCheckSpec("CUSTOMER_MOBILE_NUMBER", _DO, "customer_mobile_number", _INV, "mobile_number", Kind.MOBILE),
        CrossCheckSpec("ASSET_MODEL", _DO, "model", _INV, "model", Kind.MODEL),
        CrossCheckSpec("INVOICE_AMOUNT", _DO, "asset_cost", _INV, "total_invoice_amount", Kind.AMOUNT),
        CrossCheckSpec("IMEI_NUMBER", _IMEI, "imei_number", _INV, "imei_number", Kind.IMEI_LIST),
        CrossCheckSpec("IMEI_MODEL", _IMEI, "model", _INV, "model", Kind.MODEL),
        CrossCheckSpec("AADHAAR_NAME", DocumentType.AADHAAR, "name", _INV, "customer_name", Kind.NAME),
        CrossCheckSpec("PAN_NAME", DocumentType.PAN, "name_as_per_pan", _INV, "customer_name", Kind.NAME),
    ),
)

PRODUCTS: dict[str, Product] = {"PROD_CDL": PROD_CDL, "POC_CDL": PROD_CDL}


def product_for(code: str) -> Product | None:
    return PRODUCTS.get(code)
