"""`atlas bench ...`: run a benchmark and write its report under bench/reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

bench_app = typer.Typer(help="Benchmarks; reports are written to bench/reports.", no_args_is_help=True)


@bench_app.command("accuracy")
def accuracy(
    seed: Annotated[int, typer.Option(help="Seed of the test set (never used for development).")] = 20261125,
    per_type: Annotated[int, typer.Option(help="Documents per type (and distractors).")] = 12,
    out: Annotated[Path, typer.Option(help="Report path.")] = Path("bench/reports/accuracy.md"),
    workdir: Annotated[Path, typer.Option(help="Where the test documents are generated.")] = Path("bench/out/accuracy"),
) -> None:
    """Classification, field accuracy, calibration and speed on a fresh synthetic test set."""
    from atlasflow.benchmarks.accuracy import run

    figures = run(seed=seed, per_type=per_type, out=out, workdir=workdir)
    typer.echo(" ".join(f"{k}={v:.3f}" for k, v in figures.items()) + f"  report: {out}")


@bench_app.command("calibrate")
def calibrate(
    seed: Annotated[int, typer.Option(help="Seed of the development set.")] = 7,
    per_type: Annotated[int, typer.Option(help="Documents per type.")] = 20,
    workdir: Annotated[Path, typer.Option()] = Path("bench/out/calibrate"),
) -> None:
    """Refit the confidence model on development documents and write calibration.json."""
    from atlasflow.benchmarks.accuracy import calibrate as fit

    typer.echo(str(fit(seed=seed, per_type=per_type, workdir=workdir)))


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
