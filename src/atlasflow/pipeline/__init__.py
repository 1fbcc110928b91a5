"""The document-understanding pipeline: decode, OCR, classify, extract, validate."""
