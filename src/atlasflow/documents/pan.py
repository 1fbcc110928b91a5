"""PAN card issued by the Income Tax Department."""

from atlasflow.documents.base import DocumentSpec, FieldSpec, Strategy
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
    ),
    # Old cards print name, father's name and birth date unlabelled, in that order, under the header.
    sections={"holder": ("income tax department", "govt of india", "government of india")},
    fields=(
        FieldSpec("name_as_per_pan", Kind.NAME, ("name",), section="holder", fallback=Strategy.FIRST_LINE),
        FieldSpec("father_name", Kind.NAME, ("father's name", "fathers name", "father name", "father"),
                  section="holder", fallback=Strategy.BLOCK_AFTER, after="name_as_per_pan"),
        FieldSpec("dob", Kind.DATE, ("date of birth", "dob", "birth")),
        FieldSpec("pan_number", Kind.PAN, ("permanent account number", "pan"), pattern_fallback=True),
    ),
)
