"""Photo of the customer holding the opened box of the financed product."""

from atlasflow.documents.base import DocumentSpec, FieldSpec, Source
from atlasflow.domain.types import DocumentType, Kind

SPEC = DocumentSpec(
    document_type=DocumentType.ASSET_OPEN_BOX_IMAGE,
    # Brand names printed on product boxes: the product in the picture, when OCR sees any text.
    cues=tuple((brand, 1.0) for brand in (
        "samsung", "galaxy", "vivo", "oppo", "xiaomi", "redmi", "realme", "apple", "iphone", "oneplus",
        "motorola", "moto", "nokia", "poco", "iqoo", "nothing", "google pixel", "honor", "infinix",
        "tecno", "lava", "micromax", "lg", "sony", "bravia", "tcl", "panasonic", "whirlpool", "haier",
        "godrej", "voltas", "philips", "hisense", "mi tv", "smart tv", "led tv", "android",
    )),
    visual=True,
    fields=(
        FieldSpec("customer_present", Kind.YESNO, source=Source.VISUAL),
        FieldSpec("number_of_faces_visible", Kind.INTEGER, source=Source.VISUAL),
    ),
)
