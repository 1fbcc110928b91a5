"""The embedded runtime: worker processes over SQLite + a blob folder, inside `atlas serve`.

    supervisor (in the serve process)   starts and restarts the workers below; releases the leases
                                        of a worker that died; holds the data folder's lock
    I/O worker (1 process)              threads that fetch files and deliver callbacks, and the sweep
    document workers (N processes)      warm the engine once, then run `process_document` in a loop

Workers poll the database (ATLAS_POLL_INTERVAL) and are woken early by multiprocessing Events
that the API and the other workers set when they record work. The events are only a nudge: a
lost one delays work by one poll, and a crash loses nothing because the sweep and the leases,
not the events, say what is left to do. The same loops run in threads for tests (ThreadRuntime).
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from typing import Any, Protocol

from atlasflow.config import Settings
from atlasflow.delivery.auth_url import TokenCache
from atlasflow.logging import configure_logging, get_logger
from atlasflow.runtime.flow import (
    EngineFn,
    StageContext,
    deliver_callback,
    fetch_document,
    process_document,
    sweep,
    warm_up_engine,
)
from atlasflow.storage import repository as repo
from atlasflow.storage.db import Database, DatabaseUnavailableError, migrate

log = get_logger("atlasflow.runtime")


class Flag(Protocol):
    def is_set(self) -> bool: ...
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass
class EventNotifier:
    """Notifier over three events (threading or multiprocessing): fetch, process, deliver."""

    fetch: Flag
    process: Flag
    deliver: Flag

    # The ids are for runtimes that dispatch per row; these workers take the oldest row anyway.
    def documents_queued(self, file_uuids: Sequence[str] = ()) -> None:
        self.fetch.set()

    def documents_fetched(self, file_uuids: Sequence[str] = ()) -> None:
        self.process.set()

    def delivery_due(self, delivery_ids: Sequence[str] = ()) -> None:
        self.deliver.set()


def _idle(wake: Flag, timeout: float) -> None:
    if wake.wait(timeout):
        wake.clear()


def _guarded(step: Callable[[], Any], *, what: str, stop: Flag, backoff: float) -> Any:
    """Run one loop step; an outage or a bug pauses the loop instead of killing the worker."""
    try:
        return step()
    except DatabaseUnavailableError as exc:
        log.warning("database unavailable; retrying", loop=what, error=str(exc))
    except Exception as exc:
        log.exception("worker loop error", loop=what, error_type=type(exc).__name__)
    stop.wait(backoff)
    return None


def document_loop(ctx: StageContext, *, engine: EngineFn, owner: str, stop: Flag, wake: Flag) -> None:
    """Process fetched documents until stopped (one at a time: the engine uses the core)."""
    interval = ctx.settings.poll_interval
    while not stop.is_set():
        done = _guarded(
            lambda: process_document(ctx, engine=engine, owner=owner),
            what="process",
            stop=stop,
            backoff=interval,
        )
        if done is None:
            _idle(wake, interval)


def fetch_loop(ctx: StageContext, *, owner: str, stop: Flag, wake: Flag) -> None:
    interval = ctx.settings.poll_interval
    while not stop.is_set():
        done = _guarded(lambda: fetch_document(ctx, owner=owner), what="fetch", stop=stop, backoff=interval)
        if done is None:
            _idle(wake, interval)


def delivery_loop(ctx: StageContext, *, owner: str, token_cache: TokenCache, stop: Flag, wake: Flag) -> None:
    interval = ctx.settings.poll_interval
    while not stop.is_set():
        done = _guarded(
            lambda: deliver_callback(ctx, owner=owner, token_cache=token_cache),
            what="deliver",
            stop=stop,
            backoff=interval,
        )
        if done is None:
            _idle(wake, interval)


def sweep_loop(ctx: StageContext, *, stop: Flag) -> None:
    while not stop.wait(ctx.settings.sweep_interval):
        _guarded(lambda: sweep(ctx), what="sweep", stop=stop, backoff=ctx.settings.sweep_interval)


def io_threads(ctx: StageContext, *, owner: str, stop: Flag) -> list[threading.Thread]:
    """Fetch and delivery threads plus the sweep: I/O-bound work that needs no OCR."""
    notifier = ctx.notifier
    assert isinstance(notifier, EventNotifier)
    n = max(2, ctx.settings.io_threads)
    fetchers = max(1, n // 2)
    cache = TokenCache()
    threads = [
        threading.Thread(
            target=fetch_loop,
            kwargs={"ctx": ctx, "owner": f"{owner}:f{i}", "stop": stop, "wake": notifier.fetch},
            name=f"fetch-{i}",
            daemon=True,
        )
        for i in range(fetchers)
    ]
    threads += [
        threading.Thread(
            target=delivery_loop,
            kwargs={
                "ctx": ctx,
                "owner": f"{owner}:d{i}",
                "token_cache": cache,
                "stop": stop,
                "wake": notifier.deliver,
            },
            name=f"deliver-{i}",
            daemon=True,
        )
        for i in range(n - fetchers)
    ]
    threads.append(
        threading.Thread(target=sweep_loop, kwargs={"ctx": ctx, "stop": stop}, name="sweep", daemon=True)
    )
    return threads


# ------------------------------------------------------------------------------ worker processes


def _watch_stop(shared_stop: Any, stop: threading.Event, parent: int) -> None:
    """Stop when the supervisor says so, or when it is gone (killed without a chance to say it):
    a worker must never outlive its supervisor and keep taking work nobody watches."""
    while not stop.is_set():
        if shared_stop.wait(1.0) or os.getppid() != parent:
            break
    stop.set()


def _child_main(
    role: str, settings: Settings, owner: str, events: tuple[Any, Any, Any], shared_stop: Any
) -> None:
    """Entry point of a spawned worker process."""
    # This process stops when the supervisor says so (shared event) or when it alone gets SIGTERM;
    # either way it finishes the item in hand first. Ctrl-C reaches the whole group: the supervisor
    # decides, so it is ignored here.
    stop = threading.Event()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(
        target=_watch_stop, args=(shared_stop, stop, os.getppid()), name="stop-relay", daemon=True
    ).start()
    configure_logging(level=settings.log_level, json=settings.log_json, process=role)
    notifier = EventNotifier(*events)
    ctx = StageContext.build(settings, notifier=notifier)
    if role == "io":
        threads = io_threads(ctx, owner=owner, stop=stop)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return
    engine = warm_up_engine(settings.engine)
    log.info("document worker ready", owner=owner)
    document_loop(ctx, engine=engine, owner=f"{owner}:w", stop=stop, wake=notifier.process)


@dataclass
class _Child:
    role: str
    slot: int
    generation: int
    process: SpawnProcess


class DataDirLock:
    """One embedded supervisor per data folder: the lock lets it release every lease at start."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "runtime.lock"
        self._fh: Any = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+")  # noqa: SIM115 - held for the process lifetime
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._fh.close()
            self._fh = None
            return False
        return True

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class ProcessRuntime:
    """Start, watch and stop the I/O worker and N document workers (spawned processes)."""

    def __init__(self, settings: Settings, *, workers: int | None = None) -> None:
        self.settings = settings
        self.workers = settings.worker_count if workers is None else workers
        self._mp: SpawnContext = multiprocessing.get_context("spawn")
        self.stop_event = self._mp.Event()
        self.notifier = EventNotifier(self._mp.Event(), self._mp.Event(), self._mp.Event())
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._children: dict[tuple[str, int], _Child] = {}
        self._generation = 0
        self._lock = DataDirLock(settings.data_dir)
        self._watcher: threading.Thread | None = None
        self._watch_stop = threading.Event()

    def _owner(self, role: str, slot: int, generation: int) -> str:
        return f"{self.instance}:{role}{slot}.{generation}"

    def _spawn(self, role: str, slot: int) -> None:
        self._generation += 1
        owner = self._owner(role, slot, self._generation)
        events = (self.notifier.fetch, self.notifier.process, self.notifier.deliver)
        process = self._mp.Process(
            target=_child_main,
            args=(role, self.settings, owner, events, self.stop_event),
            name=f"atlas-{role}-{slot}",
            daemon=False,
        )
        process.start()
        self._children[(role, slot)] = _Child(role, slot, self._generation, process)

    def start(self) -> None:
        db = Database(self.settings.resolved_database_url)
        migrate(db)
        if self._lock.acquire():
            # We own the data folder: whatever a previous run held (kill -9, power cut) is ours to redo.
            with db.write() as conn:
                released = repo.release_leases(conn)
            if released:
                log.info("released leases of a previous run", count=released)
        else:
            log.warning("another runtime holds this data folder; leases will be recovered as they expire")
        db.dispose()
        self._spawn("io", 0)
        for slot in range(self.workers):
            self._spawn("doc", slot)
        self._watcher = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._watcher.start()
        log.info("runtime started", document_workers=self.workers, instance=self.instance)

    def _watch(self) -> None:
        db = Database(self.settings.resolved_database_url)
        while not self._watch_stop.wait(1.0):
            for key, child in list(self._children.items()):
                if child.process.is_alive() or self.stop_event.is_set():
                    continue
                owner = self._owner(child.role, child.slot, child.generation)
                log.warning("worker died; restarting", role=child.role, exitcode=child.process.exitcode)
                try:
                    with db.write() as conn:
                        repo.release_leases(conn, owner_prefix=owner + ":")
                except DatabaseUnavailableError:
                    pass  # the leases expire on their own
                del self._children[key]
                self._spawn(child.role, child.slot)
        db.dispose()

    def stop(self, timeout: float = 15.0) -> None:
        self._watch_stop.set()
        self.stop_event.set()
        for event in (self.notifier.fetch, self.notifier.process, self.notifier.deliver):
            event.set()
        for child in self._children.values():
            child.process.join(timeout)
        for child in self._children.values():
            if child.process.is_alive():
                child.process.terminate()
                child.process.join(5)
        self._lock.release()
        log.info("runtime stopped")


class ThreadRuntime:
    """The same loops in threads of this process (tests; `atlas verify`): no spawn, shared engine."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: EngineFn | None = None,
        workers: int = 2,
        db: Database | None = None,
    ) -> None:
        self.settings = settings
        self.stop_event = threading.Event()
        self.notifier = EventNotifier(threading.Event(), threading.Event(), threading.Event())
        self.ctx = StageContext.build(settings, notifier=self.notifier, db=db)
        self.engine = engine
        self.workers = workers
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        engine = self.engine or warm_up_engine(self.settings.engine)
        owner = f"thread:{os.getpid()}:{secrets.token_hex(3)}"
        self._threads = io_threads(self.ctx, owner=f"{owner}:io", stop=self.stop_event)
        self._threads += [
            threading.Thread(
                target=document_loop,
                kwargs={
                    "ctx": self.ctx,
                    "engine": engine,
                    "owner": f"{owner}:doc{i}",
                    "stop": self.stop_event,
                    "wake": self.notifier.process,
                },
                name=f"doc-{i}",
                daemon=True,
            )
            for i in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        for event in (self.notifier.fetch, self.notifier.process, self.notifier.deliver):
            event.set()
        for thread in self._threads:
            thread.join(timeout)
