"""The flow runner: each pipeline stage as a function of ids, reading from and writing to the database.

Stage contract (every runtime, embedded or Celery, calls these and nothing else):

    fetch_document      QUEUED -> FETCHING -> FETCHED (blob stored) | DONE (DOWNLOAD_FAILED)
    process_document    FETCHED -> PROCESSING -> DONE (engine result, possibly a document error)
    finalize_flow       all documents DONE -> cross-checks, statuses, delivery row (one transaction)
    deliver_callback    a due delivery -> one attempt recorded -> DELIVERED | PENDING later | FAILED
    sweep               expired leases back to the queue, exhausted documents failed, stuck flows finalized

A stage first claims its row with a lease (a conditional UPDATE), does its work outside any
transaction, then writes the outcome only if it still holds the lease. Any stage can therefore
be re-run after a crash; the database, not a queue, says what is left to do.
"""

from __future__ import annotations

import importlib
import json
import secrets
import string
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from atlasflow.config import Settings
from atlasflow.delivery.auth_url import TokenCache
from atlasflow.delivery.backoff import next_delay, parse_schedule
from atlasflow.domain.types import DocumentResult, DocumentType, ErrorCode, FieldValue
from atlasflow.errors import DocumentError
from atlasflow.logging import bind_flow, get_logger
from atlasflow.net.egress import DownloadError, EgressPolicy, fetch_file
from atlasflow.products import product_for
from atlasflow.runtime.retention import erase_expired_flows, remove_orphan_files
from atlasflow.runtime.status import FlowStatus, MasterStatus, roll_up
from atlasflow.storage import repository as repo
from atlasflow.storage.blobs import BlobNotFoundError, BlobStore
from atlasflow.storage.db import Database
from atlasflow.storage.s3 import open_blob_store
from atlasflow.storage.tables import AttemptOutcome, DeliveryState, DocumentState

log = get_logger("atlasflow.flow")

EngineFn = Callable[..., DocumentResult]
_WEBHOOK_NAMESPACE = uuid.UUID("6f1c2b4e-8a53-4d0e-9a55-7b1f3c2d9e10")


class Notifier(Protocol):
    """A nudge between processes; losing one only delays work until the next poll.

    The ids say which rows the nudge is about: the embedded runtime ignores them (its workers
    poll for the oldest), the Celery runtime sends one task per id."""

    def documents_queued(self, file_uuids: Sequence[str] = ()) -> None: ...
    def documents_fetched(self, file_uuids: Sequence[str] = ()) -> None: ...
    def delivery_due(self, delivery_ids: Sequence[str] = ()) -> None: ...


class NullNotifier:
    def documents_queued(self, file_uuids: Sequence[str] = ()) -> None:
        pass

    def documents_fetched(self, file_uuids: Sequence[str] = ()) -> None:
        pass

    def delivery_due(self, delivery_ids: Sequence[str] = ()) -> None:
        pass


@dataclass
class StageContext:
    """What every stage needs, built once per process."""

    settings: Settings
    db: Database
    blobs: Any
    policy: EgressPolicy
    notifier: Notifier = field(default_factory=NullNotifier)
    # A folder (BlobStore) or an S3 bucket (storage.s3.S3BlobStore): same four methods.
    transport: httpx.BaseTransport | None = None  # tests inject a MockTransport for outbound calls
    schedule: tuple[float, ...] = ()

    @classmethod
    def build(
        cls, settings: Settings, *, db: Database | None = None, notifier: Notifier | None = None
    ) -> StageContext:
        return cls(
            settings=settings,
            db=db or Database(settings.resolved_database_url),
            blobs=open_blob_store(settings),
            policy=EgressPolicy.from_env_value(settings.egress_allow),
            notifier=notifier or NullNotifier(),
            schedule=parse_schedule(settings.callback_schedule or None),
        )


# ------------------------------------------------------------------------------------ the engine


def load_engine(spec: str) -> EngineFn:
    """Import the engine named `module:function` (ATLAS_ENGINE)."""
    module_name, _, attr = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr or "process_document")


def warm_up_engine(spec: str) -> EngineFn:
    """Load the engine and its models once, then read one small page: a worker calls this before
    taking any document, so the first lender's flow does not pay for first-inference setup
    (measured: a cold first flow took twice as long as the next ones)."""
    module_name, _, _attr = spec.partition(":")
    engine = load_engine(spec)
    warm = getattr(importlib.import_module(module_name), "warm_up", None)
    if callable(warm):
        warm()
        try:
            engine(_warm_up_page(), filename="warm-up.png")
        except Exception as exc:  # warming is an optimisation; a failure here must not stop the worker
            log.warning("engine warm-up read failed", error_type=type(exc).__name__)
    return engine


def _warm_up_page() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(("TAX INVOICE", "Invoice No: WARM-0001", "Date: 01-01-2025", "Total: 100")):
        draw.text((60, 60 + 50 * i), line, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# -------------------------------------------------------------------------------- ids and payloads


def new_batch_id(now: datetime) -> str:
    digits = "".join(secrets.choice(string.digits) for _ in range(5))
    letters = "".join(secrets.choice(string.ascii_uppercase) for _ in range(5))
    return f"BATCH-{digits}-{letters}-{now.strftime('%Y%m%d%H%M%S')}"


def webhook_id_for(flow_uuid: str, result_seq: int) -> str:
    """Stable per flow result: a re-send of the same result carries the same webhook-id."""
    return "msg_" + uuid.uuid5(_WEBHOOK_NAMESPACE, f"{flow_uuid}:{result_seq}").hex


def result_from_wire(data: dict[str, Any], *, error_code: str, error_reason: str) -> DocumentResult:
    """Rebuild the engine's DocumentResult from its stored wire form (for cross-checks)."""
    try:
        document_type = DocumentType(data.get("document_type", DocumentType.UNRECOGNISED))
    except ValueError:
        document_type = DocumentType.UNRECOGNISED
    fields: dict[str, FieldValue] = {}
    for name, value in data.items():
        if name == "document_type" or not isinstance(value, dict):
            continue
        bbox = value.get("bbox")
        fields[name] = FieldValue(
            value=value.get("value", ""),
            confidence=float(value.get("confidence_score", 0.0) or 0.0),
            bbox=tuple(bbox) if isinstance(bbox, list) and len(bbox) == 4 else None,  # type: ignore[arg-type]
            page=value.get("page"),
        )
    try:
        code = ErrorCode(error_code or "")
    except ValueError:
        code = ErrorCode.PROCESSING_FAILED
    return DocumentResult(document_type, fields, code, error_reason or "")


def ocr_item(doc: repo.DocumentRecord) -> dict[str, Any]:
    return {
        "document_id": doc.document_id,
        "file_uuid": doc.file_uuid,
        "batch_id": doc.batch_id,
        "data": json.loads(doc.result) if doc.result else {},
        "error_code": doc.error_code or "",
        "error_reason": doc.error_reason or "",
    }


def build_callback_data(
    flow: repo.FlowRecord, docs: Sequence[repo.DocumentRecord], cross_checks: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """SPEC §3 CallbackData: finished documents in upload order, plus the cross-checks."""
    return {
        "flow_uuid": flow.flow_uuid,
        "application_id": flow.application_id,
        "flow_params": flow.params,
        "ocr_data": [ocr_item(d) for d in docs if d.state == DocumentState.DONE],
        "cross_checks": cross_checks or [],
    }


def live_status(conn: Any, flow: repo.FlowRecord) -> FlowStatus:
    """The flow's status: the stored snapshot once final, else rolled up from its documents now."""
    if flow.master_status != MasterStatus.IN_PROGRESS:
        return FlowStatus.from_columns(
            upload=flow.upload_status,
            processing=flow.processing_status,
            crosscheck=flow.crosscheck_status,
            master=flow.master_status,
        )
    return roll_up(repo.tally_documents(conn, flow_uuid=flow.flow_uuid), complete=False)


def _filename_hint(doc: repo.DocumentRecord) -> str | None:
    if doc.filename:
        return doc.filename
    if doc.file_url:
        name = PurePosixPath(urlsplit(doc.file_url).path).name
        return name or None
    return None


def _ms(since: float) -> float:
    return round((time.monotonic() - since) * 1000, 1)


# ------------------------------------------------------------------------------------------ stages


def fetch_document(ctx: StageContext, *, owner: str, file_uuid: str | None = None) -> str | None:
    """Download one queued document (the oldest, or `file_uuid`) into the blob store."""
    now = repo.utcnow()
    lease_until = now + timedelta(seconds=ctx.settings.download_timeout + 60)
    with ctx.db.write() as conn:
        doc = repo.claim_document(
            conn,
            ready=DocumentState.QUEUED,
            working=DocumentState.FETCHING,
            owner=owner,
            now=now,
            lease_until=lease_until,
            max_attempts=ctx.settings.max_document_attempts,
            file_uuid=file_uuid,
        )
    if doc is None:
        return None
    with bind_flow(doc.flow_uuid, file_uuid=doc.file_uuid):
        started = time.monotonic()
        reason = ""
        try:
            fetched = fetch_file(
                doc.file_url or "",
                policy=ctx.policy,
                max_bytes=ctx.settings.download_max_bytes,
                timeout=ctx.settings.download_timeout,
                transport=ctx.transport,
            )
        except DownloadError as exc:
            reason = exc.reason
        except Exception as exc:  # a bug in the download path must not lose the document
            log.exception("download crashed", error_type=type(exc).__name__)
            reason = "download failed (internal error)"
        fetch_ms = _ms(started)
        if reason:
            log.info("download failed", reason=reason, fetch_ms=fetch_ms)
            with ctx.db.write() as conn:
                stored = repo.mark_done(
                    conn,
                    file_uuid=doc.file_uuid,
                    owner=owner,
                    working=DocumentState.FETCHING,
                    document_type=DocumentType.UNRECOGNISED.value,
                    error_code=ErrorCode.DOWNLOAD_FAILED.value,
                    error_reason=reason,
                    data={},
                    downloaded=False,
                    fetch_ms=fetch_ms,
                    now=repo.utcnow(),
                )
            if stored:
                finalize_flow(ctx, flow_uuid=doc.flow_uuid)
            return doc.file_uuid
        key = BlobStore.key_for(flow_uuid=doc.flow_uuid, file_uuid=doc.file_uuid)
        ctx.blobs.put(key, fetched.data)
        with ctx.db.write() as conn:
            stored = repo.mark_fetched(
                conn,
                file_uuid=doc.file_uuid,
                owner=owner,
                blob_key=key,
                content_type=fetched.content_type,
                size_bytes=len(fetched.data),
                fetch_ms=fetch_ms,
                now=repo.utcnow(),
            )
        log.info("document fetched", size_bytes=len(fetched.data), fetch_ms=fetch_ms, kept=stored)
        if stored:
            ctx.notifier.documents_fetched((doc.file_uuid,))
        return doc.file_uuid


def process_document(
    ctx: StageContext, *, engine: EngineFn, owner: str, file_uuid: str | None = None
) -> str | None:
    """Run the engine on one fetched document (the oldest, or `file_uuid`) and store its result."""
    now = repo.utcnow()
    with ctx.db.write() as conn:
        doc = repo.claim_document(
            conn,
            ready=DocumentState.FETCHED,
            working=DocumentState.PROCESSING,
            owner=owner,
            now=now,
            lease_until=now + timedelta(seconds=ctx.settings.lease_seconds),
            max_attempts=ctx.settings.max_document_attempts,
            file_uuid=file_uuid,
        )
    if doc is None:
        return None
    with bind_flow(doc.flow_uuid, file_uuid=doc.file_uuid):
        started = time.monotonic()
        try:
            data = ctx.blobs.get(doc.blob_key or "")
            result = engine(data, filename=_filename_hint(doc))
        except BlobNotFoundError:
            result = DocumentResult.failed(ErrorCode.PROCESSING_FAILED, "the stored file is missing")
        except DocumentError as exc:
            result = DocumentResult.failed(ErrorCode(exc.error_code), exc.reason)
        except Exception as exc:  # the engine promises not to raise; if it does, the flow still finishes
            log.exception("engine crashed", error_type=type(exc).__name__)
            result = DocumentResult.failed(
                ErrorCode.PROCESSING_FAILED, "internal error while processing the document"
            )
        process_ms = _ms(started)
        with ctx.db.write() as conn:
            stored = repo.mark_done(
                conn,
                file_uuid=doc.file_uuid,
                owner=owner,
                working=DocumentState.PROCESSING,
                document_type=result.document_type.value,
                error_code=result.error_code.value,
                error_reason=result.error_reason,
                data=result.data(),
                process_ms=process_ms,
                now=repo.utcnow(),
            )
        log.info(
            "document processed",
            document_type=result.document_type.value,
            error_code=result.error_code.value,
            process_ms=process_ms,
            kept=stored,
        )
        if stored:
            finalize_flow(ctx, flow_uuid=doc.flow_uuid)
        return doc.file_uuid


def _cross_checks(product_type: str, docs: Sequence[repo.DocumentRecord]) -> list[dict[str, Any]]:
    product = product_for(product_type)
    if product is None:
        return []
    results = [
        result_from_wire(
            json.loads(d.result or "{}"), error_code=d.error_code or "", error_reason=d.error_reason or ""
        )
        for d in docs
    ]
    try:
        from atlasflow.pipeline.crosscheck import run_cross_checks

        return run_cross_checks(product, results)
    except Exception as exc:
        # A scorer bug must not stall every flow forever: finish with the checks left out, loudly.
        log.exception("cross-checks failed", error_type=type(exc).__name__)
        return []


def finalize_flow(ctx: StageContext, *, flow_uuid: str) -> bool:
    """Complete the flow if every document is done: cross-checks, final statuses and the callback
    delivery, in one transaction. Exactly one caller wins per result (conditional UPDATE on version)."""
    with bind_flow(flow_uuid), ctx.db.write() as conn:
        flow = repo.get_flow(conn, flow_uuid=flow_uuid)
        if flow is None or flow.master_status != MasterStatus.IN_PROGRESS:
            return False
        tally = repo.tally_documents(conn, flow_uuid=flow_uuid)
        if tally.total == 0 or tally.done < tally.total:
            return False
        docs = repo.list_documents(conn, flow_uuid=flow_uuid)
        checks = _cross_checks(flow.product_type, docs)
        status = roll_up(tally, complete=True)
        now = repo.utcnow()
        seq = repo.complete_flow(
            conn,
            flow_uuid=flow_uuid,
            expected_version=flow.version,
            statuses=status.columns(),
            cross_checks=checks,
            now=now,
        )
        if seq is None:
            return False
        body = json.dumps(build_callback_data(flow, docs, checks), separators=(",", ":"), ensure_ascii=False)
        delivery_id = str(uuid.uuid4())
        repo.insert_delivery(
            conn,
            delivery_id=delivery_id,
            flow_uuid=flow_uuid,
            result_seq=seq,
            webhook_id=webhook_id_for(flow_uuid, seq),
            body=body,
            now=now,
        )
        log.info("flow completed", master_status=status.master.value, documents=tally.total, result_seq=seq)
    ctx.notifier.delivery_due((delivery_id,))
    return True


def deliver_callback(
    ctx: StageContext, *, owner: str, token_cache: TokenCache, delivery_id: str | None = None
) -> str | None:
    """Make one attempt at one due delivery and record it; reschedules instead of sleeping."""
    from atlasflow.delivery.webhooks import Delivered, GiveUp, RetryAt, attempt_delivery

    now = repo.utcnow()
    lease_until = now + timedelta(seconds=ctx.settings.callback_timeout * 2 + 60)
    with ctx.db.write() as conn:
        delivery = repo.claim_delivery(
            conn, owner=owner, now=now, lease_until=lease_until, delivery_id=delivery_id
        )
        if delivery is None:
            return None
        flow = repo.get_flow(conn, flow_uuid=delivery.flow_uuid)
        client = repo.get_client(conn, client_id=flow.client_id) if flow else None
    attempt_number = delivery.attempts + 1
    with bind_flow(delivery.flow_uuid, webhook_id=delivery.webhook_id):
        attempted_at = repo.utcnow()
        outcome: Any
        if flow is None or client is None:
            outcome = GiveUp(status_code=None, latency_ms=0.0, error="flow or client no longer exists")
        else:
            try:
                outcome = attempt_delivery(
                    callback_url=flow.callback_url,
                    auth_url=flow.auth_url,
                    body=delivery.body.encode(),
                    webhook_id=delivery.webhook_id,
                    webhook_secret=client.webhook_secret,
                    flow_uuid=flow.flow_uuid,
                    application_id=flow.application_id,
                    attempt_number=attempt_number,
                    policy=ctx.policy,
                    token_cache=token_cache,
                    schedule=ctx.schedule,
                    transport=ctx.transport,
                    timeout=ctx.settings.callback_timeout,
                )
            except Exception as exc:  # never lose a delivery to a bug: schedule it like a failure
                log.exception("delivery attempt crashed", error_type=type(exc).__name__)
                delay = next_delay(attempt_number=attempt_number, schedule=ctx.schedule, retry_after=None)
                error = f"internal error ({type(exc).__name__})"
                if delay is None:
                    outcome = GiveUp(status_code=None, latency_ms=0.0, error=error)
                else:
                    outcome = RetryAt(
                        at=repo.utcnow() + timedelta(seconds=delay),
                        status_code=None,
                        latency_ms=0.0,
                        error=error,
                    )
        if isinstance(outcome, Delivered):
            state, label, next_at = DeliveryState.DELIVERED, AttemptOutcome.DELIVERED, None
        elif isinstance(outcome, RetryAt):
            state, label, next_at = DeliveryState.PENDING, AttemptOutcome.RETRY, outcome.at
        else:
            state, label, next_at = DeliveryState.FAILED, AttemptOutcome.GAVE_UP, None
        with ctx.db.write() as conn:
            kept = repo.record_attempt(
                conn,
                delivery=delivery,
                owner=owner,
                attempt_number=attempt_number,
                attempted_at=attempted_at,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                outcome=label.value,
                error=outcome.error,
                new_state=state,
                next_attempt_at=next_at,
                now=repo.utcnow(),
            )
        log.info(
            "callback attempt",
            attempt=attempt_number,
            outcome=label.value,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            kept=kept,
        )
        return delivery.delivery_id


def sweep(ctx: StageContext) -> dict[str, int]:
    """Periodic repair and upkeep: expired leases back to the queue, documents that crashed their
    worker on every attempt failed, flows whose documents are all done but were never completed,
    old idempotency keys purged, document files past retention deleted."""
    now = repo.utcnow()
    max_attempts = ctx.settings.max_document_attempts
    with ctx.db.write() as conn:
        released = repo.release_expired_leases(conn, now=now, max_attempts=max_attempts)
        exhausted = repo.exhausted_documents(conn, now=now, max_attempts=max_attempts)
        for doc in exhausted:
            fetching = doc.state == DocumentState.FETCHING
            repo.mark_done(
                conn,
                file_uuid=doc.file_uuid,
                owner=None,
                working=None,
                document_type=DocumentType.UNRECOGNISED.value,
                error_code=(ErrorCode.DOWNLOAD_FAILED if fetching else ErrorCode.PROCESSING_FAILED).value,
                error_reason=f"{'download' if fetching else 'processing'} was interrupted {doc.attempts} times",
                data={},
                downloaded=False if fetching else None,
                now=now,
            )
        purged = repo.purge_idempotency(conn, before=now - timedelta(seconds=ctx.settings.idempotency_ttl))
        expired = repo.expired_blobs(
            conn, finished_before=now - timedelta(days=ctx.settings.effective_retention_days)
        )
    # Files first, then the rows: a crash in between leaves keys pointing at nothing, never the reverse.
    for _file_uuid, key in expired:
        ctx.blobs.delete(key)
    if expired:
        with ctx.db.write() as conn:
            repo.forget_blobs(conn, file_uuids=[file_uuid for file_uuid, _key in expired])
    erased = erase_expired_flows(ctx)
    orphans = remove_orphan_files(ctx)
    with ctx.db.read() as conn:
        stuck = repo.flows_ready_to_complete(conn)
    completed = sum(1 for flow_uuid in stuck if finalize_flow(ctx, flow_uuid=flow_uuid))
    if released:
        ctx.notifier.documents_queued()
        ctx.notifier.documents_fetched()
        ctx.notifier.delivery_due()
    counts = {
        "released": released,
        "exhausted": len(exhausted),
        "completed": completed,
        "purged": purged,
        "files_deleted": len(expired),
        "flows_erased": erased,
        "orphan_folders_removed": orphans,
    }
    if released or exhausted or completed or expired or erased or orphans:
        log.info("sweep", **counts)
    return counts
