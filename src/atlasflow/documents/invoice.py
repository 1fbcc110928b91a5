"""GST tax invoice issued by the dealer for the financed product."""

from atlasflow.documents.base import DocumentSpec, FieldSpec, Source
from atlasflow.domain.types import DocumentType, Kind

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
    ),
    fields=(
        FieldSpec("invoice_number", Kind.IDENT, ("invoice no", "invoice number", "inv no", "bill no", "invoice #", "inv #", "bill number", "receipt no")),
        FieldSpec("invoice_date", Kind.DATE, ("invoice date", "inv date", "bill date", "dated", "date")),
        FieldSpec("dealership_name", Kind.TEXT, ("for", "seller", "sold by", "dealer name", "from")),
        FieldSpec("dealer_address", Kind.ADDRESS, ("seller address", "dealer address", "shop address", "address"), max_lines=4),
        FieldSpec("dealer_gst", Kind.GSTIN, ("gstin", "gst no", "gstin/uin", "gst number", "gst in"), pattern_fallback=True),
        FieldSpec("customer_name", Kind.NAME, ("customer name", "buyer name", "bill to", "billed to", "name of customer", "customer", "buyer", "sold to", "name")),
        FieldSpec("customer_address", Kind.ADDRESS, ("customer address", "buyer address", "billing address", "address"), max_lines=4),
        FieldSpec("mobile_number", Kind.MOBILE, ("mobile", "mobile no", "mob", "phone", "ph", "contact", "cell"), pattern_fallback=True),
        FieldSpec("model", Kind.MODEL, ("model", "description", "item", "product", "particulars", "description of goods")),
        FieldSpec("imei_number", Kind.IMEI_LIST, ("imei", "imei no", "imei 1", "imei 2", "serial no", "sr no"), pattern_fallback=True),
        FieldSpec("total_invoice_amount", Kind.AMOUNT, ("grand total", "total amount", "invoice total", "net amount", "total invoice value", "amount payable", "net payable", "invoice value", "total"), not_labels=("sub total", "subtotal", "taxable", "total tax", "total qty", "total quantity")),
        FieldSpec("hypothecation", Kind.YESNO, ("hypothecated to", "hypothecation", "hp with", "financed by", "finance by", "under hypothecation")),
        FieldSpec("financier_name", Kind.TEXT, ("hypothecated to", "hypothecation", "hp with", "financed by", "finance by", "financier", "under hypothecation with")),
        FieldSpec("dealer_sign", Kind.YESNO, ("authorised signatory", "authorized signatory", "signature"), source=Source.VISUAL),
        FieldSpec("dealer_stamp", Kind.YESNO, ("authorised signatory", "authorized signatory", "seal"), source=Source.VISUAL),
    ),
)
