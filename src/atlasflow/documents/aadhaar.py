"""Aadhaar card, front or back. The number is masked before it leaves the engine."""

from atlasflow.documents.base import DocumentSpec, FieldSpec, Strategy
from atlasflow.domain.types import DocumentType, Kind

SPEC = DocumentSpec(
    document_type=DocumentType.AADHAAR,
    cues=(
        ("aadhaar", 4.0),
        ("government of india", 2.0),
        ("unique identification authority", 3.0),
        ("uidai", 3.0),
        ("mera aadhaar", 2.0),
        ("meri pehchaan", 2.0),
        ("vid", 0.5),
        ("dob", 0.5),
        ("year of birth", 1.0),
        ("male", 0.5),
        ("female", 0.5),
        ("enrolment no", 1.0),
        ("help@uidai", 2.0),
    ),
    # The holder's details follow the national header on the front; the back has no such block.
    sections={"holder": ("government of india", "govt of india", "govt. of india")},
    fields=(
        FieldSpec("name", Kind.NAME, ("name",), section="holder", fallback=Strategy.FIRST_LINE),
        FieldSpec("aadhaar_number", Kind.AADHAAR, ("aadhaar no", "aadhaar number", "your aadhaar no"), pattern_fallback=True),
        FieldSpec("date_of_birth", Kind.DATE, ("dob", "date of birth", "birth"),
                  not_labels=("download date", "issue date", "print date", "issued")),
        FieldSpec("gender", Kind.GENDER, ("gender", "sex"), pattern_fallback=True),
        FieldSpec("address", Kind.ADDRESS, ("address",), max_lines=5),
        FieldSpec("pincode", Kind.PINCODE, ("pin code", "pincode"), fallback=Strategy.FROM_FIELD, after="address"),
    ),
)
