"""`atlas score`: one similarity score from the command line, or many from JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from atlasflow.errors import AtlasError
from atlasflow.similarity.scoring import resolve_kind, score

_KINDS_HELP = "name, address, phone (mobile), amount, imei, gstin, model; also pan, date, ident, text"


def _score_line(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"not JSON: {exc.msg}"}
    if not isinstance(item, dict):
        return {"error": 'expected an object {"kind", "a", "b"}'}
    missing = [key for key in ("kind", "a", "b") if key not in item]
    if missing:
        return {"error": f"missing {', '.join(missing)}"}
    for key in ("a", "b"):
        if not isinstance(item[key], str | int | float | list | type(None)) or isinstance(item[key], bool):
            return {"error": f"{key} must be a string, a number or a list"}
    try:
        return {"score": score(str(item["kind"]), item["a"], item["b"])}
    except AtlasError as exc:
        return {"error": str(exc)}


def score_lines(lines: TextIO, out: TextIO) -> int:
    """Score every line of `lines` ({"kind", "a", "b"}) to `out`, one JSON object per line,
    in order; a bad line gets {"error": ...} and the rest go on. Returns the error count."""
    errors = 0
    for n, raw in enumerate(lines, 1):
        result = _score_line(raw.strip()) if raw.strip() else {"error": "empty line"}
        errors += "error" in result
        out.write(json.dumps(result) + "\n")
        if n % 1000 == 0:
            out.flush()
    out.flush()
    return errors


def score_command(
    a: Annotated[str | None, typer.Argument(help="First value.", show_default=False)] = None,
    b: Annotated[str | None, typer.Argument(help="Second value.", show_default=False)] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help=f"What the values are: {_KINDS_HELP}.")
    ] = None,
    jsonl: Annotated[
        str | None,
        typer.Option(
            "--jsonl", help='File of {"kind", "a", "b"} lines ("-" for stdin); prints {"score": N} per line.'
        ),
    ] = None,
) -> None:
    """Print the 0-100 similarity of two values (>= 90 the same entity; < 70 review)."""
    if jsonl is not None:
        if kind or a is not None or b is not None:
            raise typer.BadParameter("--jsonl takes no KIND, A or B: each line carries its own")
        if jsonl == "-":
            score_lines(sys.stdin, sys.stdout)
            return
        path = Path(jsonl)
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {jsonl}", param_hint="--jsonl")
        with path.open(encoding="utf-8") as lines:
            score_lines(lines, sys.stdout)
        return
    if kind is None or a is None or b is None:
        raise typer.BadParameter("give --kind KIND A B, or --jsonl FILE")
    try:
        resolve_kind(kind)
    except AtlasError as exc:
        raise typer.BadParameter(str(exc), param_hint="--kind") from None
    typer.echo(score(kind, a, b))


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
