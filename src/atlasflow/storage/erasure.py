"""Erasure of a flow's personal data: on request (right to erasure) and past retention.

A flow's rows go in one transaction (attempts, deliveries, documents, batches, the flow itself), so
afterwards the flow answers exactly like one that never existed (409 on every flow endpoint, SPEC
§1). The caller deletes the files once the rows are gone: a crash in between leaves files that
nothing points at, never a result that points at a deleted file.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from atlasflow.storage.tables import batches, deliveries, delivery_attempts, documents, flows


def erase_flow(conn: Connection, *, flow_uuid: str, client_id: str | None = None) -> bool:
    """Delete every row of the flow (scoped to `client_id` when given); False if there was none."""
    owner = select(flows.c.flow_uuid).where(flows.c.flow_uuid == flow_uuid)
    if client_id is not None:
        owner = owner.where(flows.c.client_id == client_id)
    if conn.execute(owner).first() is None:
        return False
    conn.execute(delete(delivery_attempts).where(delivery_attempts.c.flow_uuid == flow_uuid))
    conn.execute(delete(deliveries).where(deliveries.c.flow_uuid == flow_uuid))
    conn.execute(delete(documents).where(documents.c.flow_uuid == flow_uuid))
    conn.execute(delete(batches).where(batches.c.flow_uuid == flow_uuid))
    conn.execute(delete(flows).where(flows.c.flow_uuid == flow_uuid))
    return True


def flows_completed_before(conn: Connection, *, before: datetime, limit: int = 200) -> list[str]:
    """Completed flows whose results are past retention, oldest first."""
    rows = conn.execute(
        select(flows.c.flow_uuid)
        .where(flows.c.completed_at.is_not(None), flows.c.completed_at < before)
        .order_by(flows.c.completed_at)
        .limit(limit)
    ).all()
    return [r[0] for r in rows]


def open_flow_count(conn: Connection, *, client_id: str) -> int:
    """Flows of this client not yet completed (initialised or in progress)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(flows)
            .where(flows.c.client_id == client_id, flows.c.completed_at.is_(None))
        ).scalar_one()
    )
