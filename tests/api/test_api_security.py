"""Security controls a lender or an attacker would notice: response headers, abuse limits, the
right to erasure, retention of whole flows, and tenant isolation that leaks nothing."""

from __future__ import annotations

import json
import statistics
import time
import uuid

import fake_engine
import pytest
from api_harness import run_api
from atlas_testkit import wait_until
from sqlalchemy import func, select

from atlasflow.api.security import SECURITY_HEADER_NAMES
from atlasflow.runtime.flow import StageContext, fetch_document, process_document, sweep
from atlasflow.storage.tables import deliveries, documents, flows

V3 = "/v3/verification"
INIT = {
    "product_type": "PROD_CDL",
    "application_id": "APP-SEC",
    "auth_url": "http://127.0.0.1:9/auth",
    "callback_url": "http://127.0.0.1:9/cb",
}
INVOICE = {"type": "INVOICE", "fields": {"customer_name": "A Kumar"}}


def init_flow(api, headers) -> str:
    r = api.client.post(f"{V3}/flow/init", json=INIT, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()["flow_uuid"]


def upload(api, headers, flow_uuid, files, docs: dict[str, dict]):
    urls = [
        {"file_url": files.add(f"/{flow_uuid}/{k}", json.dumps(v).encode()), "document_id": k}
        for k, v in docs.items()
    ]
    return api.client.post(
        f"{V3}/multiupload", json={"flow_uuid": flow_uuid, "file_urls": urls}, headers=headers
    )


def final_status(api, headers, flow_uuid) -> dict:
    def done():
        s = api.client.get(f"{V3}/status", params={"flow_uuid": flow_uuid}, headers=headers).json()
        return s.get("master_status") in ("SUCCESS", "FAILED") and s

    return wait_until(done, timeout=15, what="flow to finish")


# --- headers ----------------------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_security_headers(api_only):
    headers = api_only.headers(api_only.new_client())
    flow_uuid = init_flow(api_only, headers)
    responses = {
        "authtoken 401": api_only.client.post(
            f"{V3}/authtoken", headers={"Client-Id": "x", "Client-Secret": "y"}
        ),
        "status fast path": api_only.client.get(
            f"{V3}/status", params={"flow_uuid": flow_uuid}, headers=headers
        ),
        "status 409": api_only.client.get(f"{V3}/status", params={"flow_uuid": "nope"}, headers=headers),
        "extracts": api_only.client.get(f"{V3}/extracts", params={"flow_uuid": flow_uuid}, headers=headers),
        "413 before parsing": api_only.client.post(
            f"{V3}/multiupload", content=b"x" * (2 * 1024 * 1024), headers=headers
        ),
        "404": api_only.client.get("/nowhere"),
        "healthz": api_only.client.get("/healthz"),
        "openapi": api_only.client.get("/openapi.json"),
    }
    for what, r in responses.items():
        missing = [h for h in SECURITY_HEADER_NAMES if h not in r.headers]
        assert missing == [], (what, r.status_code, missing)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
    assert responses["413 before parsing"].status_code == 413
    assert "frame-ancestors 'none'" in api_only.client.get("/docs").headers["content-security-policy"]


# --- limits -----------------------------------------------------------------------------------------


def test_a_flow_takes_at_most_max_files_per_flow_over_all_its_batches(tmp_path, files):
    gen = run_api(tmp_path, workers=False, max_files_per_flow=4)
    api = next(gen)
    try:
        headers = api.headers(api.new_client())
        flow_uuid = init_flow(api, headers)
        assert upload(api, headers, flow_uuid, files, {str(i): INVOICE for i in range(3)}).status_code == 201
        r = upload(api, headers, flow_uuid, files, {"a": INVOICE, "b": INVOICE})
        assert r.status_code == 400
        assert "at most 4 per flow" in r.json()["error_message"]
        assert upload(api, headers, flow_uuid, files, {"c": INVOICE}).status_code == 201
    finally:
        gen.close()


def test_open_flows_per_client_are_capped_with_429_and_retry_after(tmp_path):
    gen = run_api(tmp_path, workers=False, max_open_flows_per_client=3)
    api = next(gen)
    try:
        alice = api.headers(api.new_client("alice"))
        for _ in range(3):
            init_flow(api, alice)
        r = api.client.post(f"{V3}/flow/init", json=INIT, headers=alice)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert r.json()["error_message"].startswith("Too Many Requests: ")
        init_flow(api, api.headers(api.new_client("bob")))  # another client is not affected
        # Erasing one of alice's flows frees a slot.
        listed = api.client.get(f"{V3}/flows", headers=alice).json()["flows"]
        gone = api.client.delete(f"{V3}/flow", params={"flow_uuid": listed[0]["flow_uuid"]}, headers=alice)
        assert gone.status_code == 200
        init_flow(api, alice)
    finally:
        gen.close()


def test_a_burst_of_authtoken_calls_for_one_client_is_rate_limited(tmp_path):
    gen = run_api(tmp_path, workers=False, rate_limit_per_second=1, rate_limit_burst=5)
    api = next(gen)
    try:
        creds = api.new_client()
        codes = [
            api.client.post(
                f"{V3}/authtoken",
                headers={"Client-Id": creds.client_id, "Client-Secret": creds.client_secret},
            ).status_code
            for _ in range(8)
        ]
        assert codes[:5] == [201] * 5 and 429 in codes[5:]
    finally:
        gen.close()


# --- right to erasure --------------------------------------------------------------------------------


def test_delete_erases_files_results_and_callbacks_and_the_flow_then_answers_409(api, files, receiver):
    headers = api.headers(api.new_client())
    body = {**INIT, "auth_url": receiver.auth_url, "callback_url": receiver.callback_url}
    flow_uuid = api.client.post(f"{V3}/flow/init", json=body, headers=headers).json()["flow_uuid"]
    assert upload(api, headers, flow_uuid, files, {"inv": INVOICE, "pan": {"type": "PAN"}}).status_code == 201
    assert final_status(api, headers, flow_uuid)["master_status"] == "SUCCESS"
    wait_until(lambda: receiver.for_flow(flow_uuid), timeout=15, what="callback")
    assert (api.settings.blob_dir / flow_uuid).is_dir()

    r = api.client.delete(f"{V3}/flow", params={"flow_uuid": flow_uuid}, headers=headers)
    assert r.status_code == 200 and r.json() == {"flow_uuid": flow_uuid, "erased": True}
    assert not (api.settings.blob_dir / flow_uuid).exists()
    with api.services.db.read() as conn:
        for table in (flows, documents, deliveries):
            n = conn.execute(select(func.count()).select_from(table).where(table.c.flow_uuid == flow_uuid))
            assert n.scalar_one() == 0, table.name
    for method, path in (
        ("GET", "/status"),
        ("GET", "/extracts"),
        ("GET", "/callbacks"),
        ("DELETE", "/flow"),
    ):
        again = api.client.request(method, f"{V3}{path}", params={"flow_uuid": flow_uuid}, headers=headers)
        assert again.status_code == 409, path
        assert again.json()["error_message"] == "Conflict: No flow found with the given flow_uuid"
    r = upload(api, headers, flow_uuid, files, {"late": INVOICE})
    assert r.status_code == 409


def test_retention_days_erases_whole_flows_when_results_must_go_too(api_only, files):
    headers = api_only.headers(api_only.new_client())
    flow_uuid = init_flow(api_only, headers)
    upload(api_only, headers, flow_uuid, files, {"1": INVOICE})
    keep = StageContext.build(api_only.settings.model_copy(update={"retention_days": 30.0}))
    fetch_document(keep, owner="t:f")
    process_document(keep, engine=fake_engine.process_document, owner="t:w")
    assert (
        api_only.client.get(f"{V3}/status", params={"flow_uuid": flow_uuid}, headers=headers).json()[
            "master_status"
        ]
        == "SUCCESS"
    )
    # Within retention nothing goes; results only go when the operator asks for it.
    assert sweep(keep)["flows_erased"] == 0
    files_only = StageContext.build(api_only.settings.model_copy(update={"retention_days": 0.0}))
    assert sweep(files_only) | {} and sweep(files_only)["flows_erased"] == 0
    assert (
        api_only.client.get(f"{V3}/extracts", params={"flow_uuid": flow_uuid}, headers=headers).status_code
        == 200
    )
    everything = StageContext.build(
        api_only.settings.model_copy(update={"retention_days": 0.0, "retention_delete_results": True})
    )
    assert sweep(everything)["flows_erased"] == 1
    assert (
        api_only.client.get(f"{V3}/extracts", params={"flow_uuid": flow_uuid}, headers=headers).status_code
        == 409
    )
    assert not (api_only.settings.blob_dir / flow_uuid).exists()


def test_retention_days_setting_is_read_from_the_environment(monkeypatch, tmp_path):
    from atlasflow.config import Settings

    monkeypatch.setenv("ATLAS_RETENTION_DAYS", "7")
    monkeypatch.setenv("ATLAS_RETENTION_DELETE_RESULTS", "true")
    settings = Settings(data_dir=tmp_path)
    assert settings.effective_retention_days == 7.0 and settings.retention_delete_results


# --- tenant isolation --------------------------------------------------------------------------------


def _median_ms(call, n: int = 15) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def test_another_clients_flow_is_indistinguishable_from_a_missing_one(api_only, files):
    alice, bob = api_only.new_client("alice"), api_only.new_client("bob")
    ha, hb = api_only.headers(alice), api_only.headers(bob)
    flow_a = init_flow(api_only, ha)
    assert upload(api_only, ha, flow_a, files, {"1": INVOICE}).status_code == 201
    missing = str(uuid.uuid4())
    one_file = [{"file_url": files.url("/x"), "document_id": "z"}]

    def probes(flow_uuid: str):
        c = api_only.client
        return {
            "status": lambda: c.get(f"{V3}/status", params={"flow_uuid": flow_uuid}, headers=hb),
            "extracts": lambda: c.get(f"{V3}/extracts", params={"flow_uuid": flow_uuid}, headers=hb),
            "callbacks": lambda: c.get(f"{V3}/callbacks", params={"flow_uuid": flow_uuid}, headers=hb),
            "redeliver": lambda: c.post(
                f"{V3}/callbacks/redeliver", json={"flow_uuid": flow_uuid}, headers=hb
            ),
            "multiupload": lambda: c.post(
                f"{V3}/multiupload", json={"flow_uuid": flow_uuid, "file_urls": one_file}, headers=hb
            ),
            "upload": lambda: c.post(
                f"{V3}/upload",
                data={"flow_uuid": flow_uuid, "document_ids": "z"},
                files=[("files", ("z.jpg", b"{}", "image/jpeg"))],
                headers=hb,
            ),
            "delete": lambda: c.delete(f"{V3}/flow", params={"flow_uuid": flow_uuid}, headers=hb),
        }

    theirs, nobodys = probes(flow_a), probes(missing)
    for name in theirs:
        a, b = theirs[name](), nobodys[name]()
        assert a.status_code == b.status_code == 409, (name, a.text)
        assert a.content == b.content, name
        assert sorted(a.headers.keys()) == sorted(b.headers.keys()), name
        # Same work either way (one indexed lookup scoped by client): no timing oracle worth the name.
        t_theirs, t_nobody = _median_ms(theirs[name]), _median_ms(nobodys[name])
        assert abs(t_theirs - t_nobody) < max(5.0, 0.5 * min(t_theirs, t_nobody)), (name, t_theirs, t_nobody)
    # Alice's flow is untouched by all of that.
    s = api_only.client.get(f"{V3}/extracts", params={"flow_uuid": flow_a}, headers=ha)
    assert s.status_code == 200 and s.json()["flow_uuid"] == flow_a
    with api_only.services.db.read() as conn:
        n = conn.execute(select(func.count()).select_from(documents).where(documents.c.flow_uuid == flow_a))
        assert n.scalar_one() == 1


@pytest.mark.parametrize("where", ["file", "env"])
def test_the_signing_key_file_is_0600_and_never_used_when_keys_come_from_the_environment(tmp_path, where):
    overrides = {"jwt_keys": "k1:" + "s" * 40} if where == "env" else {}
    gen = run_api(tmp_path, workers=False, **overrides)
    api = next(gen)
    try:
        key_file = api.settings.data_dir / "jwt_keys.json"
        if where == "file":
            assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        else:
            assert not key_file.exists()
        api.headers(api.new_client())  # tokens are issued either way
    finally:
        gen.close()


def test_a_key_file_readable_by_others_is_tightened_to_0600_at_start(tmp_path):
    import os

    from atlasflow.auth.keys import ensure_key_file

    key_file = tmp_path / "jwt_keys.json"
    ring = ensure_key_file(key_file)
    os.chmod(key_file, 0o644)
    assert ensure_key_file(key_file).keys == ring.keys  # same key, still usable
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_an_unknown_client_id_costs_the_same_time_as_a_wrong_secret(api_only):
    creds = api_only.new_client()

    def attempt(client_id: str) -> None:
        r = api_only.client.post(
            f"{V3}/authtoken", headers={"Client-Id": client_id, "Client-Secret": "wrong"}
        )
        assert r.status_code == 401
        assert r.json()["error_message"] == "Unauthorized: Invalid client credentials"

    unknown = _median_ms(lambda: attempt("no-such-client"), n=9)
    wrong = _median_ms(lambda: attempt(creds.client_id), n=9)
    # Both pay one argon2 verification (tens of ms); without it the unknown id answered in ~1 ms.
    assert unknown > 0.5 * wrong, (unknown, wrong)


@pytest.mark.sqlite_file
def test_erased_values_do_not_linger_in_the_sqlite_file(api_only):
    import contextlib
    import sqlite3

    headers = api_only.headers(api_only.new_client())
    marker = "ERASE-ME-" + uuid.uuid4().hex

    def new_flow(application_id: str) -> str:
        r = api_only.client.post(
            f"{V3}/flow/init", json={**INIT, "application_id": application_id}, headers=headers
        )
        return r.json()["flow_uuid"]

    # Neighbours on the same pages: a deleted row in a live page is where bytes linger.
    for i in range(3):
        new_flow(f"KEEP-{i}")
    flow_uuid = new_flow(marker)
    for i in range(3, 6):
        new_flow(f"KEEP-{i}")
    db_path = api_only.settings.data_dir / "atlas.db"

    def file_bytes() -> bytes:
        with contextlib.closing(sqlite3.connect(db_path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return db_path.read_bytes()

    assert marker.encode() in file_bytes()
    assert (
        api_only.client.delete(f"{V3}/flow", params={"flow_uuid": flow_uuid}, headers=headers).status_code
        == 200
    )
    data = file_bytes()
    assert marker.encode() not in data and flow_uuid.encode() not in data
