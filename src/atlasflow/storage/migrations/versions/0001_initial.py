"""Initial schema: clients, refresh tokens, flows, batches, documents, deliveries, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("secret_hash", sa.String(255), nullable=False),
        sa.Column("webhook_secret", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(64), sa.ForeignKey("clients.client_id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_refresh_tokens_client_id", "refresh_tokens", ["client_id"])
    op.create_table(
        "flows",
        sa.Column("flow_uuid", sa.String(36), primary_key=True),
        sa.Column("client_id", sa.String(64), sa.ForeignKey("clients.client_id"), nullable=False),
        sa.Column("application_id", sa.String(128), nullable=False),
        sa.Column("product_type", sa.String(32), nullable=False),
        sa.Column("auth_url", sa.Text(), nullable=False),
        sa.Column("callback_url", sa.Text(), nullable=False),
        sa.Column("flow_params", sa.Text(), nullable=False),
        sa.Column("upload_status", sa.String(16), nullable=False),
        sa.Column("processing_status", sa.String(16), nullable=False),
        sa.Column("crosscheck_status", sa.String(16), nullable=False),
        sa.Column("master_status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("result_seq", sa.Integer(), nullable=False),
        sa.Column("cross_checks", sa.Text(), nullable=True),
        sa.Column("document_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_flows_client_application", "flows", ["client_id", "application_id"])
    op.create_index("ix_flows_master_status", "flows", ["master_status"])
    op.create_table(
        "batches",
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("flow_uuid", sa.String(36), sa.ForeignKey("flows.flow_uuid"), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_batches_flow_uuid", "batches", ["flow_uuid"])
    op.create_table(
        "documents",
        sa.Column("file_uuid", sa.String(36), primary_key=True),
        sa.Column("flow_uuid", sa.String(36), sa.ForeignKey("flows.flow_uuid"), nullable=False),
        sa.Column("batch_id", sa.String(64), sa.ForeignKey("batches.batch_id"), nullable=False),
        sa.Column("document_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file_url", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("blob_key", sa.String(255), nullable=True),
        sa.Column("content_type", sa.String(128), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("downloaded", sa.Boolean(), nullable=True),
        sa.Column("document_type", sa.String(32), nullable=True),
        sa.Column("error_code", sa.String(32), nullable=True),
        sa.Column("error_reason", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("fetch_ms", sa.Float(), nullable=True),
        sa.Column("process_ms", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("flow_uuid", "document_id", name="uq_documents_flow_document_id"),
    )
    op.create_index("ix_documents_flow", "documents", ["flow_uuid", "position"])
    op.create_index("ix_documents_state", "documents", ["state", "created_at"])
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.String(36), primary_key=True),
        sa.Column("flow_uuid", sa.String(36), sa.ForeignKey("flows.flow_uuid"), nullable=False),
        sa.Column("result_seq", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_deliveries_flow_uuid", "deliveries", ["flow_uuid"])
    op.create_index("ix_deliveries_due", "deliveries", ["state", "next_attempt_at"])
    op.create_table(
        "delivery_attempts",
        sa.Column("attempt_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(36), sa.ForeignKey("deliveries.delivery_id"), nullable=False),
        sa.Column("flow_uuid", sa.String(36), nullable=False),
        sa.Column("webhook_id", sa.String(64), nullable=False),
        sa.Column("attempt_number", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])
    op.create_index("ix_delivery_attempts_flow_uuid", "delivery_attempts", ["flow_uuid"])
    op.create_table(
        "idempotency_keys",
        sa.Column("client_id", sa.String(64), primary_key=True),
        sa.Column("idem_key", sa.String(255), primary_key=True),
        sa.Column("endpoint", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    for table in (
        "idempotency_keys",
        "delivery_attempts",
        "deliveries",
        "documents",
        "batches",
        "flows",
        "refresh_tokens",
        "clients",
    ):
        op.drop_table(table)
