"""Photo of the customer holding the opened box of the financed product."""

from atlasflow.documents.base import DocumentSpec, FieldSpec, Source
from atlasflow.domain.types import DocumentType, Kind

SPEC = DocumentSpec(
    document_type=DocumentType.ASSET_OPEN_BOX_IMAGE,
    cues=(),
    visual=True,
    fields=(
        FieldSpec("customer_present", Kind.YESNO, source=Source.VISUAL),
        FieldSpec("number_of_faces_visible", Kind.INTEGER, source=Source.VISUAL),
    ),
)
