"""`atlas score` as a person or a script uses it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from atlasflow.similarity.commands import register

_app = typer.Typer()
register(_app)
_app.command("noop", hidden=True)(lambda: None)  # two commands keep "score" a subcommand
_runner = CliRunner()


def test_score_prints_the_integer() -> None:
    result = _runner.invoke(_app, ["score", "--kind", "name", "Pashangh", "Pashangh Irani"])
    assert result.exit_code == 0, result.output
    assert int(result.output.strip()) >= 90
    result = _runner.invoke(_app, ["score", "--kind", "phone", "8655126210", "+91 86551 26210"])
    assert result.output.strip() == "100"


def test_an_unknown_kind_is_a_usage_error() -> None:
    result = _runner.invoke(_app, ["score", "--kind", "colour", "red", "blue"])
    assert result.exit_code == 2
    assert "unknown kind" in result.output


def test_jsonl_scores_each_line_in_order_and_reports_bad_lines_inline(tmp_path: Path) -> None:
    lines = [
        {"kind": "imei", "a": ["356938035643809"], "b": ["356938035643809"]},
        "not json",
        {"kind": "amount", "a": "Rs. 32,499.00", "b": 32499},
        {"kind": "nope", "a": "x", "b": "y"},
        {"kind": "name", "a": "Ramesh Kumar"},
        {"kind": "model", "a": "Galaxy A14", "b": "Galaxy A34"},
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    result = _runner.invoke(_app, ["score", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == len(lines)
    assert out[0] == {"score": 100}
    assert "error" in out[1] and "error" in out[3] and "error" in out[4]
    assert out[2] == {"score": 100}
    assert out[5]["score"] < 70


def test_jsonl_reads_stdin_through_the_installed_command() -> None:
    atlas = Path(sys.executable).with_name("atlas")
    pairs = "".join(
        json.dumps({"kind": "phone", "a": "8655126210", "b": f"+91 86551 2621{d}"}) + "\n" for d in range(10)
    )
    done = subprocess.run(
        [str(atlas), "score", "--jsonl", "-"], input=pairs, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    scores = [json.loads(line)["score"] for line in done.stdout.splitlines()]
    assert scores[0] == 100 and all(s < 50 for s in scores[1:]) and len(scores) == 10
