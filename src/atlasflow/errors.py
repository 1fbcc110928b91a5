"""The project's exception hierarchy: every error we raise derives from AtlasError."""

from __future__ import annotations


class AtlasError(Exception):
    """Base of every error atlasflow raises on purpose."""


class DocumentError(AtlasError):
    """A document cannot be processed; carries the SPEC error_code and a plain reason."""

    def __init__(self, error_code: str, reason: str) -> None:
        super().__init__(f"{error_code}: {reason}")
        self.error_code = error_code
        self.reason = reason
