"""The fake engine (tests/api/fake_engine.py) with time in it, for the scale tests.

A document may carry {"sleep": seconds} (a slow page: time to kill its worker mid-way) or
{"until": unix_time} (finish at that instant: two workers completing a flow's last documents
together). Each call appends "<pid> <filename>" to $ATLAS_TEST_ENGINE_LOG so a test can see
which worker process read which document.
"""

from __future__ import annotations

import json
import os
import time

import fake_engine

from atlasflow.domain.types import DocumentResult


def warm_up() -> None:
    fake_engine.warm_up()


def process_document(data: bytes, *, filename: str | None = None) -> DocumentResult:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        doc = None
    if isinstance(doc, dict):
        if doc.get("sleep"):
            time.sleep(float(doc["sleep"]))
        if doc.get("until"):
            time.sleep(max(0.0, float(doc["until"]) - time.time()))
    log = os.environ.get("ATLAS_TEST_ENGINE_LOG")
    if log and filename != "warm-up.png":
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {filename}\n")
    return fake_engine.process_document(data, filename=filename)
