"""Close-up photo of the IMEI sticker on the phone's box."""

from atlasflow.documents.base import DocumentSpec, FieldSpec
from atlasflow.domain.types import DocumentType, Kind

SPEC = DocumentSpec(
    document_type=DocumentType.IMEI_CLOSEUP_IMAGE,
    # "IMEI" also appears on invoices; what marks a box sticker is the retail-packaging text.
    cues=(
        ("imei", 2.5),
        ("imei1", 0.5),
        ("imei 1", 0.5),
        ("imei2", 0.5),
        ("mrp", 1.5),
        ("model", 0.5),
        ("made in india", 1.0),
        ("net quantity", 1.0),
        ("net qty", 1.0),
        ("mfd", 0.5),
        ("colour", 0.5),
        ("color", 0.5),
        ("ram", 0.3),
        ("rom", 0.3),
        ("inclusive of all taxes", 1.0),
        ("incl of all taxes", 1.0),
    ),
    fields=(
        FieldSpec("model", Kind.MODEL, ("model", "model no", "model name", "model number")),
        FieldSpec("imei_number", Kind.IMEI_LIST, ("imei", "imei1", "imei 1", "imei2", "imei 2"), pattern_fallback=True),
        FieldSpec("price", Kind.AMOUNT, ("mrp", "m.r.p", "price", "max retail price", "mrp rs")),
    ),
)
