"""The schema (SQLAlchemy Core): clients, tokens, flows, documents, deliveries and their attempts.

Plain portable SQL types only, so the same schema runs on SQLite (embedded) and PostgreSQL
(scale-out). Times are stored as naive UTC and handed back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A DateTime stored as naive UTC on every backend and returned timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ClientStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"


class DocumentState(StrEnum):
    """Where one document is in the pipeline; the lease columns say who holds FETCHING/PROCESSING."""

    QUEUED = "QUEUED"  # recorded, waiting to be fetched from its URL
    FETCHING = "FETCHING"
    FETCHED = "FETCHED"  # blob stored, waiting for a worker (the flow's PENDING)
    PROCESSING = "PROCESSING"
    DONE = "DONE"  # result stored (possibly a document-level error such as DOWNLOAD_FAILED)


class DeliveryState(StrEnum):
    PENDING = "PENDING"  # due at next_attempt_at
    DELIVERING = "DELIVERING"  # an attempt holds the lease
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # the schedule ran out


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GAVE_UP = "gave_up"


metadata = MetaData()

clients = Table(
    "clients",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(255), nullable=False),
    # Kept as issued: signing a webhook needs the secret itself, not a hash of it.
    Column("webhook_secret", String(128), nullable=False),
    Column("status", String(16), nullable=False, default=ClientStatus.ACTIVE.value),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("disabled_at", UtcDateTime(), nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("client_id", String(64), ForeignKey("clients.client_id"), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
)

flows = Table(
    "flows",
    metadata,
    Column("flow_uuid", String(36), primary_key=True),
    Column("client_id", String(64), ForeignKey("clients.client_id"), nullable=False),
    Column("application_id", String(128), nullable=False),
    Column("product_type", String(32), nullable=False),
    Column("auth_url", Text, nullable=False),
    Column("callback_url", Text, nullable=False),
    Column("flow_params", Text, nullable=False, default="{}"),
    # Status snapshot: written at init, at each upload and at completion; live values are
    # computed from the documents while the flow is in progress.
    Column("upload_status", String(16), nullable=False),
    Column("processing_status", String(16), nullable=False),
    Column("crosscheck_status", String(16), nullable=False),
    Column("master_status", String(16), nullable=False),
    # Bumped by every change of the flow's document set or state: completion is a conditional
    # UPDATE on it, so exactly one finisher completes a given result.
    Column("version", Integer, nullable=False, default=0),
    # Number of completed results; the webhook-id is derived from (flow_uuid, result_seq).
    Column("result_seq", Integer, nullable=False, default=0),
    Column("cross_checks", Text, nullable=True),
    Column("document_count", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("completed_at", UtcDateTime(), nullable=True),
    Index("ix_flows_client_application", "client_id", "application_id"),
    Index("ix_flows_master_status", "master_status"),
)

batches = Table(
    "batches",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("flow_uuid", String(36), ForeignKey("flows.flow_uuid"), nullable=False, index=True),
    Column("source", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("file_uuid", String(36), primary_key=True),
    Column("flow_uuid", String(36), ForeignKey("flows.flow_uuid"), nullable=False),
    Column("batch_id", String(64), ForeignKey("batches.batch_id"), nullable=False),
    Column("document_id", String(128), nullable=False),
    Column("position", Integer, nullable=False),  # order of upload within the flow
    Column("file_url", Text, nullable=True),
    Column("filename", String(255), nullable=True),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_expires_at", UtcDateTime(), nullable=True),
    Column("blob_key", String(255), nullable=True),
    Column("content_type", String(128), nullable=True),
    Column("size_bytes", Integer, nullable=True),
    Column("downloaded", Boolean, nullable=True),
    Column("document_type", String(32), nullable=True),
    Column("error_code", String(32), nullable=True),
    Column("error_reason", Text, nullable=True),
    Column("result", Text, nullable=True),  # the ocr_data item's `data` object, JSON
    Column("fetch_ms", Float, nullable=True),
    Column("process_ms", Float, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("fetched_at", UtcDateTime(), nullable=True),
    Column("finished_at", UtcDateTime(), nullable=True),
    UniqueConstraint("flow_uuid", "document_id", name="uq_documents_flow_document_id"),
    Index("ix_documents_flow", "flow_uuid", "position"),
    Index("ix_documents_state", "state", "created_at"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column("flow_uuid", String(36), ForeignKey("flows.flow_uuid"), nullable=False, index=True),
    Column("result_seq", Integer, nullable=False),
    Column("webhook_id", String(64), nullable=False),
    Column("body", Text, nullable=False),  # the CallbackData snapshot this webhook-id stands for
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime(), nullable=True),
    Column("lease_owner", String(128), nullable=True),
    Column("lease_expires_at", UtcDateTime(), nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Index("ix_deliveries_due", "state", "next_attempt_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("attempt_id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), ForeignKey("deliveries.delivery_id"), nullable=False, index=True),
    Column("flow_uuid", String(36), nullable=False, index=True),
    Column("webhook_id", String(64), nullable=False),
    Column("attempt_number", Integer, nullable=False),
    Column("attempted_at", UtcDateTime(), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Float, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("error", Text, nullable=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("client_id", String(64), primary_key=True),
    Column("idem_key", String(255), primary_key=True),
    Column("endpoint", String(64), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
)
