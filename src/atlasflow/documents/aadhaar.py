"""Aadhaar card, front or back. The number is masked before it leaves the engine."""

from atlasflow.documents.base import DocumentSpec, FieldSpec
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
    fields=(
        FieldSpec("name", Kind.NAME, ("name",)),
        FieldSpec("aadhaar_number", Kind.AADHAAR, ("aadhaar no", "aadhaar number", "your aadhaar no"), pattern_fallback=True),
        FieldSpec("date_of_birth", Kind.DATE, ("dob", "date of birth", "year of birth", "yob", "birth")),
        FieldSpec("gender", Kind.GENDER, ("gender", "sex"), pattern_fallback=True),
        FieldSpec("address", Kind.ADDRESS, ("address",), max_lines=5),
        FieldSpec("pincode", Kind.PINCODE, ("pin code", "pincode", "pin")),
    ),
)
