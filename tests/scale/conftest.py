"""Fixtures of the scale group: a Cluster per test over the services `.ci/services.sh` started.

Every test here is marked `scale` and needs ATLAS_TEST_POSTGRES/_REDIS/_S3; `make test-scale`
starts the services, sets those and stops the services afterwards, even on failure."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "api"))

from atlas_testkit import FileServer, Receiver  # noqa: E402
from scale_harness import Cluster  # noqa: E402


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path / "cluster")
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def files() -> Iterator[FileServer]:
    server = FileServer().start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()
