"""atlasflow: a self-hostable implementation of the Atlas Flow document-verification API."""

__version__ = "0.1.0"
