"""The stage runner as a poller sees it: PENDING then IN_PROGRESS, exactly one completion per
result, and work left by a crashed worker picked up again. Stages are driven by hand here."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import fake_engine
import pytest

from atlasflow.runtime.flow import StageContext, fetch_document, finalize_flow, process_document, sweep
from atlasflow.storage import repository as repo
from atlasflow.storage.db import Database
from atlasflow.storage.tables import DocumentState, deliveries

INIT = {
    "product_type": "PROD_CDL",
    "application_id": "APP-RT",
    "auth_url": "http://127.0.0.1:9/auth",
    "callback_url": "http://127.0.0.1:9/cb",
}


@pytest.fixture
def stage(api_only):
    return StageContext.build(api_only.settings)


def new_flow(api, files, docs: dict[str, dict]) -> tuple[str, dict]:
    headers = api.headers(api.new_client())
    flow_uuid = api.client.post("/v3/verification/flow/init", json=INIT, headers=headers).json()["flow_uuid"]
    urls = [
        {"file_url": files.add(f"/{flow_uuid}/{k}", json.dumps(v).encode()), "document_id": k}
        for k, v in docs.items()
    ]
    r = api.client.post(
        "/v3/verification/multiupload", json={"flow_uuid": flow_uuid, "file_urls": urls}, headers=headers
    )
    assert r.status_code == 201
    return flow_uuid, headers


def status_of(api, headers, flow_uuid) -> dict:
    return api.client.get("/v3/verification/status", params={"flow_uuid": flow_uuid}, headers=headers).json()


def test_a_poll_sees_upload_then_pending_then_in_progress_then_success(api_only, files, stage):
    flow_uuid, headers = new_flow(
        api_only, files, {"1": {"type": "INVOICE", "block": True}, "2": {"type": "PAN"}}
    )
    s = status_of(api_only, headers, flow_uuid)
    assert (s["upload_status"], s["processing_status"], s["master_status"]) == (
        "IN_PROGRESS",
        "NOT_STARTED",
        "IN_PROGRESS",
    )
    assert fetch_document(stage, owner="t:f") and fetch_document(stage, owner="t:f")
    s = status_of(api_only, headers, flow_uuid)
    assert (s["upload_status"], s["processing_status"], s["crossheck_status"]) == (
        "SUCCESS",
        "PENDING",
        "PENDING",
    )

    fake_engine.GATE.clear()
    worker = threading.Thread(
        target=process_document,
        kwargs={"ctx": stage, "engine": fake_engine.process_document, "owner": "t:w1"},
    )
    worker.start()
    try:
        from atlas_testkit import wait_until

        wait_until(
            lambda: status_of(api_only, headers, flow_uuid)["processing_status"] == "IN_PROGRESS",
            what="IN_PROGRESS",
        )
        partial = api_only.client.get(
            "/v3/verification/extracts", params={"flow_uuid": flow_uuid}, headers=headers
        ).json()
        assert partial["ocr_data"] == [] and partial["cross_checks"] == []
    finally:
        fake_engine.GATE.set()
        worker.join()
    partial = api_only.client.get(
        "/v3/verification/extracts", params={"flow_uuid": flow_uuid}, headers=headers
    ).json()
    assert [d["document_id"] for d in partial["ocr_data"]] == ["1"]  # what is finished so far
    assert status_of(api_only, headers, flow_uuid)["master_status"] == "IN_PROGRESS"
    assert process_document(stage, engine=fake_engine.process_document, owner="t:w2")
    assert status_of(api_only, headers, flow_uuid) == {
        "upload_status": "SUCCESS",
        "processing_status": "SUCCESS",
        "crossheck_status": "COMPLETED",
        "master_status": "SUCCESS",
    }


def test_two_finishers_at_once_complete_the_flow_exactly_once(api_only, files, stage):
    flow_uuid, _ = new_flow(api_only, files, {str(i): {"type": "INVOICE"} for i in range(4)})
    for _ in range(4):
        fetch_document(stage, owner="t:f")
    # All four documents finish "at the same moment": results stored, nobody has completed the flow yet.
    with stage.db.write() as conn:
        for doc in repo.list_documents(conn, flow_uuid=flow_uuid):
            assert repo.mark_done(
                conn,
                file_uuid=doc.file_uuid,
                owner=None,
                working=None,
                document_type="INVOICE",
                error_code="",
                error_reason="",
                data={"document_type": "INVOICE"},
                now=repo.utcnow(),
            )
    # Many finishers race, each through its own engine/connection pool, as separate processes would.
    contexts = [
        StageContext.build(api_only.settings, db=Database(api_only.settings.resolved_database_url))
        for _ in range(8)
    ]
    barrier = threading.Barrier(len(contexts))
    wins: list[bool] = []

    def finish(ctx):
        barrier.wait()
        wins.append(finalize_flow(ctx, flow_uuid=flow_uuid))

    threads = [threading.Thread(target=finish, args=(ctx,)) for ctx in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]
    with stage.db.read() as conn:
        rows = conn.execute(deliveries.select().where(deliveries.c.flow_uuid == flow_uuid)).all()
        assert len(rows) == 1
        assert repo.get_flow(conn, flow_uuid=flow_uuid).result_seq == 1


def test_work_held_by_a_dead_worker_is_done_again_after_its_lease_expires(api_only, files, stage):
    flow_uuid, headers = new_flow(api_only, files, {"1": {"type": "INVOICE"}})
    fetch_document(stage, owner="t:f")
    # A worker claims the document and dies without a word.
    past = repo.utcnow() - timedelta(seconds=1)
    with stage.db.write() as conn:
        claimed = repo.claim_document(
            conn,
            ready=DocumentState.FETCHED,
            working=DocumentState.PROCESSING,
            owner="dead:w",
            now=repo.utcnow(),
            lease_until=past,
            max_attempts=3,
        )
    assert claimed is not None
    assert status_of(api_only, headers, flow_uuid)["processing_status"] == "IN_PROGRESS"
    assert sweep(stage)["released"] == 1
    assert status_of(api_only, headers, flow_uuid)["processing_status"] == "PENDING"
    assert process_document(stage, engine=fake_engine.process_document, owner="t:w")
    assert status_of(api_only, headers, flow_uuid)["master_status"] == "SUCCESS"
    # The dead worker's late write is ignored: it no longer holds the lease.
    with stage.db.write() as conn:
        assert not repo.mark_done(
            conn,
            file_uuid=claimed.file_uuid,
            owner="dead:w",
            working=DocumentState.PROCESSING,
            document_type="PAN",
            error_code="",
            error_reason="",
            data={},
            now=repo.utcnow(),
        )


def test_a_document_that_kills_its_worker_every_time_ends_processing_failed(api_only, files, stage):
    flow_uuid, headers = new_flow(api_only, files, {"poison": {"type": "INVOICE"}, "ok": {"type": "PAN"}})
    fetch_document(stage, owner="t:f")
    fetch_document(stage, owner="t:f")
    with stage.db.read() as conn:
        poison = next(d for d in repo.list_documents(conn, flow_uuid=flow_uuid) if d.document_id == "poison")
    for attempt in range(stage.settings.max_document_attempts):
        with stage.db.write() as conn:
            assert repo.claim_document(
                conn,
                ready=DocumentState.FETCHED,
                working=DocumentState.PROCESSING,
                owner=f"crash:{attempt}",
                now=repo.utcnow(),
                lease_until=repo.utcnow() - timedelta(seconds=1),
                max_attempts=3,
                file_uuid=poison.file_uuid,
            )
        sweep(stage)
    assert process_document(stage, engine=fake_engine.process_document, owner="t:w")
    extracts = api_only.client.get(
        "/v3/verification/extracts", params={"flow_uuid": flow_uuid}, headers=headers
    ).json()
    by_id = {d["document_id"]: d for d in extracts["ocr_data"]}
    assert by_id["poison"]["error_code"] == "PROCESSING_FAILED"
    assert "interrupted" in by_id["poison"]["error_reason"]
    assert by_id["ok"]["error_code"] == ""
    assert status_of(api_only, headers, flow_uuid)["master_status"] == "SUCCESS"


def test_an_engine_that_raises_gives_processing_failed_not_a_lost_flow(api_only, files, stage):
    flow_uuid, headers = new_flow(api_only, files, {"1": {"type": "INVOICE", "crash": True}})
    fetch_document(stage, owner="t:f")
    assert process_document(stage, engine=fake_engine.process_document, owner="t:w")
    item = api_only.client.get(
        "/v3/verification/extracts", params={"flow_uuid": flow_uuid}, headers=headers
    ).json()["ocr_data"][0]
    assert item["error_code"] == "PROCESSING_FAILED" and "Traceback" not in item["error_reason"]
    s = status_of(api_only, headers, flow_uuid)
    assert (s["processing_status"], s["master_status"]) == ("FAILED", "FAILED")  # nothing could be processed


def test_document_files_are_deleted_after_retention_and_results_are_kept(api_only, files, tmp_path):
    flow_uuid, headers = new_flow(api_only, files, {"1": {"type": "INVOICE"}})
    stage = StageContext.build(api_only.settings.model_copy(update={"blob_retention_days": 0}))
    fetch_document(stage, owner="t:f")
    process_document(stage, engine=fake_engine.process_document, owner="t:w")
    blobs = list((api_only.settings.blob_dir / flow_uuid).iterdir())
    assert len(blobs) == 1
    assert sweep(stage)["files_deleted"] == 1
    assert not blobs[0].exists()
    assert sweep(stage)["files_deleted"] == 0
    item = api_only.client.get(
        "/v3/verification/extracts", params={"flow_uuid": flow_uuid}, headers=headers
    ).json()
    assert item["ocr_data"][0]["data"]["document_type"] == "INVOICE"


def test_the_status_fast_path_and_the_regular_route_agree(api_only, files, stage):
    flow_uuid, headers = new_flow(api_only, files, {"1": {"type": "INVOICE"}, "2": {"type": "PAN"}})
    fetch_document(stage, owner="t:f")

    def both() -> tuple[dict, dict]:
        fast = api_only.client.get(f"/v3/verification/status?flow_uuid={flow_uuid}", headers=headers)
        # An extra query parameter is not the plain case: the regular route answers it.
        slow = api_only.client.get(f"/v3/verification/status?flow_uuid={flow_uuid}&x=1", headers=headers)
        assert fast.status_code == slow.status_code == 200
        return fast.json(), slow.json()

    fast, slow = both()
    assert fast == slow and fast["upload_status"] == "IN_PROGRESS"
    fetch_document(stage, owner="t:f")
    process_document(stage, engine=fake_engine.process_document, owner="t:w")
    process_document(stage, engine=fake_engine.process_document, owner="t:w")
    fast, slow = both()
    assert fast == slow and fast["master_status"] == "SUCCESS"
