"""Idempotency keys, multipart upload, rate limits, OpenAPI, health, metrics and database outages."""

from __future__ import annotations

import json

import fake_engine
from api_harness import run_api
from atlas_testkit import wait_until

from atlasflow.storage.db import Database

INIT = "/v3/verification/flow/init"
UPLOAD = "/v3/verification/multiupload"
INIT_BODY = {
    "product_type": "PROD_CDL",
    "application_id": "APP-IDEM",
    "auth_url": "http://127.0.0.1:9/auth",
    "callback_url": "http://127.0.0.1:9/cb",
}


def test_idempotency_key_returns_the_first_response_and_refuses_a_different_body(api_only):
    headers = api_only.headers(api_only.new_client())
    keyed = {**headers, "Idempotency-Key": "init-1"}
    first = api_only.client.post(INIT, json=INIT_BODY, headers=keyed)
    again = api_only.client.post(INIT, json=INIT_BODY, headers=keyed)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    listed = api_only.client.get(
        "/v3/verification/flows", params={"application_id": "APP-IDEM"}, headers=headers
    ).json()
    assert len(listed["flows"]) == 1  # the repeat created nothing
    other = api_only.client.post(INIT, json={**INIT_BODY, "application_id": "APP-OTHER"}, headers=keyed)
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["error_message"]
    # Without a key, the same body makes a new flow.
    assert api_only.client.post(INIT, json=INIT_BODY, headers=headers).json() != first.json()

    flow_uuid = first.json()["flow_uuid"]
    body = {
        "flow_uuid": flow_uuid,
        "file_urls": [{"file_url": "http://127.0.0.1:9/a.jpg", "document_id": "1"}],
    }
    up1 = api_only.client.post(UPLOAD, json=body, headers={**headers, "Idempotency-Key": "up-1"})
    up2 = api_only.client.post(UPLOAD, json=body, headers={**headers, "Idempotency-Key": "up-1"})
    assert up1.status_code == up2.status_code == 201 and up1.json() == up2.json()
    extracts = api_only.client.get(
        "/v3/verification/status", params={"flow_uuid": flow_uuid}, headers=headers
    )
    assert extracts.status_code == 200
    # A key is per client: another client's identical key is unrelated.
    other_headers = api_only.headers(api_only.new_client("other"))
    r = api_only.client.post(INIT, json=INIT_BODY, headers={**other_headers, "Idempotency-Key": "init-1"})
    assert r.status_code == 201 and r.json() != first.json()


def test_multipart_upload_answers_like_multiupload_and_the_flow_finishes(api, receiver):
    headers = api.headers(api.new_client())
    flow_uuid = api.client.post(
        INIT,
        json={**INIT_BODY, "auth_url": receiver.auth_url, "callback_url": receiver.callback_url},
        headers=headers,
    ).json()["flow_uuid"]
    invoice = json.dumps({"type": "INVOICE", "fields": {"customer_name": "R Iyer"}}).encode()
    pan = json.dumps({"type": "PAN", "fields": {"name_as_per_pan": "R IYER"}}).encode()
    r = api.client.post(
        "/v3/verification/upload",
        data={"flow_uuid": flow_uuid, "document_ids": ["inv", "pan"]},
        files=[("files", ("invoice.jpg", invoice, "image/jpeg")), ("files", ("pan.png", pan, "image/png"))],
        headers=headers,
    )
    assert r.status_code == 201, r.text
    assert [e["document_id"] for e in r.json()] == ["inv", "pan"]
    wait_until(lambda: receiver.for_flow(flow_uuid), what="callback")
    body = receiver.for_flow(flow_uuid)[0].json
    assert {d["document_id"]: d["data"]["document_type"] for d in body["ocr_data"]} == {
        "inv": "INVOICE",
        "pan": "PAN",
    }
    assert "invoice.jpg" in fake_engine.CALLS  # the engine got the uploaded file's name as a hint
    assert any(c["name"] == "PAN_NAME" for c in body["cross_checks"])


def test_multipart_upload_with_mismatched_ids_is_400(api_only):
    headers = api_only.headers(api_only.new_client())
    flow_uuid = api_only.client.post(INIT, json=INIT_BODY, headers=headers).json()["flow_uuid"]
    r = api_only.client.post(
        "/v3/verification/upload",
        data={"flow_uuid": flow_uuid, "document_ids": "a,b"},
        files=[("files", ("x.jpg", b"x", "image/jpeg"))],
        headers=headers,
    )
    assert r.status_code == 400 and "document_ids" in r.json()["error_message"]


def test_rate_limit_is_429_with_retry_after(tmp_path):
    gen = run_api(tmp_path, workers=False, rate_limit_per_second=0.5, rate_limit_burst=4)
    api = next(gen)
    try:
        headers = api.headers(api.new_client())
        flow_uuid = api.client.post(INIT, json=INIT_BODY, headers=headers).json()["flow_uuid"]
        polls = [
            api.client.get("/v3/verification/status", params={"flow_uuid": flow_uuid}, headers=headers)
            for _ in range(3)
        ]
        assert [r.status_code for r in polls] == [200, 200, 200]
        for limited in (
            api.client.get("/v3/verification/status", params={"flow_uuid": flow_uuid}, headers=headers),
            api.client.get("/v3/verification/flows", headers=headers),
        ):
            assert limited.status_code == 429
            assert int(limited.headers["Retry-After"]) >= 1
            assert limited.json()["error_message"].startswith("Too Many Requests: ")
        # Another client has its own bucket.
        assert (
            api.client.get("/v3/verification/flows", headers=api.headers(api.new_client("b"))).status_code
            == 200
        )
    finally:
        gen.close()


def test_openapi_documents_wire_models_and_error_envelopes(api_only):
    assert api_only.client.get("/docs").status_code == 200
    spec = api_only.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in (
        "CallbackData",
        "StatusResponse",
        "TokenResponse",
        "UploadedFile",
        "ErrorBody",
        "FlowInitRequest",
    ):
        assert name in schemas
    assert "crossheck_status" in schemas["StatusResponse"]["properties"]
    status_op = spec["paths"]["/v3/verification/status"]["get"]
    assert {"200", "401", "409"} <= set(status_op["responses"])
    assert spec["paths"]["/v3/verification/multiupload"]["post"]["responses"]["413"]["content"]


def test_health_readiness_and_metrics(api, files, receiver):
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").status_code == 200
    headers = api.headers(api.new_client())
    flow_uuid = api.client.post(
        INIT,
        json={**INIT_BODY, "auth_url": receiver.auth_url, "callback_url": receiver.callback_url},
        headers=headers,
    ).json()["flow_uuid"]
    url = files.add("/i.jpg", json.dumps({"type": "INVOICE"}).encode())
    api.client.post(
        UPLOAD,
        json={"flow_uuid": flow_uuid, "file_urls": [{"file_url": url, "document_id": "1"}]},
        headers=headers,
    )
    wait_until(lambda: receiver.for_flow(flow_uuid), what="callback")
    text = wait_until(
        lambda: (
            (t := api.client.get("/metrics").text)
            and 'atlas_delivery_attempts_total{outcome="delivered"} 1.0' in t
            and t
        ),
        what="delivery metric",
    )
    assert (
        'atlas_http_requests_total{method="POST",route="/v3/verification/multiupload",status="201"} 1.0'
        in text
    )
    assert 'atlas_flows{master_status="SUCCESS"} 1.0' in text
    assert 'atlas_documents_total{document_type="INVOICE",error_code="none"} 1.0' in text
    assert 'atlas_stage_duration_seconds_count{stage="process"} 1.0' in text
    assert "atlas_queue_depth" in text


def test_a_database_outage_is_503_and_readyz_says_so(api_only, tmp_path):
    headers = api_only.headers(api_only.new_client())
    services = api_only.services
    healthy = services.db
    outage = tmp_path / "outage"
    broken = Database(f"sqlite:///{outage}/atlas.db")
    outage.rmdir()
    outage.write_text("the database's folder is gone")  # every connection attempt now fails
    services.db = broken
    try:
        r = api_only.client.post(INIT, json=INIT_BODY, headers=headers)
        assert r.status_code == 503, r.text
        assert r.json()["error_message"].startswith("Service Unavailable: ")
        assert r.headers["Retry-After"]
        assert api_only.client.get("/readyz").status_code == 503
        assert api_only.client.get("/v3/verification/flows", headers=headers).status_code == 503
    finally:
        services.db = healthy
    assert api_only.client.get("/readyz").status_code == 200
    # Nothing was half-accepted while the database was away.
    assert api_only.client.get("/v3/verification/flows", headers=headers).json() == {"flows": []}


def test_the_http_process_never_loads_ocr(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from atlasflow.api.app import create_app; from atlasflow.config import Settings; "
        f"create_app(Settings(data_dir={str(tmp_path)!r})); "
        "print(sorted(m for m in ('rapidocr', 'onnxruntime', 'cv2', 'atlasflow.pipeline.engine') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
