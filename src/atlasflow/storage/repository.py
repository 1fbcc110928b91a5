"""Every query the service runs, as keyword-only functions over a Connection.

Callers own the transaction (`Database.read()` / `Database.write()`); functions here never
commit. Queue operations are conditional UPDATEs checked by rowcount, so they are atomic on
SQLite and PostgreSQL alike without row-locking syntax.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, case, delete, func, insert, or_, select, update

from atlasflow.storage.db import Database
from atlasflow.storage.tables import (
    ClientStatus,
    DeliveryState,
    DocumentState,
    batches,
    clients,
    deliveries,
    delivery_attempts,
    documents,
    flows,
    idempotency_keys,
    refresh_tokens,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


T = TypeVar("T")


def _record(cls: type[T], row: Any) -> T:
    mapping = row._mapping
    return cls(**{f.name: mapping[f.name] for f in fields(cls)})  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------- clients


@dataclass(frozen=True, slots=True)
class ClientRecord:
    client_id: str
    name: str
    secret_hash: str
    webhook_secret: str
    status: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status == ClientStatus.ACTIVE


def insert_client(
    conn: Connection, *, client_id: str, name: str, secret_hash: str, webhook_secret: str, now: datetime
) -> None:
    conn.execute(
        insert(clients).values(
            client_id=client_id,
            name=name,
            secret_hash=secret_hash,
            webhook_secret=webhook_secret,
            status=ClientStatus.ACTIVE.value,
            created_at=now,
        )
    )


def get_client(conn: Connection, *, client_id: str) -> ClientRecord | None:
    row = conn.execute(select(clients).where(clients.c.client_id == client_id)).first()
    return _record(ClientRecord, row) if row else None


def client_status(conn: Connection, *, client_id: str) -> str | None:
    return conn.execute(select(clients.c.status).where(clients.c.client_id == client_id)).scalar()


def list_clients(conn: Connection) -> list[ClientRecord]:
    rows = conn.execute(select(clients).order_by(clients.c.created_at)).all()
    return [_record(ClientRecord, r) for r in rows]


def set_client_status(conn: Connection, *, client_id: str, status: ClientStatus, now: datetime) -> bool:
    result = conn.execute(
        update(clients)
        .where(clients.c.client_id == client_id)
        .values(status=status.value, disabled_at=now if status is ClientStatus.DISABLED else None)
    )
    return result.rowcount == 1


# --------------------------------------------------------------------------------- refresh tokens


def insert_refresh_token(
    conn: Connection, *, token_hash: str, client_id: str, now: datetime, expires_at: datetime
) -> None:
    conn.execute(
        insert(refresh_tokens).values(
            token_hash=token_hash, client_id=client_id, created_at=now, expires_at=expires_at
        )
    )


def consume_refresh_token(conn: Connection, *, token_hash: str, now: datetime) -> str | None:
    """Mark a refresh token used; returns its client_id only for the one caller that won."""
    client_id = conn.execute(
        select(refresh_tokens.c.client_id).where(refresh_tokens.c.token_hash == token_hash)
    ).scalar()
    if client_id is None:
        return None
    result = conn.execute(
        update(refresh_tokens)
        .where(
            refresh_tokens.c.token_hash == token_hash,
            refresh_tokens.c.used_at.is_(None),
            refresh_tokens.c.expires_at > now,
        )
        .values(used_at=now)
    )
    return client_id if result.rowcount == 1 else None


# ------------------------------------------------------------------------------------------ flows


@dataclass(frozen=True, slots=True)
class FlowRecord:
    flow_uuid: str
    client_id: str
    application_id: str
    product_type: str
    auth_url: str
    callback_url: str
    flow_params: str
    upload_status: str
    processing_status: str
    crosscheck_status: str
    master_status: str
    version: int
    result_seq: int
    cross_checks: str | None
    document_count: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @property
    def params(self) -> dict[str, Any]:
        return json.loads(self.flow_params or "{}")


def insert_flow(
    conn: Connection,
    *,
    flow_uuid: str,
    client_id: str,
    application_id: str,
    product_type: str,
    auth_url: str,
    callback_url: str,
    flow_params: dict[str, Any],
    now: datetime,
) -> None:
    conn.execute(
        insert(flows).values(
            flow_uuid=flow_uuid,
            client_id=client_id,
            application_id=application_id,
            product_type=product_type,
            auth_url=auth_url,
            callback_url=callback_url,
            flow_params=json.dumps(flow_params, separators=(",", ":"), ensure_ascii=False),
            upload_status="NOT_STARTED",
            processing_status="NOT_STARTED",
            crosscheck_status="NOT_STARTED",
            master_status="NOT_STARTED",
            version=0,
            result_seq=0,
            document_count=0,
            created_at=now,
            updated_at=now,
        )
    )


def get_flow(conn: Connection, *, flow_uuid: str, client_id: str | None = None) -> FlowRecord | None:
    query = select(flows).where(flows.c.flow_uuid == flow_uuid)
    if client_id is not None:
        query = query.where(flows.c.client_id == client_id)
    row = conn.execute(query).first()
    return _record(FlowRecord, row) if row else None


def list_flows(
    conn: Connection, *, client_id: str, application_id: str | None, limit: int = 100
) -> list[FlowRecord]:
    query = select(flows).where(flows.c.client_id == client_id)
    if application_id is not None:
        query = query.where(flows.c.application_id == application_id)
    rows = conn.execute(query.order_by(flows.c.created_at.desc()).limit(limit)).all()
    return [_record(FlowRecord, r) for r in rows]


@dataclass(frozen=True, slots=True)
class NewDocument:
    file_uuid: str
    document_id: str
    file_url: str | None = None
    filename: str | None = None
    blob_key: str | None = None  # set when the bytes arrived with the request (multipart upload)
    content_type: str | None = None
    size_bytes: int | None = None


def existing_document_ids(conn: Connection, *, flow_uuid: str, document_ids: Iterable[str]) -> set[str]:
    ids = list(document_ids)
    if not ids:
        return set()
    rows = conn.execute(
        select(documents.c.document_id).where(
            documents.c.flow_uuid == flow_uuid, documents.c.document_id.in_(ids)
        )
    ).all()
    return {r[0] for r in rows}


def add_batch(
    conn: Connection,
    *,
    flow_uuid: str,
    batch_id: str,
    source: str,
    docs: Sequence[NewDocument],
    now: datetime,
) -> None:
    """Record a batch and its documents and put the flow (back) in progress."""
    start = conn.execute(select(flows.c.document_count).where(flows.c.flow_uuid == flow_uuid)).scalar_one()
    conn.execute(
        insert(batches).values(batch_id=batch_id, flow_uuid=flow_uuid, source=source, created_at=now)
    )
    conn.execute(
        insert(documents),
        [
            {
                "file_uuid": d.file_uuid,
                "flow_uuid": flow_uuid,
                "batch_id": batch_id,
                "document_id": d.document_id,
                "position": start + i,
                "file_url": d.file_url,
                "filename": d.filename,
                "state": (DocumentState.FETCHED if d.blob_key else DocumentState.QUEUED).value,
                "attempts": 0,
                "blob_key": d.blob_key,
                "content_type": d.content_type,
                "size_bytes": d.size_bytes,
                "downloaded": True if d.blob_key else None,
                "created_at": now,
                "fetched_at": now if d.blob_key else None,
            }
            for i, d in enumerate(docs)
        ],
    )
    conn.execute(
        update(flows)
        .where(flows.c.flow_uuid == flow_uuid)
        .values(
            version=flows.c.version + 1,
            document_count=flows.c.document_count + len(docs),
            upload_status="IN_PROGRESS",
            processing_status="NOT_STARTED",
            crosscheck_status="PENDING",
            master_status="IN_PROGRESS",
            updated_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    file_uuid: str
    flow_uuid: str
    batch_id: str
    document_id: str
    position: int
    file_url: str | None
    filename: str | None
    state: str
    attempts: int
    lease_owner: str | None
    lease_expires_at: datetime | None
    blob_key: str | None
    content_type: str | None
    size_bytes: int | None
    downloaded: bool | None
    document_type: str | None
    error_code: str | None
    error_reason: str | None
    result: str | None
    fetch_ms: float | None
    process_ms: float | None
    created_at: datetime
    fetched_at: datetime | None
    finished_at: datetime | None


def get_document(conn: Connection, *, file_uuid: str) -> DocumentRecord | None:
    row = conn.execute(select(documents).where(documents.c.file_uuid == file_uuid)).first()
    return _record(DocumentRecord, row) if row else None


def list_documents(conn: Connection, *, flow_uuid: str) -> list[DocumentRecord]:
    rows = conn.execute(
        select(documents).where(documents.c.flow_uuid == flow_uuid).order_by(documents.c.position)
    ).all()
    return [_record(DocumentRecord, r) for r in rows]


@dataclass(frozen=True, slots=True)
class DocumentTally:
    """How many of a flow's documents are in each state, as the status roll-up needs them."""

    total: int = 0
    queued: int = 0  # QUEUED or FETCHING
    fetched: int = 0  # waiting for a worker
    processing: int = 0
    done: int = 0
    download_failed: int = 0
    processed: int = 0  # done with an engine result other than PROCESSING_FAILED


def tally_documents(conn: Connection, *, flow_uuid: str) -> DocumentTally:
    rows = conn.execute(
        select(documents.c.state, documents.c.error_code, func.count())
        .where(documents.c.flow_uuid == flow_uuid)
        .group_by(documents.c.state, documents.c.error_code)
    ).all()
    return _tally(rows)


def _tally(rows: Iterable[Sequence[Any]]) -> DocumentTally:
    counts = dict.fromkeys(
        ("total", "queued", "fetched", "processing", "done", "download_failed", "processed"), 0
    )
    for state, error_code, n in rows:
        counts["total"] += n
        if state in (DocumentState.QUEUED, DocumentState.FETCHING):
            counts["queued"] += n
        elif state == DocumentState.FETCHED:
            counts["fetched"] += n
        elif state == DocumentState.PROCESSING:
            counts["processing"] += n
        elif state == DocumentState.DONE:
            counts["done"] += n
            if error_code == "DOWNLOAD_FAILED":
                counts["download_failed"] += n
            elif error_code != "PROCESSING_FAILED":
                counts["processed"] += n
    return DocumentTally(**counts)


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """What a status poll needs: the client's state, and the flow's stored statuses (if it is theirs)."""

    client_status: str | None
    flow_found: bool
    upload_status: str = ""
    processing_status: str = ""
    crosscheck_status: str = ""
    master_status: str = ""
    tally: DocumentTally | None = None  # only while the flow is in progress


def status_snapshot(db: Database, *, flow_uuid: str, client_id: str) -> StatusSnapshot:
    """One indexed join answers "is the client active, and is this its flow"; a second query
    counts documents only for a flow in progress. Runs on Database.fast_query: status polling is
    the hottest path a lender has."""
    p = db.placeholder
    rows = db.fast_query(
        "SELECT c.status, f.flow_uuid, f.upload_status, f.processing_status, f.crosscheck_status, f.master_status"
        " FROM clients c LEFT JOIN flows f ON f.client_id = c.client_id AND f.flow_uuid = "
        + p
        + " WHERE c.client_id = "
        + p,
        (flow_uuid, client_id),
    )
    if not rows:
        return StatusSnapshot(client_status=None, flow_found=False)
    client, found, upload, processing, crosscheck, master = rows[0]
    if found is None:
        return StatusSnapshot(client_status=str(client), flow_found=False)
    tally = None
    if master == "IN_PROGRESS":
        tally = _tally(
            db.fast_query(
                "SELECT state, error_code, COUNT(*) FROM documents WHERE flow_uuid = "
                + p
                + " GROUP BY state, error_code",
                (flow_uuid,),
            )
        )
    return StatusSnapshot(
        str(client), True, str(upload), str(processing), str(crosscheck), str(master), tally
    )


# ------------------------------------------------------------------------------------- work queue


def claim_document(
    conn: Connection,
    *,
    ready: DocumentState,
    working: DocumentState,
    owner: str,
    now: datetime,
    lease_until: datetime,
    max_attempts: int,
    file_uuid: str | None = None,
) -> DocumentRecord | None:
    """Take the oldest document waiting in `ready` (or whose `working` lease expired), or that one."""
    claimable = and_(
        or_(
            documents.c.state == ready.value,
            and_(documents.c.state == working.value, documents.c.lease_expires_at < now),
        ),
        documents.c.attempts < max_attempts,
    )
    if file_uuid is not None:
        claimable = and_(documents.c.file_uuid == file_uuid, claimable)
    candidates = conn.execute(
        select(documents.c.file_uuid)
        .where(claimable)
        .order_by(documents.c.created_at, documents.c.position)
        .limit(8)
    ).scalars()
    for candidate in list(candidates):
        result = conn.execute(
            update(documents)
            .where(documents.c.file_uuid == candidate, claimable)
            .values(
                state=working.value,
                lease_owner=owner,
                lease_expires_at=lease_until,
                attempts=documents.c.attempts + 1,
            )
        )
        if result.rowcount == 1:
            return get_document(conn, file_uuid=candidate)
    return None


def count_claimable(conn: Connection, *, ready: DocumentState) -> int:
    return conn.execute(select(func.count()).where(documents.c.state == ready.value)).scalar_one()


def mark_fetched(
    conn: Connection,
    *,
    file_uuid: str,
    owner: str,
    blob_key: str,
    content_type: str | None,
    size_bytes: int,
    fetch_ms: float,
    now: datetime,
) -> bool:
    result = conn.execute(
        update(documents)
        .where(
            documents.c.file_uuid == file_uuid,
            documents.c.state == DocumentState.FETCHING.value,
            documents.c.lease_owner == owner,
        )
        .values(
            state=DocumentState.FETCHED.value,
            blob_key=blob_key,
            content_type=content_type,
            size_bytes=size_bytes,
            downloaded=True,
            fetch_ms=fetch_ms,
            fetched_at=now,
            lease_owner=None,
            lease_expires_at=None,
            attempts=0,  # the processing stage counts its own attempts
        )
    )
    return result.rowcount == 1


def mark_done(
    conn: Connection,
    *,
    file_uuid: str,
    owner: str | None,
    working: DocumentState | None,
    document_type: str,
    error_code: str,
    error_reason: str,
    data: dict[str, Any],
    now: datetime,
    downloaded: bool | None = None,
    fetch_ms: float | None = None,
    process_ms: float | None = None,
) -> bool:
    """Store a document's result; only the lease holder (or a sweep with owner=None) may."""
    conditions = [documents.c.file_uuid == file_uuid, documents.c.state != DocumentState.DONE.value]
    if working is not None:
        conditions.append(documents.c.state == working.value)
    if owner is not None:
        conditions.append(documents.c.lease_owner == owner)
    values: dict[str, Any] = {
        "state": DocumentState.DONE.value,
        "document_type": document_type,
        "error_code": error_code,
        "error_reason": error_reason,
        "result": json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        "finished_at": now,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if downloaded is not None:
        values["downloaded"] = downloaded
    if fetch_ms is not None:
        values["fetch_ms"] = fetch_ms
    if process_ms is not None:
        values["process_ms"] = process_ms
    result = conn.execute(update(documents).where(*conditions).values(**values))
    return result.rowcount == 1


def exhausted_documents(conn: Connection, *, now: datetime, max_attempts: int) -> list[DocumentRecord]:
    """Documents whose lease expired after their last allowed attempt (a crash each time)."""
    rows = conn.execute(
        select(documents).where(
            documents.c.state.in_([DocumentState.FETCHING.value, DocumentState.PROCESSING.value]),
            documents.c.lease_expires_at < now,
            documents.c.attempts >= max_attempts,
        )
    ).all()
    return [_record(DocumentRecord, r) for r in rows]


def expired_blobs(conn: Connection, *, finished_before: datetime, limit: int = 500) -> list[tuple[str, str]]:
    """(file_uuid, blob_key) of done documents whose file is past retention."""
    rows = conn.execute(
        select(documents.c.file_uuid, documents.c.blob_key)
        .where(
            documents.c.state == DocumentState.DONE.value,
            documents.c.blob_key.is_not(None),
            documents.c.finished_at < finished_before,
        )
        .limit(limit)
    ).all()
    return [(r[0], r[1]) for r in rows]


def forget_blobs(conn: Connection, *, file_uuids: Sequence[str]) -> None:
    if file_uuids:
        conn.execute(
            update(documents).where(documents.c.file_uuid.in_(list(file_uuids))).values(blob_key=None)
        )


def release_leases(conn: Connection, *, owner_prefix: str | None = None) -> int:
    """Give documents and deliveries held by dead owners back to the queue at once."""
    n = 0
    for working, ready in (
        (DocumentState.FETCHING, DocumentState.QUEUED),
        (DocumentState.PROCESSING, DocumentState.FETCHED),
    ):
        cond = [documents.c.state == working.value]
        if owner_prefix is not None:
            cond.append(documents.c.lease_owner.startswith(owner_prefix, autoescape=True))
        n += conn.execute(
            update(documents).where(*cond).values(state=ready.value, lease_owner=None, lease_expires_at=None)
        ).rowcount
    cond = [deliveries.c.state == DeliveryState.DELIVERING.value]
    if owner_prefix is not None:
        cond.append(deliveries.c.lease_owner.startswith(owner_prefix, autoescape=True))
    n += conn.execute(
        update(deliveries)
        .where(*cond)
        .values(state=DeliveryState.PENDING.value, lease_owner=None, lease_expires_at=None)
    ).rowcount
    return n


def release_expired_leases(conn: Connection, *, now: datetime, max_attempts: int) -> int:
    n = 0
    for working, ready in (
        (DocumentState.FETCHING, DocumentState.QUEUED),
        (DocumentState.PROCESSING, DocumentState.FETCHED),
    ):
        n += conn.execute(
            update(documents)
            .where(
                documents.c.state == working.value,
                documents.c.lease_expires_at < now,
                documents.c.attempts < max_attempts,
            )
            .values(state=ready.value, lease_owner=None, lease_expires_at=None)
        ).rowcount
    n += conn.execute(
        update(deliveries)
        .where(deliveries.c.state == DeliveryState.DELIVERING.value, deliveries.c.lease_expires_at < now)
        .values(state=DeliveryState.PENDING.value, lease_owner=None, lease_expires_at=None)
    ).rowcount
    return n


def flows_ready_to_complete(conn: Connection, *, limit: int = 100) -> list[str]:
    """In-progress flows whose documents are all done (a finisher crashed before completing)."""
    pending_docs = (
        select(documents.c.file_uuid)
        .where(documents.c.flow_uuid == flows.c.flow_uuid, documents.c.state != DocumentState.DONE.value)
        .exists()
    )
    rows = conn.execute(
        select(flows.c.flow_uuid)
        .where(flows.c.master_status == "IN_PROGRESS", flows.c.document_count > 0, ~pending_docs)
        .limit(limit)
    ).scalars()
    return list(rows)


def complete_flow(
    conn: Connection,
    *,
    flow_uuid: str,
    expected_version: int,
    statuses: dict[str, str],
    cross_checks: list[dict[str, Any]],
    now: datetime,
) -> int | None:
    """Complete the flow's current result; returns the new result_seq, or None if another won."""
    result = conn.execute(
        update(flows)
        .where(
            flows.c.flow_uuid == flow_uuid,
            flows.c.version == expected_version,
            flows.c.master_status == "IN_PROGRESS",
        )
        .values(
            version=flows.c.version + 1,
            result_seq=flows.c.result_seq + 1,
            cross_checks=json.dumps(cross_checks, separators=(",", ":"), ensure_ascii=False),
            completed_at=now,
            updated_at=now,
            **statuses,
        )
    )
    if result.rowcount != 1:
        return None
    return conn.execute(select(flows.c.result_seq).where(flows.c.flow_uuid == flow_uuid)).scalar_one()


# ------------------------------------------------------------------------------------- deliveries


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    delivery_id: str
    flow_uuid: str
    result_seq: int
    webhook_id: str
    body: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


def insert_delivery(
    conn: Connection,
    *,
    delivery_id: str,
    flow_uuid: str,
    result_seq: int,
    webhook_id: str,
    body: str,
    now: datetime,
) -> None:
    conn.execute(
        insert(deliveries).values(
            delivery_id=delivery_id,
            flow_uuid=flow_uuid,
            result_seq=result_seq,
            webhook_id=webhook_id,
            body=body,
            state=DeliveryState.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )


def get_delivery(conn: Connection, *, delivery_id: str) -> DeliveryRecord | None:
    row = conn.execute(select(deliveries).where(deliveries.c.delivery_id == delivery_id)).first()
    return _record(DeliveryRecord, row) if row else None


def list_deliveries(conn: Connection, *, flow_uuid: str) -> list[DeliveryRecord]:
    rows = conn.execute(
        select(deliveries).where(deliveries.c.flow_uuid == flow_uuid).order_by(deliveries.c.created_at)
    ).all()
    return [_record(DeliveryRecord, r) for r in rows]


def latest_delivery(conn: Connection, *, flow_uuid: str) -> DeliveryRecord | None:
    row = conn.execute(
        select(deliveries)
        .where(deliveries.c.flow_uuid == flow_uuid)
        .order_by(deliveries.c.result_seq.desc(), deliveries.c.created_at.desc())
        .limit(1)
    ).first()
    return _record(DeliveryRecord, row) if row else None


def claim_delivery(
    conn: Connection, *, owner: str, now: datetime, lease_until: datetime, delivery_id: str | None = None
) -> DeliveryRecord | None:
    claimable = or_(
        and_(deliveries.c.state == DeliveryState.PENDING.value, deliveries.c.next_attempt_at <= now),
        and_(deliveries.c.state == DeliveryState.DELIVERING.value, deliveries.c.lease_expires_at < now),
    )
    if delivery_id is not None:
        claimable = and_(deliveries.c.delivery_id == delivery_id, claimable)
    candidates = conn.execute(
        select(deliveries.c.delivery_id).where(claimable).order_by(deliveries.c.next_attempt_at).limit(8)
    ).scalars()
    for candidate in list(candidates):
        result = conn.execute(
            update(deliveries)
            .where(deliveries.c.delivery_id == candidate, claimable)
            .values(
                state=DeliveryState.DELIVERING.value,
                lease_owner=owner,
                lease_expires_at=lease_until,
                updated_at=now,
            )
        )
        if result.rowcount == 1:
            return get_delivery(conn, delivery_id=candidate)
    return None


def next_delivery_due(conn: Connection) -> datetime | None:
    return conn.execute(
        select(func.min(deliveries.c.next_attempt_at)).where(
            deliveries.c.state == DeliveryState.PENDING.value
        )
    ).scalar()


def record_attempt(
    conn: Connection,
    *,
    delivery: DeliveryRecord,
    owner: str,
    attempt_number: int,
    attempted_at: datetime,
    status_code: int | None,
    latency_ms: float | None,
    outcome: str,
    error: str,
    new_state: DeliveryState,
    next_attempt_at: datetime | None,
    now: datetime,
) -> bool:
    """Write one attempt and the delivery's next state, if this worker still holds the lease."""
    result = conn.execute(
        update(deliveries)
        .where(
            deliveries.c.delivery_id == delivery.delivery_id,
            deliveries.c.state == DeliveryState.DELIVERING.value,
            deliveries.c.lease_owner == owner,
        )
        .values(
            state=new_state.value,
            attempts=attempt_number,
            next_attempt_at=next_attempt_at,
            lease_owner=None,
            lease_expires_at=None,
            last_status_code=status_code,
            last_error=error or None,
            updated_at=now,
            delivered_at=now if new_state is DeliveryState.DELIVERED else None,
        )
    )
    if result.rowcount != 1:
        return False
    conn.execute(
        insert(delivery_attempts).values(
            delivery_id=delivery.delivery_id,
            flow_uuid=delivery.flow_uuid,
            webhook_id=delivery.webhook_id,
            attempt_number=attempt_number,
            attempted_at=attempted_at,
            status_code=status_code,
            latency_ms=latency_ms,
            outcome=outcome,
            error=error or None,
        )
    )
    return True


def requeue_delivery(conn: Connection, *, delivery_id: str, now: datetime) -> None:
    """Make a delivery due now with a fresh schedule (an operator asked to re-send)."""
    conn.execute(
        update(deliveries)
        .where(deliveries.c.delivery_id == delivery_id, deliveries.c.state != DeliveryState.DELIVERING.value)
        .values(state=DeliveryState.PENDING.value, attempts=0, next_attempt_at=now, updated_at=now)
    )


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    attempt_id: int
    delivery_id: str
    flow_uuid: str
    webhook_id: str
    attempt_number: int
    attempted_at: datetime
    status_code: int | None
    latency_ms: float | None
    outcome: str
    error: str | None


def list_attempts(conn: Connection, *, flow_uuid: str) -> list[AttemptRecord]:
    rows = conn.execute(
        select(delivery_attempts)
        .where(delivery_attempts.c.flow_uuid == flow_uuid)
        .order_by(delivery_attempts.c.attempt_id)
    ).all()
    return [_record(AttemptRecord, r) for r in rows]


# -------------------------------------------------------------------------------- idempotency keys


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    endpoint: str
    request_hash: str
    status_code: int
    response_body: str
    created_at: datetime


def get_idempotency(
    conn: Connection, *, client_id: str, key: str, since: datetime
) -> IdempotencyRecord | None:
    row = conn.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.client_id == client_id,
            idempotency_keys.c.idem_key == key,
            idempotency_keys.c.created_at >= since,
        )
    ).first()
    return _record(IdempotencyRecord, row) if row else None


def put_idempotency(
    conn: Connection,
    *,
    client_id: str,
    key: str,
    endpoint: str,
    request_hash: str,
    status_code: int,
    response_body: str,
    now: datetime,
) -> None:
    # An expired entry for the same key is replaced, not kept: the key is free again after the TTL.
    conn.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.client_id == client_id, idempotency_keys.c.idem_key == key
        )
    )
    conn.execute(
        insert(idempotency_keys).values(
            client_id=client_id,
            idem_key=key,
            endpoint=endpoint,
            request_hash=request_hash,
            status_code=status_code,
            response_body=response_body,
            created_at=now,
        )
    )


def purge_idempotency(conn: Connection, *, before: datetime) -> int:
    return conn.execute(delete(idempotency_keys).where(idempotency_keys.c.created_at < before)).rowcount


# ------------------------------------------------------------------------------------------ metrics


def metrics_snapshot(conn: Connection, *, buckets: Sequence[float]) -> dict[str, Any]:
    """Counts for /metrics, computed at scrape time so every process's work is included."""
    out: dict[str, Any] = {}
    out["flows"] = conn.execute(
        select(flows.c.master_status, func.count()).group_by(flows.c.master_status)
    ).all()
    out["documents"] = conn.execute(
        select(documents.c.document_type, documents.c.error_code, func.count())
        .where(documents.c.state == DocumentState.DONE.value)
        .group_by(documents.c.document_type, documents.c.error_code)
    ).all()
    out["queue"] = conn.execute(
        select(documents.c.state, func.count())
        .where(documents.c.state != DocumentState.DONE.value)
        .group_by(documents.c.state)
    ).all()
    out["deliveries"] = conn.execute(
        select(deliveries.c.state, func.count()).group_by(deliveries.c.state)
    ).all()
    out["attempts"] = conn.execute(
        select(delivery_attempts.c.outcome, func.count()).group_by(delivery_attempts.c.outcome)
    ).all()
    stages: dict[str, Any] = {}
    for stage, column in (("fetch", documents.c.fetch_ms), ("process", documents.c.process_ms)):
        cols = [func.count(column), func.coalesce(func.sum(column), 0.0)]
        cols += [func.coalesce(func.sum(case((column <= b * 1000.0, 1), else_=0)), 0) for b in buckets]
        row = conn.execute(select(*cols).where(column.is_not(None))).one()
        stages[stage] = row
    out["stages"] = stages
    return out
