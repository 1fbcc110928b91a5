"""Document types as declarations, and the registry that lists them."""

from atlasflow.documents.registry import DOCUMENT_SPECS, spec_for

__all__ = ["DOCUMENT_SPECS", "spec_for"]
