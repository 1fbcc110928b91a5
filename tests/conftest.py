"""Suite-wide switch: run the API and e2e tests against PostgreSQL instead of SQLite.

With ATLAS_TEST_ON_POSTGRES=1 and ATLAS_TEST_POSTGRES set to an admin URL
(`postgresql+psycopg://user@host:port/postgres`, as `.ci/services.sh env` prints), every API test
gets a fresh database and every e2e module one more (its server lives for the module), handed to the
code under test through ATLAS_DATABASE_URL exactly as an operator would. Unset (the default
`make test`), nothing here runs and the tests use SQLite in their temporary folders.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

_ON = os.environ.get("ATLAS_TEST_ON_POSTGRES") == "1" and bool(os.environ.get("ATLAS_TEST_POSTGRES"))
# e2e gets both: the module's shared `server` starts with the module's database, and a server a
# test starts for itself gets that test's own, so two servers with separate blob folders never
# take each other's documents.
_PER_TEST = ("api", "e2e")
_PER_MODULE = ("e2e",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL there is no SQLite file to look into: those checks ran on the SQLite pass."""
    if not _ON:
        return
    skip = pytest.mark.skip(reason="inspects the SQLite file; the suite runs on PostgreSQL")
    for item in items:
        if "sqlite_file" in item.keywords:
            item.add_marker(skip)


def _group(path: str) -> str:
    return Path(path).resolve().parent.name


def _admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(os.environ["ATLAS_TEST_POSTGRES"], isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str | None]:
    """One migrated template database; each test's database is a cheap copy of it."""
    if not _ON:
        yield None
        return
    from atlasflow.storage.db import Database, migrate

    name = f"atlas_tpl_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}"')
    db = Database(_url_for(name))
    migrate(db)
    db.dispose()
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url_for(name: str) -> str:
    base = os.environ["ATLAS_TEST_POSTGRES"]
    return base.rsplit("/", 1)[0] + "/" + name


def _fresh_database(template: str) -> Iterator[None]:
    name = f"atlas_t_{secrets.token_hex(6)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    saved = os.environ.get("ATLAS_DATABASE_URL")
    os.environ["ATLAS_DATABASE_URL"] = _url_for(name)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("ATLAS_DATABASE_URL", None)
        else:
            os.environ["ATLAS_DATABASE_URL"] = saved
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", autouse=True)
def _postgres_per_module(request: pytest.FixtureRequest, _pg_template: str | None) -> Iterator[None]:
    if _pg_template is None or _group(str(request.path)) not in _PER_MODULE:
        yield
        return
    yield from _fresh_database(_pg_template)


@pytest.fixture(autouse=True)
def _postgres_per_test(request: pytest.FixtureRequest, _pg_template: str | None) -> Iterator[None]:
    if _pg_template is None or _group(str(request.path)) not in _PER_TEST:
        yield
        return
    yield from _fresh_database(_pg_template)
