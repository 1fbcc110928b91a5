"""End-to-end fixtures: the real `atlas serve` in a subprocess (real engine), synthetic documents
on a local file server, and a lender-side receiver that issues tokens and verifies signatures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "api"))

from atlas_testkit import FileServer, Receiver  # noqa: E402
from e2e_harness import AtlasServer  # noqa: E402


@pytest.fixture(scope="session")
def sample_cases(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """One clean synthetic document per type (SPECIMEN renders) with its labels."""
    from atlasflow.synth.dataset import generate_dataset

    out = tmp_path_factory.mktemp("samples")
    return generate_dataset(out, seed=11, per_type=1, split="dev", degraded_share=0.0, distractors=0)


@pytest.fixture(scope="session")
def samples(sample_cases: list[Any]) -> dict[str, bytes]:
    """The documents' bytes keyed by document type."""
    docs: dict[str, bytes] = {}
    for case in sample_cases:
        docs.setdefault(str(case.document_type), Path(case.path).read_bytes())
    return docs


@pytest.fixture(scope="session")
def files() -> Iterator[FileServer]:
    server = FileServer().start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtlasServer]:
    srv = AtlasServer(tmp_path_factory.mktemp("atlas") / "data").start()
    yield srv
    srv.stop()
