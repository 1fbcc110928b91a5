"""`atlas synth`: write a labelled synthetic dataset to a folder."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from atlasflow.synth.model import Split


def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write <case>.<ext> and <case>.json into.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same dataset.")],
    per_type: Annotated[
        int, typer.Option("--per-type", min=0, help="Cases per document type (distractors too).")
    ],
    split: Annotated[
        Split, typer.Option("--split", help="dev, or test (adds layouts dev never uses).")
    ] = Split.DEV,
    degraded_share: Annotated[
        float,
        typer.Option("--degraded-share", min=0.0, max=1.0, help="Share of cases photographed and degraded."),
    ] = 0.5,
) -> None:
    """Generate synthetic SPECIMEN documents with their truth labels."""
    from rich.console import Console
    from rich.progress import Progress

    from atlasflow.synth.dataset import generate_dataset

    console = Console()
    total = per_type * 7
    with Progress(transient=True, console=Console(stderr=True), disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("generating", total=total)
        cases = generate_dataset(
            out,
            seed=seed,
            per_type=per_type,
            split=split.value,
            degraded_share=degraded_share,
            progress=lambda _case: progress.advance(task),
        )
    counts = Counter(case.document_type.value for case in cases)
    summary = ", ".join(f"{name} {count}" for name, count in counts.items())
    console.print(f"[bold]{len(cases)}[/bold] {split.value} cases in {out}: {summary}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
