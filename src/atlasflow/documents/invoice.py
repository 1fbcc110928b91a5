"""GST tax invoice issued by the dealer for the financed product."""

from atlasflow.documents.base import DocumentSpec, FieldSpec, Source, Strategy
from atlasflow.domain.types import DocumentType, Kind

_HYPOTHECATION = ("hypothecated to", "hypothecated with", "under hypothecation with", "under hypothecation to",
                  "hypothecation with", "hypothecation to", "hypothecation", "hp with", "hp to", "financed by", "finance by")

SPEC = DocumentSpec(
    document_type=DocumentType.INVOICE,
    cues=(
        ("tax invoice", 3.0),
        ("invoice", 2.0),
        ("bill of supply", 2.0),
        ("cash memo", 1.5),
        ("retail invoice", 2.0),
        ("invoice no", 2.0),
        ("hsn", 1.0),
        ("cgst", 1.0),
        ("sgst", 1.0),
        ("igst", 1.0),
        ("taxable value", 1.0),
        ("grand total", 1.0),
        ("authorised signatory", 0.5),
        ("bill to", 1.0),
        ("buyer", 0.5),
        ("amount in words", 0.5),
        ("qty", 0.5),
        ("rate", 0.5),
        ("taxable", 0.5),
        ("e & o e", 0.5),
        ("place of supply", 1.0),
        ("amount payable", 1.0),
        ("total amount", 0.5),
    ),
    sections={
        "customer": ("bill to", "billed to", "buyer details", "buyer", "customer details", "details of receiver",
                     "sold to", "customer name", "customer"),
    },
    fields=(
        FieldSpec("invoice_number", Kind.IDENT, ("invoice no", "invoice number", "inv no", "bill no", "invoice #", "inv #", "bill #", "bill number", "receipt no", "receipt #", "voucher no")),
        FieldSpec("invoice_date", Kind.DATE, ("invoice date", "inv date", "bill date", "dated", "date")),
        FieldSpec("dealership_name", Kind.TEXT, ("dealer name", "seller name", "sold by", "seller", "from"), fallback=Strategy.HEADER, avoid=("customer",)),
        FieldSpec("dealer_address", Kind.ADDRESS, ("seller address", "dealer address", "shop address", "address"), max_lines=4,
                  fallback=Strategy.BLOCK_AFTER, after="dealership_name", avoid=("customer",)),
        FieldSpec("dealer_gst", Kind.GSTIN, ("gstin", "gst no", "gstin/uin", "gst number", "gst in"), pattern_fallback=True, avoid=("customer",)),
        FieldSpec("customer_name", Kind.NAME, ("customer name", "buyer name", "name of customer", "bill to", "billed to", "sold to", "buyer", "cust name", "customer", "cust", "name"),
                  section="customer", fallback=Strategy.FIRST_LINE),
        FieldSpec("customer_address", Kind.ADDRESS, ("customer address", "buyer address", "billing address", "address", "addr"), max_lines=4,
                  section="customer", fallback=Strategy.BLOCK_AFTER, after="customer_name"),
        FieldSpec("mobile_number", Kind.MOBILE, ("mobile no", "mobile", "mob", "phone", "ph", "contact", "cell"), pattern_fallback=True, section="customer"),
        FieldSpec("model", Kind.MODEL, ("model", "description of goods", "item description", "product description", "item details", "description", "item name", "item", "product", "particulars"), max_lines=3),
        FieldSpec("imei_number", Kind.IMEI_LIST, ("imei", "imei no", "imei 1", "imei 2", "serial no"), pattern_fallback=True),
        FieldSpec("total_invoice_amount", Kind.AMOUNT, ("grand total", "total amount", "invoice total", "net amount", "total invoice value", "amount payable", "net payable", "invoice value", "total"),
                  not_labels=("sub total", "subtotal", "sub-total", "taxable", "total tax", "total qty", "total quantity", "total gst")),
        FieldSpec("hypothecation", Kind.YESNO, _HYPOTHECATION),
        FieldSpec("financier_name", Kind.TEXT, _HYPOTHECATION + ("financier",), max_lines=2),
        FieldSpec("dealer_sign", Kind.YESNO, ("authorised signatory", "authorized signatory", "signature"), source=Source.VISUAL),
        FieldSpec("dealer_stamp", Kind.YESNO, ("authorised signatory", "authorized signatory", "seal"), source=Source.VISUAL),
    ),
)
