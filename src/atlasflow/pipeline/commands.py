"""`atlas extract FILE...`: the engine on local files, as a table or as SPEC ocr_data JSON."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from atlasflow.domain.types import DocumentResult, ErrorCode


def _batch_id() -> str:
    import random
    import string
    from datetime import UTC, datetime

    rng = random.SystemRandom()
    digits = "".join(rng.choice(string.digits) for _ in range(5))
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(5))
    return f"BATCH-{digits}-{letters}-{datetime.now(UTC):%Y%m%d%H%M%S}"


def _read(path: Path) -> tuple[bytes | None, DocumentResult | None]:
    try:
        return path.read_bytes(), None
    except OSError as exc:
        reason = "file not found" if isinstance(exc, FileNotFoundError) else f"cannot read file ({exc.strerror})"
        return None, DocumentResult.failed(ErrorCode.PROCESSING_FAILED, reason)


def _render_table(items: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    for item in items:
        data = item["data"]
        head = f"[bold]{escape(item['document_id'])}[/bold]  {data.get('document_type', 'UNRECOGNISED')}"
        if item["error_code"]:
            head += f"  [red]{item['error_code']}[/red] {escape(item['error_reason'])}"
        console.print(head)
        fields = {k: v for k, v in data.items() if k != "document_type"}
        if not fields:
            console.print()
            continue
        table = Table(show_lines=False)
        table.add_column("field")
        table.add_column("value")
        table.add_column("confidence", justify="right")
        for name, fv in fields.items():
            value = fv["value"]
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            table.add_row(name, escape(shown), f"{fv['confidence_score']:.2f}")
        console.print(table)


def extract(
    files: Annotated[list[Path], typer.Argument(help="Document files (JPEG, PNG, WebP, TIFF, BMP, PDF).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array of ocr_data items on stdout.")] = False,
    ocr: Annotated[str, typer.Option(help="OCR engine: rapidocr (default) or tesseract (Debian tesseract-ocr).")] = "rapidocr",
) -> None:
    """Classify and extract each file; document_id is the file's name."""
    from rich.progress import Progress

    from atlasflow.errors import AtlasError
    from atlasflow.pipeline.engine import process_document, warm_up

    try:
        warm_up(ocr)
    except AtlasError as exc:
        typer.echo(f"atlas extract: {exc}", err=True)
        raise typer.Exit(2) from None

    batch_id = _batch_id()
    items: list[dict[str, Any]] = []
    unreadable = 0
    with Progress(transient=True, console=_stderr_console(), disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("reading", total=len(files))
        for path in files:
            progress.update(task, description=f"reading {path.name}")
            data, failed = _read(path)
            unreadable += failed is not None
            result = failed or process_document(data or b"", filename=path.name, ocr=ocr)
            items.append(result.to_wire(document_id=path.name, file_uuid=str(uuid.uuid4()), batch_id=batch_id))
            progress.advance(task)
    if as_json:
        sys.stdout.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
    else:
        _render_table(items)
    if unreadable:  # every file that exists is processed; a path we could not read is the caller's error
        raise typer.Exit(1)


def _stderr_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
