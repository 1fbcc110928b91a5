"""Fixtures for the API contract tests (see api_harness for the service under test), a local
file server and a callback receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from api_harness import Api, run_api
from atlas_testkit import FileServer, Receiver


@pytest.fixture
def api(tmp_path: Any) -> Iterator[Api]:
    """The API with workers running (threads, fake engine)."""
    yield from run_api(tmp_path, workers=True)


@pytest.fixture
def api_only(tmp_path: Any) -> Iterator[Api]:
    """The API with no workers: recorded work stays queued until a test runs a stage by hand."""
    yield from run_api(tmp_path, workers=False)


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
