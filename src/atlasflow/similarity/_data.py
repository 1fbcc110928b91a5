"""Knowledge tables of the scorers (JSON under `data/`), each read once per process."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_table(name: str) -> dict[str, Any]:
    """The parsed `data/<name>.json`; shared by every caller, so never mutate it."""
    text = resources.files("atlasflow.similarity").joinpath("data", f"{name}.json").read_text("utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


def variant_map(groups: list[list[str]]) -> dict[str, str]:
    """Map every spelling in each group to the group's first spelling."""
    out: dict[str, str] = {}
    for group in groups:
        for spelling in group:
            out.setdefault(spelling, group[0])
    return out
