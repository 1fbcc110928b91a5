"""Alembic migrations for the atlasflow schema (run programmatically, no alembic.ini)."""
