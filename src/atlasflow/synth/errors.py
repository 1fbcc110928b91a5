"""Errors the synthetic generator raises on purpose."""

from __future__ import annotations

from atlasflow.errors import AtlasError


class SynthError(AtlasError):
    """The generator was asked for something it cannot make, or made something inconsistent."""


class SceneLayoutError(SynthError):
    """A scene could not be laid out (people would hide each other); another style seed may work."""
