"""Right to erasure: `DELETE /v3/verification/flow?flow_uuid=` removes a flow's documents and results.

Afterwards the flow is gone as if it never existed: every flow endpoint answers 409 (SPEC §1 has no
410; a deleted flow and a missing one must look the same to everybody, so an erased flow leaves no
trace of ever having existed). A second DELETE answers 409 too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from atlasflow.api.deps import CurrentClient, ServicesDep
from atlasflow.api.errors import ApiError, flow_not_found
from atlasflow.api.routes.flows import FLOW_SCOPE_KEY, FlowUuidQuery
from atlasflow.api.schemas import FlowErased, error_responses
from atlasflow.logging import bind_flow, get_logger
from atlasflow.storage import repository as repo
from atlasflow.storage.erasure import erase_flow

router = APIRouter(prefix="/v3/verification", tags=["flows"])
log = get_logger("atlasflow.api")


@router.delete(
    "/flow",
    response_model=FlowErased,
    responses=error_responses(400, 401, 409, 429, 503),
    summary="Erase a flow: its document files, results and callback records (409 afterwards)",
)
def delete_flow(
    flow_uuid: FlowUuidQuery, request: Request, client: CurrentClient, services: ServicesDep
) -> Any:
    request.scope[FLOW_SCOPE_KEY] = flow_uuid
    with services.db.read() as conn:
        if repo.get_flow(conn, flow_uuid=flow_uuid, client_id=client.client_id) is None:
            raise flow_not_found()
    # Files first, then the rows: if the blob store fails, nothing is half-erased from the caller's
    # point of view (the flow still exists, the error says retry) and a retry finishes the job.
    try:
        services.blobs.delete_flow(flow_uuid)
    except Exception as exc:
        with bind_flow(flow_uuid):
            log.error("erasing a flow's files failed", error_type=type(exc).__name__)
        raise ApiError(503, "The document store is unavailable; nothing was erased, retry later") from exc
    with services.db.write() as conn:
        if not erase_flow(conn, flow_uuid=flow_uuid, client_id=client.client_id):
            raise flow_not_found()  # a concurrent DELETE won
    # A download still in flight may write its file after this; the sweep removes orphans later.
    with bind_flow(flow_uuid):
        log.info("flow erased", client_id=client.client_id)
    return {"flow_uuid": flow_uuid, "erased": True}
