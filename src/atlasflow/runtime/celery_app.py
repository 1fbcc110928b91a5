"""The Celery runtime: the same stage functions as the embedded runtime, run by thin tasks.

    API processes (atlas serve --no-workers)   record work, then send one task per id (a nudge)
    Redis                                      carries the nudges; losing them loses nothing
    atlas worker -Q documents                  OCR: process_document (+ finalize_flow inline)
    atlas worker -Q flows                      fetch_document, sweep (and the re-dispatch of lost nudges)
    atlas worker -Q callbacks                  deliver_callback; retries are scheduled, never slept
    atlas beat (or atlas worker --beat)        the periodic sweep task, once per ATLAS_SWEEP_INTERVAL

Every task takes ids only (JSON), loads its row, calls the stage and lets the stage save: the
database is the truth. Tasks are acknowledged late and rejected when their worker dies, so a
`kill -9` in the middle of a document puts the message back; the same task id then finds its
own dead lease and takes the document again at once. A flow is completed by exactly one worker
because completion is a conditional UPDATE on the flow's version (and the deliveries table has a
unique (flow_uuid, result_seq) index), not because of any lock held in Python.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from celery import Celery, signals
from sqlalchemy import func, select, update

from atlasflow.config import Settings
from atlasflow.logging import get_logger
from atlasflow.storage import repository as repo
from atlasflow.storage.tables import DeliveryState, DocumentState, deliveries, documents

log = get_logger("atlasflow.celery")

QUEUE_DOCUMENTS = "documents"
QUEUE_FLOWS = "flows"
QUEUE_CALLBACKS = "callbacks"
ALL_QUEUES = (QUEUE_DOCUMENTS, QUEUE_FLOWS, QUEUE_CALLBACKS)

TASK_FETCH = "atlas.fetch_document"
TASK_PROCESS = "atlas.process_document"
TASK_DELIVER = "atlas.deliver_callback"
TASK_SWEEP = "atlas.sweep"

ROUTES = {
    TASK_PROCESS: {"queue": QUEUE_DOCUMENTS},
    TASK_FETCH: {"queue": QUEUE_FLOWS},
    TASK_SWEEP: {"queue": QUEUE_FLOWS},
    TASK_DELIVER: {"queue": QUEUE_CALLBACKS},
}
_QUEUE_OF = {name: route["queue"] for name, route in ROUTES.items()}

# Redis re-delivers an unacknowledged message after this long; an eta further out than this
# would be delivered twice, so longer callback delays are left to the sweep's re-dispatch.
VISIBILITY_TIMEOUT = 3600


def make_celery(settings: Settings) -> Celery:
    """The Celery app for `settings.broker_url`: JSON only, late acks, per-stage queues."""
    app = Celery("atlasflow", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,  # results live in the database, never in a result backend
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # an OCR worker holds one document, not a stack of them
        task_routes=ROUTES,
        task_default_queue=QUEUE_FLOWS,
        task_create_missing_queues=True,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        # A broker outage must not hang an API request: publishing gives up quickly and the
        # sweep re-sends what was recorded meanwhile.
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        beat_schedule={
            "atlas-sweep": {"task": TASK_SWEEP, "schedule": max(1.0, settings.sweep_interval)},
        },
    )
    return app


# ----------------------------------------------------------------------------- the API's side


class CeleryNotifier:
    """Notifier for the API (and the stages): one task per id, by name, so the sender never
    imports the pipeline. A failed send is logged and dropped: the row is already committed,
    and the sweep re-sends work whose queue went quiet."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def _send(self, task: str, ids: Sequence[str], **options: Any) -> None:
        for row_id in ids:
            try:
                self.app.send_task(task, args=[row_id], queue=_QUEUE_OF[task], **options)
            except Exception as exc:  # broker down: the database still has the work
                log.warning("task not sent; the sweep will re-send it", task=task, error=type(exc).__name__)
                return

    def documents_queued(self, file_uuids: Sequence[str] = ()) -> None:
        self._send(TASK_FETCH, file_uuids)

    def documents_fetched(self, file_uuids: Sequence[str] = ()) -> None:
        self._send(TASK_PROCESS, file_uuids)

    def delivery_due(self, delivery_ids: Sequence[str] = ()) -> None:
        self._send(TASK_DELIVER, delivery_ids)

    def delivery_later(self, delivery_id: str, *, countdown: float) -> None:
        if countdown <= VISIBILITY_TIMEOUT / 2:
            self._send(TASK_DELIVER, [delivery_id], countdown=max(0.0, countdown))


# ---------------------------------------------------------------------- the worker's side


class _Worker:
    """Per worker process: the stage context and the engine, built after the fork, once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ctx: Any = None
        self.engine: Any = None
        self.token_cache: Any = None
        self.warm = os.environ.get("ATLAS_CELERY_WARM", "1") == "1"

    def context(self) -> Any:
        with self.lock:
            if self.ctx is None:
                from atlasflow.delivery.auth_url import TokenCache
                from atlasflow.runtime.flow import StageContext

                settings = Settings()
                self.ctx = StageContext.build(settings, notifier=CeleryNotifier(celery_app()))
                self.token_cache = TokenCache()
            return self.ctx

    def engine_fn(self) -> Any:
        ctx = self.context()
        with self.lock:
            if self.engine is None:
                from atlasflow.runtime.flow import warm_up_engine

                self.engine = warm_up_engine(ctx.settings.engine)
            return self.engine


_worker = _Worker()
_app: Celery | None = None
_app_lock = threading.Lock()


def celery_app() -> Celery:
    """The process's Celery app, from the environment's settings (workers and `celery -A`)."""
    global _app
    with _app_lock:
        if _app is None:
            _app = make_celery(Settings())
            _register_tasks(_app)
        return _app


@signals.worker_process_init.connect
def _on_worker_process_init(**_: Any) -> None:
    # Runs in each pool process after the fork: database connections and models are made here,
    # never inherited from the parent (a forked connection or ONNX session is shared state).
    from atlasflow.logging import configure_logging

    settings = Settings()
    configure_logging(level=settings.log_level, json=settings.log_json, process="celery")
    _worker.context()
    if _worker.warm:
        _worker.engine_fn()
        log.info("document engine loaded", pid=os.getpid())


def _owner(task: Any) -> str:
    return f"celery:{socket.gethostname()}:{os.getpid()}:{task.request.id}"


def _take_back_own_lease(
    ctx: Any, *, owner: str, task_id: str, file_uuid: str | None = None, delivery_id: str | None = None
) -> None:
    """A message comes back with its task id only when the worker that held it died (late ack,
    reject on worker lost) or outlived the broker's visibility timeout. A lease held under the
    same task id by another process is that earlier delivery's: expire it so this delivery
    claims the row now, not when the lease runs out. (A still-running earlier delivery then
    loses its write: the stage functions store only while they hold the lease.)"""
    now = repo.utcnow()
    past = now - timedelta(seconds=1)
    with ctx.db.write() as conn:
        if file_uuid is not None:
            conn.execute(
                update(documents)
                .where(
                    documents.c.file_uuid == file_uuid,
                    documents.c.state.in_([DocumentState.FETCHING.value, DocumentState.PROCESSING.value]),
                    documents.c.lease_owner.endswith(":" + task_id, autoescape=True),
                    documents.c.lease_owner != owner,
                )
                .values(lease_expires_at=past)
            )
        if delivery_id is not None:
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.delivery_id == delivery_id,
                    deliveries.c.state == DeliveryState.DELIVERING.value,
                    deliveries.c.lease_owner.endswith(":" + task_id, autoescape=True),
                    deliveries.c.lease_owner != owner,
                )
                .values(lease_expires_at=past)
            )


def _register_tasks(app: Celery) -> None:
    # Plain functions over ids; the stage functions do the loading and saving.

    @app.task(name=TASK_FETCH, bind=True)
    def fetch_task(self: Any, file_uuid: str) -> None:
        from atlasflow.runtime.flow import fetch_document

        ctx = _worker.context()
        _take_back_own_lease(ctx, owner=_owner(self), task_id=self.request.id, file_uuid=file_uuid)
        fetch_document(ctx, owner=_owner(self), file_uuid=file_uuid)

    @app.task(name=TASK_PROCESS, bind=True)
    def process_task(self: Any, file_uuid: str) -> None:
        from atlasflow.runtime.flow import process_document

        ctx = _worker.context()
        _take_back_own_lease(ctx, owner=_owner(self), task_id=self.request.id, file_uuid=file_uuid)
        process_document(ctx, engine=_worker.engine_fn(), owner=_owner(self), file_uuid=file_uuid)

    @app.task(name=TASK_DELIVER, bind=True)
    def deliver_task(self: Any, delivery_id: str) -> None:
        from atlasflow.runtime.flow import deliver_callback

        ctx = _worker.context()
        _take_back_own_lease(ctx, owner=_owner(self), task_id=self.request.id, delivery_id=delivery_id)
        done = deliver_callback(
            ctx, owner=_owner(self), token_cache=_worker.token_cache, delivery_id=delivery_id
        )
        if done is None:
            return
        with ctx.db.read() as conn:
            delivery = repo.get_delivery(conn, delivery_id=delivery_id)
        if delivery is not None and delivery.state == DeliveryState.PENDING and delivery.next_attempt_at:
            # The retry is a message due later, not a sleeping worker.
            wait = (delivery.next_attempt_at - repo.utcnow()).total_seconds()
            ctx.notifier.delivery_later(delivery_id, countdown=wait)

    @app.task(name=TASK_SWEEP, bind=True)
    def sweep_task(self: Any) -> None:
        from atlasflow.runtime.flow import sweep

        ctx = _worker.context()
        sweep(ctx)
        redispatch(ctx, app)


# ------------------------------------------------------------------------------ re-dispatch


def queue_length(app: Celery, queue: str) -> int:
    """Messages waiting in `queue` (not counting those a worker already holds)."""
    with app.connection_for_write() as conn:
        try:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
        except Exception:
            return 0  # a queue never declared holds nothing


def redispatch(ctx: Any, app: Celery, *, limit: int = 500) -> dict[str, int]:
    """Re-send tasks for work that has waited longer than ATLAS_REDISPATCH_AFTER while its queue
    is empty: the message was lost (broker restart, a publish that failed during an outage).
    A duplicate costs one no-op claim; a missing one would cost a flow."""
    now = repo.utcnow()
    cutoff = now - timedelta(seconds=ctx.settings.redispatch_after)
    notifier = CeleryNotifier(app)
    sent = {"fetch": 0, "process": 0, "deliver": 0}
    with ctx.db.read() as conn:
        if queue_length(app, QUEUE_FLOWS) == 0:
            ids = (
                conn.execute(
                    select(documents.c.file_uuid)
                    .where(documents.c.state == DocumentState.QUEUED.value, documents.c.created_at < cutoff)
                    .order_by(documents.c.created_at)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            notifier.documents_queued(ids)
            sent["fetch"] = len(ids)
        if queue_length(app, QUEUE_DOCUMENTS) == 0:
            ids = (
                conn.execute(
                    select(documents.c.file_uuid)
                    .where(
                        documents.c.state == DocumentState.FETCHED.value,
                        func.coalesce(documents.c.fetched_at, documents.c.created_at) < cutoff,
                    )
                    .order_by(documents.c.created_at)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            notifier.documents_fetched(ids)
            sent["process"] = len(ids)
        if queue_length(app, QUEUE_CALLBACKS) == 0:
            ids = (
                conn.execute(
                    select(deliveries.c.delivery_id)
                    .where(
                        deliveries.c.state == DeliveryState.PENDING.value,
                        deliveries.c.next_attempt_at < cutoff,
                    )
                    .order_by(deliveries.c.next_attempt_at)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            notifier.delivery_due(ids)
            sent["deliver"] = len(ids)
    if any(sent.values()):
        log.info("re-dispatched waiting work", **sent)
    return sent


# --------------------------------------------------------------------------------- commands


def run_worker(settings: Settings, *, concurrency: int | None, queues: Sequence[str], beat: bool) -> None:
    """`atlas worker` with a broker configured: a Celery worker (prefork) on `queues`."""
    unknown = [q for q in queues if q not in ALL_QUEUES]
    if unknown:
        raise ValueError(f"unknown queue(s) {unknown}; choose from {list(ALL_QUEUES)}")
    # Only a worker that reads documents loads the OCR models at start; others load them never.
    os.environ["ATLAS_CELERY_WARM"] = "1" if QUEUE_DOCUMENTS in queues else "0"
    _worker.warm = QUEUE_DOCUMENTS in queues
    app = celery_app()
    argv = [
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency or settings.worker_count}",
        f"--queues={','.join(queues)}",
        f"--hostname=atlas-{os.getpid()}@{socket.gethostname()}",
        f"--loglevel={settings.log_level}",
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        argv += ["--beat", f"--schedule={settings.data_dir / 'celerybeat-schedule'}"]
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.worker_main(argv)


def run_beat(settings: Settings) -> None:
    """`atlas beat`: the periodic sweep; run exactly one (a second only repeats idempotent work)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = celery_app()
    app.start(
        [
            "beat",
            f"--schedule={settings.data_dir / 'celerybeat-schedule'}",
            f"--loglevel={settings.log_level}",
        ]
    )


def notifier_for(settings: Settings) -> CeleryNotifier | None:
    """The API's notifier when a broker is configured (None: the embedded runtime's own)."""
    if not settings.broker_url:
        return None
    return CeleryNotifier(celery_app())
