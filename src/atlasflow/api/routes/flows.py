"""Flow endpoints: init, multiupload (URLs), upload (multipart), status, extracts, list.

Handlers record work in the database and return at once; workers do the rest. Every query is
scoped by the caller's client_id, so another client's flow is indistinguishable from none (409).
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from sqlalchemy import Connection

from atlasflow.api.deps import CurrentClient, Services, ServicesDep, require_active, token_client_id
from atlasflow.api.errors import ApiError, bad_request, flow_not_found, missing_params
from atlasflow.api.fastpath import status_body
from atlasflow.api.idempotency import idempotency_key, run_idempotent
from atlasflow.api.schemas import (
    CallbackData,
    FlowInitRequest,
    FlowInitResponse,
    FlowList,
    FlowSummary,
    MultiuploadRequest,
    StatusResponse,
    UploadedFile,
    error_responses,
)
from atlasflow.api.security import enforce_flow_file_limit, enforce_open_flow_limit
from atlasflow.config import Settings
from atlasflow.logging import bind_flow, get_logger
from atlasflow.net.egress import EgressDeniedError, check_url
from atlasflow.products import product_for
from atlasflow.runtime.flow import build_callback_data, live_status, new_batch_id
from atlasflow.storage import repository as repo
from atlasflow.storage.blobs import BlobStore

router = APIRouter(prefix="/v3/verification", tags=["flows"])
status_router = APIRouter(prefix="/v3/verification", tags=["flows"])
log = get_logger("atlasflow.api")

FLOW_PARAMS_MAX = 16 * 1024
# Handlers put the flow_uuid here so the request's log line carries it (see api.app).
FLOW_SCOPE_KEY = "atlas.flow_uuid"
FlowUuidQuery = Annotated[str, Query(min_length=1, description="The flow_uuid returned by flow/init")]


def _http_url_problem(url: str) -> str | None:
    """A URL problem needing no DNS (400); None if it is a plausible http(s) URL."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "is not a valid URL"
    scheme = parts.scheme.lower()
    if not scheme:
        return "is not a valid URL"
    if scheme not in ("http", "https"):
        return f"uses scheme {scheme}; only http and https are allowed"
    if not parts.hostname:
        return "has no host"
    return None


def _owned_flow(conn: Connection, *, flow_uuid: str, client_id: str) -> repo.FlowRecord:
    flow = repo.get_flow(conn, flow_uuid=flow_uuid, client_id=client_id)
    if flow is None:
        raise flow_not_found()
    return flow


@router.post(
    "/flow/init",
    status_code=201,
    response_model=FlowInitResponse,
    responses=error_responses(400, 401, 413, 422, 429, 503),
    summary="Start a flow for one loan application",
)
def flow_init(body: FlowInitRequest, request: Request, client: CurrentClient, services: ServicesDep) -> Any:
    key = idempotency_key(request)
    product = product_for(body.product_type)
    if product is None:
        raise bad_request(f"Unknown product_type {body.product_type!r}; expected 'PROD_CDL'")
    for name in ("auth_url", "callback_url"):
        problem = _http_url_problem(getattr(body, name))
        if problem:
            raise bad_request(f"{name} {problem}")
    params = body.flow_params or {}
    if len(json.dumps(params, separators=(",", ":"), ensure_ascii=False).encode()) > FLOW_PARAMS_MAX:
        raise bad_request("flow_params is larger than 16 KiB")
    for name in ("auth_url", "callback_url"):
        try:
            check_url(getattr(body, name).strip(), policy=services.policy)
        except EgressDeniedError as exc:
            raise ApiError(422, f"{name} is not allowed: {exc.reason}") from exc

    flow_uuid = str(uuid.uuid4())

    def work(conn: Connection) -> tuple[int, Any]:
        enforce_open_flow_limit(conn, client_id=client.client_id, settings=services.settings)
        repo.insert_flow(
            conn,
            flow_uuid=flow_uuid,
            client_id=client.client_id,
            application_id=body.application_id,
            product_type=product.code,
            auth_url=body.auth_url.strip(),
            callback_url=body.callback_url.strip(),
            flow_params=params,
            now=repo.utcnow(),
        )
        return 201, {"flow_uuid": flow_uuid}

    response, created = run_idempotent(
        services,
        client_id=client.client_id,
        key=key,
        endpoint="flow/init",
        payload=body.model_dump(mode="json"),
        work=work,
    )
    request.scope[FLOW_SCOPE_KEY] = json.loads(response.body)["flow_uuid"]
    if created:
        with bind_flow(flow_uuid):
            log.info("flow initialised", client_id=client.client_id, product_type=product.code)
    return response


def _check_batch(services: ServicesDep, document_ids: list[str]) -> None:
    limit = services.settings.max_files_per_call
    if len(document_ids) > limit:
        raise bad_request(f"Too many files: {len(document_ids)} in one call; at most {limit}")
    seen: set[str] = set()
    dupes = [d for d in document_ids if d in seen or seen.add(d)]  # type: ignore[func-returns-value]
    if dupes:
        raise bad_request(f"Duplicate document_id in request: {sorted(set(dupes))!r}")


def _record_batch(
    conn: Connection,
    *,
    client_id: str,
    flow_uuid: str,
    docs: list[repo.NewDocument],
    source: str,
    settings: Settings,
) -> tuple[int, Any]:
    flow = _owned_flow(conn, flow_uuid=flow_uuid, client_id=client_id)
    enforce_flow_file_limit(existing=flow.document_count, adding=len(docs), settings=settings)
    taken = repo.existing_document_ids(conn, flow_uuid=flow_uuid, document_ids=[d.document_id for d in docs])
    if taken:
        raise bad_request(f"document_id already used in this flow: {sorted(taken)!r}")
    now = repo.utcnow()
    batch_id = new_batch_id(now)
    repo.add_batch(conn, flow_uuid=flow_uuid, batch_id=batch_id, source=source, docs=docs, now=now)
    return 201, [{"file_uuid": d.file_uuid, "batch_id": batch_id, "document_id": d.document_id} for d in docs]


@router.post(
    "/multiupload",
    status_code=201,
    response_model=list[UploadedFile],
    responses=error_responses(400, 401, 409, 413, 422, 429, 503),
    summary="Add files (by URL) to a flow; one entry per file comes back",
)
def multiupload(
    body: MultiuploadRequest, request: Request, client: CurrentClient, services: ServicesDep
) -> Any:
    key = idempotency_key(request)
    document_ids = [f.document_id for f in body.file_urls]
    _check_batch(services, document_ids)
    for item in body.file_urls:
        problem = _http_url_problem(item.file_url)
        if problem:
            raise bad_request(f"file_url for document_id {item.document_id!r} {problem}")
    docs = [
        repo.NewDocument(file_uuid=str(uuid.uuid4()), document_id=f.document_id, file_url=f.file_url.strip())
        for f in body.file_urls
    ]
    response, created = run_idempotent(
        services,
        client_id=client.client_id,
        key=key,
        endpoint="multiupload",
        payload=body.model_dump(mode="json"),
        work=lambda conn: _record_batch(
            conn,
            client_id=client.client_id,
            flow_uuid=body.flow_uuid,
            docs=docs,
            source="urls",
            settings=services.settings,
        ),
    )
    if created:
        services.notifier.documents_queued([d.file_uuid for d in docs])
        with bind_flow(body.flow_uuid):
            log.info("batch accepted", files=len(docs), source="urls")
    return response


def _split_ids(values: list[str]) -> list[str]:
    """document_ids as repeated fields, one JSON array, or one comma-separated string."""
    if len(values) == 1:
        raw = values[0].strip()
        if raw.startswith("["):
            try:
                parsed = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise bad_request("document_ids is not a valid JSON array") from exc
            if not isinstance(parsed, list) or not all(isinstance(v, str | int) for v in parsed):
                raise bad_request("document_ids must be an array of strings")
            return [str(v).strip() for v in parsed]
        if "," in raw:
            return [v.strip() for v in raw.split(",")]
    return [v.strip() for v in values]


@router.post(
    "/upload",
    status_code=201,
    response_model=list[UploadedFile],
    responses=error_responses(400, 401, 409, 413, 429, 503),
    summary="Add files (multipart: flow_uuid, files, document_ids) to a flow; answers like multiupload",
)
def upload(
    request: Request,
    client: CurrentClient,
    services: ServicesDep,
    flow_uuid: Annotated[str, Form(min_length=1)],
    files: Annotated[list[UploadFile], File(description="The document files")],
    document_ids: Annotated[list[str], Form(description="One per file, in order")],
) -> Any:
    request.scope[FLOW_SCOPE_KEY] = flow_uuid
    ids = _split_ids(document_ids)
    if any(not d for d in ids):
        raise missing_params(["document_ids"])
    if len(ids) != len(files):
        raise bad_request(f"{len(files)} files but {len(ids)} document_ids; give one document_id per file")
    if any(len(d) > 128 or not d.isprintable() for d in ids):
        raise bad_request("each document_id must be 1-128 printable characters")
    _check_batch(services, ids)
    with services.db.read() as conn:
        _owned_flow(conn, flow_uuid=flow_uuid, client_id=client.client_id)
    docs: list[repo.NewDocument] = []
    try:
        for document_id, item in zip(ids, files, strict=True):
            file_uuid = str(uuid.uuid4())
            data = item.file.read()
            blob_key = BlobStore.key_for(flow_uuid=flow_uuid, file_uuid=file_uuid)
            services.blobs.put(blob_key, data)
            docs.append(
                repo.NewDocument(
                    file_uuid=file_uuid,
                    document_id=document_id,
                    filename=(item.filename or "")[:255] or None,
                    blob_key=blob_key,
                    content_type=item.content_type,
                    size_bytes=len(data),
                )
            )
        with services.db.write() as conn:
            status, body = _record_batch(
                conn,
                client_id=client.client_id,
                flow_uuid=flow_uuid,
                docs=docs,
                source="upload",
                settings=services.settings,
            )
    except BaseException:
        for doc in docs:  # nothing recorded: do not keep the bytes either
            services.blobs.delete(doc.blob_key or "")
        raise
    services.notifier.documents_fetched([d.file_uuid for d in docs])
    with bind_flow(flow_uuid):
        log.info("batch accepted", files=len(docs), source="upload")
    return body


@status_router.get(
    "/status",
    response_model=StatusResponse,
    responses=error_responses(400, 401, 409, 429, 503),
    summary="The flow's four status fields",
)
async def status(flow_uuid: FlowUuidQuery, request: Request) -> Response:
    # Lenders poll this every few seconds for every open application: it runs on the event loop
    # (no thread hop) with cached token verification and two indexed reads on a raw connection.
    services: Services = request.app.state.services
    client_id = token_client_id(request, services)
    snap = repo.status_snapshot(services.db, flow_uuid=flow_uuid, client_id=client_id)
    require_active(snap.client_status)
    services.limiter.enforce(client_id)
    if not snap.flow_found:
        raise flow_not_found()
    return Response(status_body(snap), media_type="application/json")


@router.get(
    "/extracts",
    response_model=CallbackData,
    responses=error_responses(400, 401, 409, 429, 503),
    summary="CallbackData: results so far (partial while the flow is in progress)",
)
def extracts(flow_uuid: FlowUuidQuery, client: CurrentClient, services: ServicesDep) -> dict[str, Any]:
    with services.db.read() as conn:
        flow = _owned_flow(conn, flow_uuid=flow_uuid, client_id=client.client_id)
        docs = repo.list_documents(conn, flow_uuid=flow_uuid)
    checks = json.loads(flow.cross_checks) if flow.cross_checks else []
    return build_callback_data(flow, docs, checks)


@router.get(
    "/flows",
    response_model=FlowList,
    responses=error_responses(400, 401, 429, 503),
    summary="This client's flows, newest first, optionally for one application_id",
)
def list_flows(
    client: CurrentClient,
    services: ServicesDep,
    application_id: Annotated[str | None, Query(max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    out = []
    with services.db.read() as conn:
        for flow in repo.list_flows(
            conn, client_id=client.client_id, application_id=application_id, limit=limit
        ):
            status = live_status(conn, flow).to_wire()
            out.append(
                FlowSummary(
                    flow_uuid=flow.flow_uuid,
                    application_id=flow.application_id,
                    product_type=flow.product_type,
                    created_at=flow.created_at.isoformat(),
                    completed_at=flow.completed_at.isoformat() if flow.completed_at else None,
                    document_count=flow.document_count,
                    **status,
                )
            )
    return {"flows": out}
