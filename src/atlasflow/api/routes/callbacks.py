"""Callback delivery log and re-send: every attempt is recorded and can be listed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from atlasflow.api.deps import CurrentClient, ServicesDep
from atlasflow.api.errors import ApiError, flow_not_found
from atlasflow.api.routes.flows import FLOW_SCOPE_KEY
from atlasflow.api.schemas import CallbackList, FlowRef, RedeliverResponse, error_responses
from atlasflow.logging import bind_flow, get_logger
from atlasflow.storage import repository as repo
from atlasflow.storage.tables import DeliveryState

router = APIRouter(prefix="/v3/verification/callbacks", tags=["callbacks"])
log = get_logger("atlasflow.api")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@router.get(
    "",
    response_model=CallbackList,
    responses=error_responses(400, 401, 409, 429, 503),
    summary="Deliveries of this flow's results and every attempt made (time, status, latency, error)",
)
def list_callbacks(
    flow_uuid: Annotated[str, Query(min_length=1)], client: CurrentClient, services: ServicesDep
) -> dict[str, Any]:
    with services.db.read() as conn:
        if repo.get_flow(conn, flow_uuid=flow_uuid, client_id=client.client_id) is None:
            raise flow_not_found()
        deliveries = repo.list_deliveries(conn, flow_uuid=flow_uuid)
        attempts = repo.list_attempts(conn, flow_uuid=flow_uuid)
    return {
        "flow_uuid": flow_uuid,
        "deliveries": [
            {
                "webhook_id": d.webhook_id,
                "result_seq": d.result_seq,
                "state": d.state,
                "attempts": d.attempts,
                "next_attempt_at": _iso(d.next_attempt_at) if d.state == DeliveryState.PENDING else None,
                "delivered_at": _iso(d.delivered_at),
            }
            for d in deliveries
        ],
        "attempts": [
            {
                "webhook_id": a.webhook_id,
                "attempt_number": a.attempt_number,
                "attempted_at": _iso(a.attempted_at),
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "outcome": a.outcome,
                "error": a.error or "",
            }
            for a in attempts
        ],
    }


@router.post(
    "/redeliver",
    status_code=202,
    response_model=RedeliverResponse,
    responses=error_responses(400, 401, 409, 429, 503),
    summary="Send the latest result again (same webhook-id), now and with a fresh retry schedule",
)
def redeliver(body: FlowRef, request: Request, client: CurrentClient, services: ServicesDep) -> JSONResponse:
    request.scope[FLOW_SCOPE_KEY] = body.flow_uuid
    with services.db.write() as conn:
        if repo.get_flow(conn, flow_uuid=body.flow_uuid, client_id=client.client_id) is None:
            raise flow_not_found()
        latest = repo.latest_delivery(conn, flow_uuid=body.flow_uuid)
        if latest is None:
            raise ApiError(409, "The flow has no result to deliver yet")
        if latest.state != DeliveryState.DELIVERING:
            repo.requeue_delivery(conn, delivery_id=latest.delivery_id, now=repo.utcnow())
    services.notifier.delivery_due((latest.delivery_id,))
    with bind_flow(body.flow_uuid, webhook_id=latest.webhook_id):
        log.info("redelivery requested")
    return JSONResponse(
        {"flow_uuid": body.flow_uuid, "webhook_id": latest.webhook_id, "state": DeliveryState.PENDING.value},
        status_code=202,
    )
