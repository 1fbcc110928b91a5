"""Personal data through the real `atlas serve` (real engine): the full Aadhaar number is never
stored or logged, names, addresses and phone numbers never reach the logs, and an erased flow leaves
nothing behind in the database file or the blob folder."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from atlas_testkit import wait_until
from e2e_harness import Lender

from atlasflow.synth import numbers
from atlasflow.synth.dataset import application_for

PERSONAL_FIELDS = ("name", "address", "mobile", "aadhaar", "pan_number", "dob", "birth")


def personal_values(cases) -> set[str]:
    values: set[str] = set()
    for case in cases:
        labels = json.loads(Path(case.labels_path).read_text())
        for name, value in labels.get("data", {}).items():
            if any(k in name for k in PERSONAL_FIELDS) and isinstance(value, str) and len(value) >= 6:
                values.add(value)
    return values


def full_aadhaar_forms(sample_cases) -> list[bytes]:
    """The sample Aadhaar card's full number, in every spelling a leak could take."""
    aadhaar = next(c for c in sample_cases if str(c.document_type) == "AADHAAR")
    labels = json.loads(Path(aadhaar.labels_path).read_text())
    full = application_for(seed=11, split="dev", index=0).person.aadhaar
    printed = labels["data"].get("aadhaar_number", "")
    assert not printed or printed == numbers.mask_aadhaar(full)  # the card really carries this number
    return [
        full.encode(),
        numbers.group_aadhaar(full).encode(),
        "-".join(re.findall(r"\d{4}", full)).encode(),
    ]


def database_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("atlas.db*")))


@pytest.mark.sqlite_file
def test_aadhaar_never_stored_or_logged_and_an_erased_flow_leaves_nothing(
    server, files, receiver, samples, sample_cases
):
    forms = full_aadhaar_forms(sample_cases)
    creds = server.new_client("lender-pii")
    receiver.webhook_secret = creds["webhook_secret"]
    lender = Lender(server, creds)
    flow_uuid = lender.init_flow(receiver, application_id="LOAN-PII-1")
    urls = {t: files.add(f"/pii/{flow_uuid}/{t.lower()}", samples[t]) for t in ("AADHAAR", "INVOICE", "PAN")}
    lender.upload(flow_uuid, {f"doc-{t}": url for t, url in urls.items()})
    assert lender.wait_final(flow_uuid)["master_status"] == "SUCCESS"
    callback = wait_until(lambda: receiver.for_flow(flow_uuid), timeout=30, what="callback")[0]
    extracts = lender.call("GET", "/v3/verification/extracts", params={"flow_uuid": flow_uuid}).content

    logs = server.log_path.read_bytes()
    db = database_bytes(server.data_dir)
    assert flow_uuid.encode() in db  # the scan looks where the flow's data really is
    for where, blob in (
        ("database", db),
        ("logs", logs),
        ("callback", callback.body),
        ("extracts", extracts),
    ):
        leaked = [f.decode() for f in forms if f in blob]
        assert leaked == [], where
    aadhaar_item = next(d for d in json.loads(extracts)["ocr_data"] if d["document_id"] == "doc-AADHAAR")
    number = aadhaar_item["data"].get("aadhaar_number", {}).get("value", "")
    assert number == "" or re.fullmatch(r"\*\*\*\* \*\*\*\* \d{4}", number), number

    text = logs.decode(errors="replace")
    personal = personal_values(c for c in sample_cases if str(c.document_type) in urls)
    assert len(personal) >= 3
    assert [v for v in personal if v in text] == []

    # Right to erasure: files, results and callback records go; afterwards the flow is unknown.
    r = lender.call("DELETE", "/v3/verification/flow", params={"flow_uuid": flow_uuid})
    assert r.status_code == 200, r.text
    assert lender.call("GET", "/v3/verification/status", params={"flow_uuid": flow_uuid}).status_code == 409
    assert not (server.data_dir / "blobs" / flow_uuid).exists()
    # What the engine read (names and the masked number) came back in the callback; after erasure
    # and a checkpoint none of it is left in the database file (secure_delete overwrote it).
    read_back = {
        v["value"]
        for item in json.loads(callback.body)["ocr_data"]
        for name, v in item["data"].items()
        if isinstance(v, dict)
        and isinstance(v.get("value"), str)
        and len(v["value"]) >= 6
        and any(k in name for k in PERSONAL_FIELDS)
    }
    assert read_back  # the engine did read personal fields, so the check below means something
    server.stop()
    # Until a checkpoint, SQLite's WAL still holds the pages as they were before the erasure (see
    # docs/security.md); any next start checkpoints it. Do what that start does, then look.
    with contextlib.closing(sqlite3.connect(server.data_dir / "atlas.db")) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db = database_bytes(server.data_dir)
    assert flow_uuid.encode() not in db
    assert [v for v in read_back if v.encode() in db] == []
