"""PAN card issued by the Income Tax Department."""

from atlasflow.documents.base import DocumentSpec, FieldSpec
from atlasflow.domain.types import DocumentType, Kind

SPEC = DocumentSpec(
    document_type=DocumentType.PAN,
    cues=(
        ("income tax department", 4.0),
        ("permanent account number", 4.0),
        ("govt of india", 1.0),
        ("government of india", 1.0),
        ("father's name", 1.0),
        ("signature", 0.3),
        ("pan", 1.0),
    ),
    fields=(
        FieldSpec("name_as_per_pan", Kind.NAME, ("name",)),
        FieldSpec("father_name", Kind.NAME, ("father's name", "fathers name", "father name")),
        FieldSpec("dob", Kind.DATE, ("date of birth", "dob", "birth")),
        FieldSpec("pan_number", Kind.PAN, ("permanent account number", "pan"), pattern_fallback=True),
    ),
)
