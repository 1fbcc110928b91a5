"""Files that cannot or must not be fetched end as per-document DOWNLOAD_FAILED with a plain reason;
the flow still finishes, no worker hangs, nothing answers 5xx."""

from __future__ import annotations

import json
import time

import pytest
from api_harness import run_api
from atlas_testkit import FileServer, wait_until

INVOICE = json.dumps({"type": "INVOICE", "fields": {"customer_name": "A Kumar"}}).encode()


@pytest.fixture
def strict_api(tmp_path):
    """Egress allows only 127.0.0.1 (the file server) and 127.0.0.9 (a dead callback host, so no
    callback ever leaves the machine); every other private address is refused."""
    gen = run_api(tmp_path, workers=True, egress_allow="127.0.0.1/32,127.0.0.9/32", download_timeout=1.5)
    yield next(gen)
    gen.close()


def run_flow(api, urls: dict[str, str]) -> dict[str, dict]:
    headers = api.headers(api.new_client())
    r = api.client.post(
        "/v3/verification/flow/init",
        json={
            "product_type": "PROD_CDL",
            "application_id": "APP-DL",
            "auth_url": "http://127.0.0.9:9/auth",
            "callback_url": "http://127.0.0.9:9/cb",
        },
        headers=headers,
    )
    flow_uuid = r.json()["flow_uuid"]
    file_urls = [{"file_url": url, "document_id": doc_id} for doc_id, url in urls.items()]
    r = api.client.post(
        "/v3/verification/multiupload", json={"flow_uuid": flow_uuid, "file_urls": file_urls}, headers=headers
    )
    assert r.status_code == 201, r.text

    def final():
        s = api.client.get("/v3/verification/status", params={"flow_uuid": flow_uuid}, headers=headers)
        assert s.status_code == 200
        return s.json()["master_status"] in ("SUCCESS", "FAILED") and s.json()

    status = wait_until(final, timeout=15, what="flow to finish")
    extracts = api.client.get(
        "/v3/verification/extracts", params={"flow_uuid": flow_uuid}, headers=headers
    ).json()
    return {"status": status, **{d["document_id"]: d for d in extracts["ocr_data"]}}


def test_forbidden_addresses_redirects_and_dead_links_fail_per_document(strict_api, files: FileServer):
    files.add("/ok.jpg", INVOICE)
    files.add("/expired.jpg", b"<Error>AccessDenied</Error>", status=403)
    port = files.port
    urls = {
        "ok": files.url("/ok.jpg"),
        "loopback2": f"http://127.0.0.2:{port}/ok.jpg",
        "ipv6": f"http://[::1]:{port}/ok.jpg",
        "private": "http://10.0.0.7/a.jpg",
        "metadata": "http://169.254.169.254/latest/meta-data/iam",
        "redirect-metadata": files.redirect("/r1", "http://169.254.169.254/latest/meta-data/"),
        "redirect-private": files.redirect("/r2", "http://10.0.0.8/x.jpg"),
        "redirect-loopback": files.redirect("/r3", f"http://127.0.0.2:{port}/ok.jpg"),
        "not-found": files.url("/gone.jpg"),
        "expired": files.url("/expired.jpg"),
    }
    result = run_flow(strict_api, urls)
    assert result["ok"]["error_code"] == "" and result["ok"]["data"]["document_type"] == "INVOICE"
    for doc_id in urls:
        if doc_id == "ok":
            continue
        item = result[doc_id]
        assert item["error_code"] == "DOWNLOAD_FAILED", (doc_id, item)
        assert item["error_reason"] and "Traceback" not in item["error_reason"]
    assert "not allowed" in result["private"]["error_reason"]
    assert "169.254.169.254" in result["metadata"]["error_reason"]
    assert "not allowed" in result["redirect-metadata"]["error_reason"]
    assert "404" in result["not-found"]["error_reason"]
    assert "403" in result["expired"]["error_reason"]
    assert result["status"] == {
        "upload_status": "SUCCESS",
        "processing_status": "SUCCESS",
        "crossheck_status": "COMPLETED",
        "master_status": "SUCCESS",
    }


def test_names_and_addresses_of_this_machine_are_refused_without_an_allow_list(tmp_path, files: FileServer):
    gen = run_api(tmp_path, workers=True, egress_allow="127.0.0.9/32")  # only the (dead) callback host
    api = next(gen)
    try:
        files.add("/ok.jpg", INVOICE)
        result = run_flow(
            api,
            {
                "localhost": f"http://localhost:{files.port}/ok.jpg",
                "loopback": files.url("/ok.jpg"),
                "ipv6": f"http://[::1]:{files.port}/ok.jpg",
                "zero": f"http://0.0.0.0:{files.port}/ok.jpg",
            },
        )
        for doc_id in ("localhost", "loopback", "ipv6", "zero"):
            assert result[doc_id]["error_code"] == "DOWNLOAD_FAILED", doc_id
            assert "not allowed" in result[doc_id]["error_reason"], result[doc_id]["error_reason"]
        assert files.hits == []  # nothing ever reached the server
    finally:
        gen.close()


def test_a_server_that_trickles_forever_times_out_and_the_flow_finishes(strict_api, files: FileServer):
    files.add("/slow.jpg", trickle=0.1)
    started = time.monotonic()
    result = run_flow(strict_api, {"slow": files.url("/slow.jpg")})
    assert result["slow"]["error_code"] == "DOWNLOAD_FAILED"
    assert "timed out" in result["slow"]["error_reason"]
    assert time.monotonic() - started < 10
    # No document could be fetched: the flow fails as a whole, but it does finish.
    assert result["status"]["upload_status"] == "FAILED"
    assert result["status"]["master_status"] == "FAILED"


def test_a_file_over_the_size_cap_is_refused_without_reading_it_all(tmp_path, files: FileServer):
    gen = run_api(tmp_path, workers=True, download_max_bytes=1024)
    api = next(gen)
    try:
        files.add("/big.jpg", b"x" * 5000)
        result = run_flow(api, {"big": files.url("/big.jpg")})
        assert result["big"]["error_code"] == "DOWNLOAD_FAILED"
        assert "larger than" in result["big"]["error_reason"]
    finally:
        gen.close()
