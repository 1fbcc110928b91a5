"""Delivery order issued by the lender to the dealer, authorising hand-over of the asset."""

from atlasflow.documents.base import DocumentSpec, FieldSpec
from atlasflow.domain.types import DocumentType, Kind

SPEC = DocumentSpec(
    document_type=DocumentType.DELIVERY_ORDER,
    cues=(
        ("delivery order", 4.0),
        ("do number", 2.0),
        ("do no", 2.0),
        ("do date", 1.5),
        ("loan amount", 1.5),
        ("down payment", 1.5),
        ("asset cost", 1.5),
        ("emi", 0.5),
        ("tenure", 0.5),
        ("processing fee", 0.5),
        ("please deliver", 1.5),
        ("delivery authorisation", 1.5),
        ("financier", 0.5),
    ),
    fields=(
        FieldSpec("do_number", Kind.IDENT, ("do number", "do no", "delivery order no", "delivery order number", "do ref", "reference no", "ref no")),
        FieldSpec("do_date", Kind.DATE, ("do date", "delivery order date", "date")),
        FieldSpec("financier_name", Kind.TEXT, ("financier", "lender", "financed by", "issued by")),
        FieldSpec("dealer_name", Kind.TEXT, ("dealer name", "dealer", "to", "supplier name", "retailer name")),
        FieldSpec("dealer_address", Kind.ADDRESS, ("dealer address", "supplier address", "retailer address"), max_lines=4),
        FieldSpec("customer_name", Kind.NAME, ("customer name", "applicant name", "borrower name", "name of customer", "customer", "applicant", "borrower")),
        FieldSpec("customer_mobile_number", Kind.MOBILE, ("customer mobile", "mobile no", "mobile", "contact no", "phone"), pattern_fallback=True),
        FieldSpec("customer_delivery_address", Kind.ADDRESS, ("delivery address", "customer address", "address of delivery", "deliver at"), max_lines=4),
        FieldSpec("model", Kind.MODEL, ("model", "asset model", "product", "asset description", "asset", "product model")),
        FieldSpec("asset_cost", Kind.AMOUNT, ("asset cost", "invoice amount", "cost of asset", "product cost", "asset value")),
        FieldSpec("loan_amount", Kind.AMOUNT, ("loan amount", "finance amount", "amount financed", "loan amt")),
        FieldSpec("down_payment", Kind.AMOUNT, ("down payment", "margin money", "downpayment", "dp amount", "customer contribution")),
    ),
)
