"""Retention beyond document files: whole flows past `ATLAS_RETENTION_DAYS` (when the operator
asks for results to go too) and files left behind by a flow erased while a download was in flight.

Called by the sweep; the sweep itself deletes document files past retention.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from atlasflow.logging import get_logger
from atlasflow.storage import repository as repo
from atlasflow.storage.blobs import BlobStore
from atlasflow.storage.erasure import erase_flow, flows_completed_before
from atlasflow.storage.tables import flows

log = get_logger("atlasflow.retention")

# A folder younger than this may belong to an upload whose rows are not committed yet.
_ORPHAN_GRACE_SECONDS = 3600.0


def erase_expired_flows(ctx: Any) -> int:
    """Erase completed flows older than the retention period; 0 unless retention_delete_results."""
    settings = ctx.settings
    if not settings.retention_delete_results:
        return 0
    before = repo.utcnow() - timedelta(days=settings.effective_retention_days)
    with ctx.db.read() as conn:
        expired = flows_completed_before(conn, before=before)
    erased = 0
    for flow_uuid in expired:
        ctx.blobs.delete_flow(flow_uuid)  # files first: a crash leaves rows, and the next sweep retries
        with ctx.db.write() as conn:
            erased += int(erase_flow(conn, flow_uuid=flow_uuid))
    return erased


def remove_orphan_files(ctx: Any, *, grace_seconds: float = _ORPHAN_GRACE_SECONDS) -> int:
    """Delete blob folders of flows that no longer exist (local folder store only)."""
    blobs = ctx.blobs
    if not isinstance(blobs, BlobStore) or not blobs.root.is_dir():
        return 0
    cutoff = time.time() - grace_seconds
    candidates = [p for p in blobs.root.iterdir() if p.is_dir() and p.stat().st_mtime < cutoff]
    if not candidates:
        return 0
    names = [p.name for p in candidates]
    with ctx.db.read() as conn:
        alive = {r[0] for r in conn.execute(select(flows.c.flow_uuid).where(flows.c.flow_uuid.in_(names)))}
    removed = 0
    for path in candidates:
        if path.name not in alive:
            blobs.delete_flow(path.name)
            removed += 1
    return removed
