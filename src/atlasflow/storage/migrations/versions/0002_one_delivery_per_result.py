"""One delivery row per flow result: the database itself refuses a second completion.

finalize_flow already completes a flow with a conditional UPDATE on its version, so only one of
two workers finishing the last documents together wins. This unique index makes the same promise
at the storage level, on PostgreSQL and SQLite alike: a second delivery for the same
(flow_uuid, result_seq) cannot be inserted, whatever the code above it does.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("uq_deliveries_flow_result", "deliveries", ["flow_uuid", "result_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_deliveries_flow_result", table_name="deliveries")
