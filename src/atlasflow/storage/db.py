"""Database access: one Engine per process, read and write transactions, and migrations.

SQLite (embedded default) runs in WAL mode so readers never wait for the writer. Write
transactions start with `BEGIN IMMEDIATE`: a transaction that reads and then writes would
otherwise fail at once with "database is locked" when another process committed in between,
instead of waiting its turn (busy_timeout).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from atlasflow.errors import AtlasError

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_WRITE = "atlas_write"


class DatabaseUnavailableError(AtlasError):
    """The database cannot be reached; the API answers 503 and accepts nothing."""


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class Database:
    """An Engine plus `read()` / `write()` transaction scopes."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 30_000) -> None:
        self.url = url
        self.is_sqlite = _is_sqlite(url)
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            path = url.removeprefix("sqlite:///")
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
            kwargs["pool_size"] = 20
            kwargs["max_overflow"] = 20
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        # fast_query's connections live in their own pool so they never starve the main one.
        fast_kwargs = {
            k: v for k, v in kwargs.items() if k not in ("pool_size", "max_overflow", "pool_pre_ping")
        }
        self._fast_engine: Engine = create_engine(url, poolclass=NullPool, **fast_kwargs)
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine, busy_timeout_ms)
            _install_sqlite_hooks(self._fast_engine, busy_timeout_ms)
        self._local = threading.local()
        style = self.engine.dialect.paramstyle
        self.placeholder = "?" if style == "qmark" else "%s"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with _translate_errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with _translate_errors(), self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    def fast_query(self, sql: str, params: Sequence[object]) -> list[tuple[object, ...]]:
        """Run one read-only statement on this thread's own DBAPI connection.

        For the hottest read path only (status polling): it skips SQLAlchemy's execution layer
        (~30 µs a statement against ~4 µs here). `sql` uses `self.placeholder`.
        Each statement sees the latest committed data (no transaction is held open).
        """
        raw = getattr(self._local, "raw", None)
        try:
            if raw is None:
                raw = self._local.raw = self._fast_engine.raw_connection()
            cursor = raw.cursor()
            try:
                cursor.execute(sql, tuple(params))
                rows = cursor.fetchall()
            finally:
                cursor.close()
            if not self.is_sqlite:
                raw.commit()  # end the implicit read transaction so the next read sees new commits
            return rows
        except Exception as exc:
            self._local.raw = None
            if raw is not None:
                with contextlib.suppress(Exception):  # it is being thrown away anyway
                    raw.invalidate()
            if isinstance(exc, DBAPIError | self.engine.dialect.loaded_dbapi.Error):
                raise DatabaseUnavailableError(str(exc).splitlines()[0]) from exc
            raise

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
        self._fast_engine.dispose()


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Erased and expired rows hold personal data: overwrite their bytes instead of leaving
        # them in free pages of the file (right to erasure, retention).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@contextmanager
def _translate_errors() -> Iterator[None]:
    try:
        yield
    except OperationalError as exc:
        # Connection-level failures (file missing, server down, locked beyond busy_timeout) are
        # outages, not bugs: the caller turns them into a 503.
        raise DatabaseUnavailableError(
            str(exc.orig).splitlines()[0] if exc.orig else "database error"
        ) from exc


def migrate(db: Database) -> None:
    """Bring the schema to the newest revision (idempotent; run at every start)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with _translate_errors(), db.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        conn.commit()
