"""Callbacks: retried on the schedule while the receiver is down, every attempt listed, given up
after the last, and re-sent on request with the same webhook-id."""

from __future__ import annotations

import json

from api_harness import run_api
from atlas_testkit import wait_until

INVOICE = json.dumps({"type": "INVOICE", "fields": {"customer_name": "S Rao"}}).encode()


def run_flow(api, files, receiver) -> tuple[str, dict]:
    creds = api.new_client()
    receiver.webhook_secret = creds.webhook_secret
    headers = api.headers(creds)
    flow_uuid = api.client.post(
        "/v3/verification/flow/init",
        json={
            "product_type": "PROD_CDL",
            "application_id": "APP-CB",
            "auth_url": receiver.auth_url,
            "callback_url": receiver.callback_url,
        },
        headers=headers,
    ).json()["flow_uuid"]
    url = files.add(f"/{flow_uuid}.jpg", INVOICE)
    r = api.client.post(
        "/v3/verification/multiupload",
        json={"flow_uuid": flow_uuid, "file_urls": [{"file_url": url, "document_id": "1"}]},
        headers=headers,
    )
    assert r.status_code == 201
    return flow_uuid, headers


def callback_log(api, headers, flow_uuid) -> dict:
    r = api.client.get("/v3/verification/callbacks", params={"flow_uuid": flow_uuid}, headers=headers)
    assert r.status_code == 200
    return r.json()


def test_a_receiver_down_for_two_attempts_gets_the_callback_on_the_third(api, files, receiver):
    receiver.fail_next = 2
    flow_uuid, headers = run_flow(api, files, receiver)
    wait_until(lambda: receiver.for_flow(flow_uuid), timeout=15, what="delivery after retries")
    log = wait_until(
        lambda: (c := callback_log(api, headers, flow_uuid))["deliveries"][0]["state"] == "DELIVERED" and c,
        what="delivery recorded",
    )
    attempts = log["attempts"]
    assert [a["outcome"] for a in attempts] == ["retry", "retry", "delivered"]
    assert [a["status_code"] for a in attempts] == [503, 503, 200]
    assert all(a["latency_ms"] is not None and a["attempted_at"] for a in attempts)
    assert "503" in attempts[0]["error"]
    assert len({a["webhook_id"] for a in attempts}) == 1
    # Every attempt of one result carried the same webhook-id.
    assert {r.headers["webhook-id"] for r in receiver.rejected} == {attempts[0]["webhook_id"]}


def test_delivery_gives_up_after_the_schedule_and_redeliver_sends_the_same_result(tmp_path, files, receiver):
    gen = run_api(tmp_path, workers=True, callback_schedule="0.1,0.1")
    api = next(gen)
    try:
        receiver.fail_next = 100
        flow_uuid, headers = run_flow(api, files, receiver)
        log = wait_until(
            lambda: (
                (c := callback_log(api, headers, flow_uuid))["deliveries"]
                and c["deliveries"][0]["state"] == "FAILED"
                and c
            ),
            timeout=15,
            what="delivery to give up",
        )
        assert [a["outcome"] for a in log["attempts"]] == ["retry", "retry", "gave_up"]
        receiver.fail_next = 0
        r = api.client.post(
            "/v3/verification/callbacks/redeliver", json={"flow_uuid": flow_uuid}, headers=headers
        )
        assert r.status_code == 202
        webhook_id = r.json()["webhook_id"]
        assert webhook_id == log["attempts"][0]["webhook_id"]
        delivered = wait_until(lambda: receiver.for_flow(flow_uuid), what="redelivery")[0]
        assert delivered.headers["webhook-id"] == webhook_id
        assert delivered.json["ocr_data"][0]["document_id"] == "1"
        final = wait_until(
            lambda: (
                (c := callback_log(api, headers, flow_uuid))["deliveries"][0]["state"] == "DELIVERED" and c
            ),
            what="redelivery recorded",
        )
        assert [a["outcome"] for a in final["attempts"]] == ["retry", "retry", "gave_up", "delivered"]
    finally:
        gen.close()


def test_redeliver_before_any_result_is_409(api_only):
    headers = api_only.headers(api_only.new_client())
    flow_uuid = api_only.client.post(
        "/v3/verification/flow/init",
        json={
            "product_type": "PROD_CDL",
            "application_id": "A",
            "auth_url": "http://127.0.0.1:9/a",
            "callback_url": "http://127.0.0.1:9/c",
        },
        headers=headers,
    ).json()["flow_uuid"]
    r = api_only.client.post(
        "/v3/verification/callbacks/redeliver", json={"flow_uuid": flow_uuid}, headers=headers
    )
    assert r.status_code == 409 and "no result" in r.json()["error_message"]
