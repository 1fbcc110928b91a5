"""Operations endpoints: liveness, readiness (database reachable) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from atlasflow.api.deps import ServicesDep
from atlasflow.api.errors import envelope

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable (503 otherwise)")
def readyz(services: ServicesDep) -> JSONResponse:
    if not services.db.ping():
        return envelope(503, "The database is unavailable", headers={"Retry-After": "5"})
    return JSONResponse({"status": "ready"})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    body, content_type = request.app.state.metrics.render()
    return Response(body, media_type=content_type)
