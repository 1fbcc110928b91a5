"""Delivery order issued by the lender to the dealer, authorising hand-over of the asset."""

from atlasflow.documents.base import DocumentSpec, FieldSpec, Strategy
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
    sections={
        "dealer": ("dealer details", "dealer name", "dealer", "to the dealer", "supplier details", "retailer details",
                   "retailer name", "retailer", "to"),
        "customer": ("customer details", "customer name", "applicant details", "borrower details", "applicant name",
                     "borrower name", "applicant", "borrower", "customer"),
    },
    fields=(
        FieldSpec("do_number", Kind.IDENT, ("do number", "do no", "order no", "order number", "delivery order no", "delivery order number", "do ref no", "do ref", "reference no", "ref no"),
                  repairs=((r"(?<=[0-9/-])D0(?=[0-9/-])", "DO"), (r"^D0(?=[-/0-9])", "DO"))),
        FieldSpec("do_date", Kind.DATE, ("do date", "delivery order date", "order date", "dated", "date")),
        FieldSpec("financier_name", Kind.TEXT, ("financier name", "financier", "lender", "financed by", "issued by"), fallback=Strategy.HEADER),
        FieldSpec("dealer_name", Kind.TEXT, ("dealer name", "dealer", "supplier name", "retailer name", "to"), section="dealer", fallback=Strategy.FIRST_LINE),
        FieldSpec("dealer_address", Kind.ADDRESS, ("dealer address", "supplier address", "retailer address", "address"), max_lines=4,
                  section="dealer", fallback=Strategy.BLOCK_AFTER, after="dealer_name"),
        FieldSpec("customer_name", Kind.NAME, ("customer name", "applicant name", "borrower name", "name of customer", "customer", "applicant", "borrower", "name"),
                  section="customer", fallback=Strategy.FIRST_LINE),
        FieldSpec("customer_mobile_number", Kind.MOBILE, ("customer mobile", "mobile no", "mobile", "contact no", "phone"), pattern_fallback=True, section="customer"),
        FieldSpec("customer_delivery_address", Kind.ADDRESS, ("delivery address", "customer address", "address of delivery", "deliver at", "address"), max_lines=4,
                  section="customer", fallback=Strategy.BLOCK_AFTER, after="customer_name"),
        FieldSpec("model", Kind.MODEL, ("asset model", "product model", "model", "asset description", "product", "asset"), max_lines=2),
        FieldSpec("asset_cost", Kind.AMOUNT, ("asset cost", "invoice amount", "cost of asset", "product cost", "asset value", "invoice value")),
        FieldSpec("loan_amount", Kind.AMOUNT, ("loan amount", "finance amount", "amount financed", "loan amt")),
        FieldSpec("down_payment", Kind.AMOUNT, ("down payment", "margin money", "downpayment", "dp amount", "customer contribution")),
    ),
)
