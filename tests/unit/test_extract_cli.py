"""`atlas extract` as a user runs it: JSON on stdout only, SPEC items, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).parents[1] / "documents" / "cases"


def _atlas(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("atlas")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300)


def test_json_is_one_array_of_spec_items_on_stdout(tmp_path: Path) -> None:
    invoice = tmp_path / "bill.png"
    shutil.copy(CASES / "invoice-thermal_receipt-5.png", invoice)
    garbage = tmp_path / "error-page.jpg"
    garbage.write_bytes(b"<html><body>AccessDenied</body></html>")
    proc = _atlas("extract", "--json", str(invoice), str(garbage))
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)  # nothing but the array on stdout
    assert [i["document_id"] for i in items] == ["bill.png", "error-page.jpg"]
    first, second = items
    assert set(first) == {"document_id", "file_uuid", "batch_id", "data", "error_code", "error_reason"}
    assert first["data"]["document_type"] == "INVOICE" and first["error_code"] == ""
    assert first["data"]["dealer_gst"]["value"] and "confidence_score" in first["data"]["dealer_gst"]
    assert first["batch_id"] == second["batch_id"] and first["file_uuid"] != second["file_uuid"]
    assert second["error_code"] == "UNSUPPORTED_FORMAT" and "HTML" in second["error_reason"]


def test_table_output_and_a_missing_file_is_an_error(tmp_path: Path) -> None:
    proc = _atlas("extract", str(CASES / "unrecognised-typed_letter-5.png"), str(tmp_path / "nope.jpg"))
    assert proc.returncode == 1
    assert "UNRECOGNISED" in proc.stdout and "file not found" in proc.stdout


def test_an_unknown_ocr_engine_is_a_plain_error() -> None:
    proc = _atlas("extract", "--ocr", "nonesuch", str(CASES / "pan-pan_new-5.png"))
    assert proc.returncode == 2
    assert "unknown OCR engine 'nonesuch'" in proc.stderr and "Traceback" not in proc.stderr
