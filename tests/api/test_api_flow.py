"""A lender's flow through the API: init, upload, poll, extracts, signed callback, second upload."""

from __future__ import annotations

import json
import re
import uuid

import fake_engine
from atlas_testkit import wait_until
from standardwebhooks import Webhook

BATCH_ID = re.compile(r"^BATCH-\d{5}-[A-Z]{5}-\d{14}$")

INVOICE = {
    "type": "INVOICE",
    "fields": {"customer_name": "Pashangh Irani", "mobile_number": "8655126210", "invoice_number": "4332"},
}
DELIVERY_ORDER = {
    "type": "DELIVERY_ORDER",
    "fields": {"customer_name": "Pashangh", "customer_mobile_number": "8655126210"},
}


def doc(content: dict) -> bytes:
    return json.dumps(content).encode()


def start_flow(api, headers, receiver, **extra) -> str:
    body = {
        "product_type": "PROD_CDL",
        "application_id": "APP-1001",
        "auth_url": receiver.auth_url,
        "callback_url": receiver.callback_url,
        "flow_params": {"branch": "Pune", "nested": {"a": [1, 2]}},
        **extra,
    }
    r = api.client.post("/v3/verification/flow/init", json=body, headers=headers)
    assert r.status_code == 201, r.text
    flow_uuid = r.json()["flow_uuid"]
    assert uuid.UUID(flow_uuid).version == 4
    return flow_uuid


def status(api, headers, flow_uuid):
    r = api.client.get("/v3/verification/status", params={"flow_uuid": flow_uuid}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_flow_reaches_success_and_the_signed_callback_verifies(api, files, receiver):
    creds = api.new_client()
    receiver.webhook_secret = creds.webhook_secret
    headers = api.headers(creds)
    flow_uuid = start_flow(api, headers, receiver)
    assert status(api, headers, flow_uuid) == {
        "upload_status": "NOT_STARTED",
        "processing_status": "NOT_STARTED",
        "crossheck_status": "NOT_STARTED",
        "master_status": "NOT_STARTED",
    }
    urls = [
        {"file_url": files.add("/inv.jpg", doc(INVOICE)), "document_id": "1"},
        {"file_url": files.add("/do.jpg", doc(DELIVERY_ORDER)), "document_id": "2"},
        {"file_url": files.add("/cat.jpg", b"\x89PNG not a document"), "document_id": "3"},
        {"file_url": files.url("/missing.jpg"), "document_id": "4"},
    ]
    r = api.client.post(
        "/v3/verification/multiupload", json={"flow_uuid": flow_uuid, "file_urls": urls}, headers=headers
    )
    assert r.status_code == 201, r.text
    entries = r.json()
    assert isinstance(entries, list) and [e["document_id"] for e in entries] == ["1", "2", "3", "4"]
    assert len({e["batch_id"] for e in entries}) == 1 and BATCH_ID.match(entries[0]["batch_id"])
    assert len({e["file_uuid"] for e in entries}) == 4

    final = wait_until(
        lambda: (s := status(api, headers, flow_uuid))["master_status"] == "SUCCESS" and s,
        what="flow SUCCESS",
    )
    assert final == {
        "upload_status": "SUCCESS",
        "processing_status": "SUCCESS",
        "crossheck_status": "COMPLETED",
        "master_status": "SUCCESS",
    }
    extracts = api.client.get(
        "/v3/verification/extracts", params={"flow_uuid": flow_uuid}, headers=headers
    ).json()
    assert extracts["flow_uuid"] == flow_uuid and extracts["application_id"] == "APP-1001"
    assert extracts["flow_params"] == {"branch": "Pune", "nested": {"a": [1, 2]}}
    by_id = {item["document_id"]: item for item in extracts["ocr_data"]}
    assert set(by_id) == {"1", "2", "3", "4"}
    assert by_id["1"]["data"]["document_type"] == "INVOICE"
    assert by_id["1"]["data"]["customer_name"] == {"value": "Pashangh Irani", "confidence_score": 0.95}
    assert by_id["1"]["data"]["dealer_gst"] == {"value": "", "confidence_score": 0.0}
    assert (
        by_id["1"]["file_uuid"] == entries[0]["file_uuid"]
        and by_id["1"]["batch_id"] == entries[0]["batch_id"]
    )
    assert (by_id["3"]["error_code"], by_id["3"]["error_reason"]) == ("UNRECOGNISED", "document not in list")
    assert by_id["4"]["error_code"] == "DOWNLOAD_FAILED" and "404" in by_id["4"]["error_reason"]
    names = {c["name"]: c for c in extracts["cross_checks"]}
    assert names["CUSTOMER_NAME"]["source_value"] == "Pashangh"
    assert names["CUSTOMER_NAME"]["target_value"] == "Pashangh Irani"

    callback = wait_until(lambda: receiver.for_flow(flow_uuid), what="callback")[0]
    assert callback.json == extracts
    assert callback.headers["token"].startswith("tok-")
    assert callback.headers["content-type"] == "application/json"
    Webhook(creds.webhook_secret).verify(callback.body, callback.headers)  # raises if the signature is wrong
    assert receiver.auth_calls[0] == {"flow_uuid": flow_uuid, "application_id": "APP-1001"}

    log = api.client.get(
        "/v3/verification/callbacks", params={"flow_uuid": flow_uuid}, headers=headers
    ).json()
    assert log["deliveries"][0]["state"] == "DELIVERED"
    assert log["attempts"][0]["status_code"] == 200 and log["attempts"][0]["outcome"] == "delivered"
    assert log["attempts"][0]["webhook_id"] == callback.headers["webhook-id"]


def test_second_upload_reopens_the_flow_and_the_new_result_gets_a_new_webhook_id(api, files, receiver):
    creds = api.new_client()
    headers = api.headers(creds)
    flow_uuid = start_flow(api, headers, receiver)
    first = [{"file_url": files.add("/a", doc(INVOICE)), "document_id": "inv"}]
    r = api.client.post(
        "/v3/verification/multiupload", json={"flow_uuid": flow_uuid, "file_urls": first}, headers=headers
    )
    assert r.status_code == 201
    first_batch = r.json()[0]["batch_id"]
    wait_until(lambda: len(receiver.for_flow(flow_uuid)) == 1, what="first callback")
    assert status(api, headers, flow_uuid)["master_status"] == "SUCCESS"

    fake_engine.GATE.clear()
    second = [{"file_url": files.add("/b", doc({**DELIVERY_ORDER, "block": True})), "document_id": "do"}]
    r = api.client.post(
        "/v3/verification/multiupload", json={"flow_uuid": flow_uuid, "file_urls": second}, headers=headers
    )
    assert r.status_code == 201
    assert r.json()[0]["batch_id"] != first_batch and BATCH_ID.match(r.json()[0]["batch_id"])
    reopened = status(api, headers, flow_uuid)
    assert reopened["master_status"] == "IN_PROGRESS" and reopened["crossheck_status"] == "PENDING"
    fake_engine.GATE.set()

    wait_until(lambda: len(receiver.for_flow(flow_uuid)) == 2, what="second callback")
    one, two = receiver.for_flow(flow_uuid)
    assert one.headers["webhook-id"] != two.headers["webhook-id"]
    assert [d["document_id"] for d in two.json["ocr_data"]] == ["inv", "do"]
    assert {c["name"] for c in two.json["cross_checks"]} >= {"CUSTOMER_NAME"}
    assert len({d["batch_id"] for d in two.json["ocr_data"]}) == 2
