"""A lender's integration against the real `atlas serve` (real engine): full flows, callbacks
verified with the standardwebhooks library, retries, a kill -9 mid-flow, isolation and tokens."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import jwt
from atlas_testkit import wait_until
from e2e_harness import AtlasServer, Lender
from standardwebhooks import Webhook

ALL_TYPES = ("INVOICE", "DELIVERY_ORDER", "AADHAAR", "PAN", "IMEI_CLOSEUP_IMAGE", "ASSET_OPEN_BOX_IMAGE")


def serve_samples(files, samples, prefix: str) -> dict[str, str]:
    return {t: files.add(f"/{prefix}/{t.lower()}", samples[t]) for t in ALL_TYPES}


def personal_values(cases) -> set[str]:
    """Names, numbers and addresses printed on the sample documents (at least 6 characters)."""
    values: set[str] = set()
    for case in cases:
        labels = json.loads(Path(case.labels_path).read_text())
        for name, value in labels.get("data", {}).items():
            personal = any(
                k in name for k in ("name", "address", "mobile", "aadhaar", "pan_number", "dob", "birth")
            )
            if personal and isinstance(value, str) and len(value) >= 6:
                values.add(value)
    return values


def test_six_documents_reach_success_and_the_signed_callback_matches_extracts(
    server, files, receiver, samples, sample_cases
):
    creds = server.new_client("lender-a")
    receiver.webhook_secret = creds["webhook_secret"]
    lender = Lender(server, creds)
    flow_uuid = lender.init_flow(receiver)
    urls = serve_samples(files, samples, flow_uuid)
    entries = lender.upload(flow_uuid, {f"doc-{t}": url for t, url in urls.items()})
    assert len(entries) == 6
    final = lender.wait_final(flow_uuid)
    assert final == {
        "upload_status": "SUCCESS",
        "processing_status": "SUCCESS",
        "crossheck_status": "COMPLETED",
        "master_status": "SUCCESS",
    }
    callback = wait_until(lambda: receiver.for_flow(flow_uuid), timeout=30, what="callback")[0]
    Webhook(creds["webhook_secret"]).verify(callback.body, callback.headers)
    extracts = lender.call("GET", "/v3/verification/extracts", params={"flow_uuid": flow_uuid}).json()
    assert callback.json == extracts
    assert extracts["flow_params"] == {"channel": "e2e"}
    by_id = {d["document_id"]: d for d in extracts["ocr_data"]}
    assert set(by_id) == {f"doc-{t}" for t in ALL_TYPES}
    recognised = {d["data"].get("document_type") for d in extracts["ocr_data"]}
    # The engine's accuracy is measured by its benchmark; here: clean renders are recognised.
    assert {"INVOICE", "DELIVERY_ORDER"} <= recognised
    names = {c["name"] for c in extracts["cross_checks"]}
    assert {"CUSTOMER_NAME", "DEALER_ADDRESS", "INVOICE_AMOUNT"} <= names
    assert all(0 <= c["similarity_score"] <= 100 for c in extracts["cross_checks"])

    # Logs: JSON lines, the flow's lines carry its flow_uuid, and no personal data appears.
    lines = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.strip()]
    flow_lines = [line for line in lines if line.get("flow_uuid") == flow_uuid]
    assert {"flow completed", "document processed", "document fetched"} <= {
        line["event"] for line in flow_lines
    }
    text = server.log_path.read_text()
    personal = personal_values(sample_cases)
    assert len(personal) >= 5  # the check below has something to look for
    leaked = [v for v in personal if v in text]
    assert leaked == []


def test_two_uploads_to_one_flow_each_get_a_callback_covering_all_documents(server, files, receiver, samples):
    creds = server.new_client("lender-b")
    receiver.webhook_secret = creds["webhook_secret"]
    lender = Lender(server, creds)
    flow_uuid = lender.init_flow(receiver, "LOAN-TWO-UPLOADS")
    urls = serve_samples(files, samples, flow_uuid)
    lender.upload(flow_uuid, {"inv": urls["INVOICE"]})
    lender.wait_final(flow_uuid)
    wait_until(lambda: len(receiver.for_flow(flow_uuid)) == 1, timeout=30, what="first callback")
    second = lender.upload(flow_uuid, {"do": urls["DELIVERY_ORDER"]})
    assert lender.status(flow_uuid)["master_status"] in ("IN_PROGRESS", "SUCCESS")
    wait_until(lambda: len(receiver.for_flow(flow_uuid)) == 2, timeout=60, what="second callback")
    first_cb, second_cb = receiver.for_flow(flow_uuid)
    assert first_cb.headers["webhook-id"] != second_cb.headers["webhook-id"]
    assert [d["document_id"] for d in second_cb.json["ocr_data"]] == ["inv", "do"]
    assert second_cb.json["ocr_data"][1]["batch_id"] == second[0]["batch_id"]
    assert any(c["name"] == "CUSTOMER_NAME" for c in second_cb.json["cross_checks"])


def test_a_receiver_down_for_the_first_attempts_gets_the_callback_later(server, files, receiver, samples):
    creds = server.new_client("lender-c")
    receiver.webhook_secret = creds["webhook_secret"]
    receiver.fail_next = 2
    lender = Lender(server, creds)
    flow_uuid = lender.init_flow(receiver, "LOAN-RETRY")
    lender.upload(flow_uuid, {"pan": serve_samples(files, samples, flow_uuid)["PAN"]})
    delivered = wait_until(lambda: receiver.for_flow(flow_uuid), timeout=60, what="delivery after retries")[0]
    Webhook(creds["webhook_secret"]).verify(delivered.body, delivered.headers)
    log = wait_until(
        lambda: (
            (r := lender.call("GET", "/v3/verification/callbacks", params={"flow_uuid": flow_uuid}).json())[
                "deliveries"
            ][0]["state"]
            == "DELIVERED"
            and r
        ),
        what="delivery recorded",
    )
    assert [a["status_code"] for a in log["attempts"]] == [503, 503, 200]


def test_two_clients_cannot_see_each_other_and_bad_tokens_are_refused(server, receiver):
    alice = Lender(server, server.new_client("alice"))
    bob = Lender(server, server.new_client("bob"))
    flow_uuid = alice.init_flow(receiver, "LOAN-PRIVATE")
    assert bob.call("GET", "/v3/verification/status", params={"flow_uuid": flow_uuid}).status_code == 409
    assert bob.call("GET", "/v3/verification/extracts", params={"flow_uuid": flow_uuid}).status_code == 409
    assert bob.call("GET", "/v3/verification/flows", params={"application_id": "LOAN-PRIVATE"}).json() == {
        "flows": []
    }
    assert alice.call("GET", "/v3/verification/status", params={"flow_uuid": flow_uuid}).status_code == 200

    keys = json.loads((server.data_dir / "jwt_keys.json").read_text())
    secret = base64.b64decode(keys["keys"][keys["active"]])
    now = int(time.time())
    claims = {"sub": alice.creds["client_id"], "iss": "atlasflow", "iat": now - 7200, "exp": now - 3600}
    expired = jwt.encode(claims, secret, algorithm="HS256", headers={"kid": keys["active"]})
    forged = jwt.encode(
        {**claims, "exp": now + 3600}, b"y" * 32, algorithm="HS256", headers={"kid": keys["active"]}
    )
    for token, reason in ((expired, "expired"), (forged, "not signed")):
        r = alice.http.get(
            "/v3/verification/status", params={"flow_uuid": flow_uuid}, headers={"Token": token}
        )
        assert r.status_code == 401 and reason in r.json()["error_message"]


def test_kill_9_mid_flow_then_restart_finishes_the_flow_and_sends_the_callback(
    tmp_path, files, receiver, samples
):
    server = AtlasServer(tmp_path / "data", workers=1).start()
    try:
        creds = server.new_client("lender-kill")
        receiver.webhook_secret = creds["webhook_secret"]
        lender = Lender(server, creds)
        flow_uuid = lender.init_flow(receiver, "LOAN-KILL")
        lender.upload(flow_uuid, {t: url for t, url in serve_samples(files, samples, flow_uuid).items()})
        wait_until(
            lambda: lender.status(flow_uuid)["processing_status"] == "IN_PROGRESS",
            timeout=60,
            interval=0.1,
            what="processing to start",
        )
        server.kill_all()
        assert receiver.for_flow(flow_uuid) == []

        server.start()  # same data folder, new processes
        lender = Lender(server, creds)
        assert lender.wait_final(flow_uuid, timeout=180)["master_status"] == "SUCCESS"
        callback = wait_until(
            lambda: receiver.for_flow(flow_uuid), timeout=30, what="callback after restart"
        )[0]
        Webhook(creds["webhook_secret"]).verify(callback.body, callback.headers)
        assert len(callback.json["ocr_data"]) == 6
        assert all(d["error_code"] != "PROCESSING_FAILED" for d in callback.json["ocr_data"])
    finally:
        server.stop()
