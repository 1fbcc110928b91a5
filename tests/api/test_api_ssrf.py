"""SSRF probes through the service's three outbound paths, end to end through the API: file
downloads (multiupload), auth_url and callback_url (flow/init, then at delivery time).

tests/unit/test_egress.py probes the guard itself; here every probe goes in as a lender would send
it, and each must come back refused with a plain reason: per document (DOWNLOAD_FAILED), as a 422
at flow/init, or as a recorded delivery attempt that never reached its target.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from api_harness import run_api
from atlas_testkit import FileServer, Receiver, wait_until

V3 = "/v3/verification"
PUBLIC_IP = "93.184.216.34"  # a public address: what an attacker's DNS answers at check time
INVOICE = json.dumps({"type": "INVOICE"}).encode()

# Direct targets, written every way a URL parser and libc accept. None may be fetched.
DIRECT = {
    "loopback-v4": "http://127.0.0.2:{port}/ok",
    "loopback-v6": "http://[::1]:{port}/ok",
    "zero": "http://0.0.0.0:{port}/ok",
    "private-10": "http://10.0.0.7/a.jpg",
    "private-172": "http://172.16.5.4/a.jpg",
    "private-192": "http://192.168.1.1/a.jpg",
    "metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "link-local": "http://169.254.10.10/a.jpg",
    "link-local-v6": "http://[fe80::1]/a.jpg",
    "mapped-v6": "http://[::ffff:127.0.0.1]:{port}/ok",
    "mapped-v6-metadata": "http://[::ffff:169.254.169.254]/",
    "decimal": "http://2130706433:{port}/ok",
    "octal": "http://0177.0.0.1:{port}/ok",
    "hex-dotted": "http://0x7f.0.0.1:{port}/ok",
    "hex": "http://0x7f000001:{port}/ok",
    "short": "http://127.1:{port}/ok",
    "localhost": "http://localhost:{port}/ok",
    "name-to-loopback": "http://loopback.attacker.test:{port}/ok",
    "round-robin-rebind": "http://rr.attacker.test:{port}/ok",
    "userinfo": "http://files.example.com@127.0.0.1:{port}/ok",
}


@pytest.fixture
def attacker_dns(monkeypatch):
    """Names under .attacker.test answer from a script, one answer per lookup (the last repeats)."""
    real = socket.getaddrinfo
    scripts: dict[str, list[list[str]]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if not isinstance(host, str) or host not in scripts:
            return real(host, port, *args, **kwargs)
        answers = scripts[host].pop(0) if len(scripts[host]) > 1 else scripts[host][0]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in answers
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    scripts["loopback.attacker.test"] = [["127.0.0.1"]]
    scripts["rr.attacker.test"] = [[PUBLIC_IP, "127.0.0.1"]]
    return scripts


def service(tmp_path, allow: str):
    gen = run_api(tmp_path, workers=True, egress_allow=allow, download_timeout=1.5)
    return gen, next(gen)


def run_downloads(api, urls: dict[str, str]) -> dict[str, dict]:
    headers = api.headers(api.new_client())
    init = {
        "product_type": "PROD_CDL",
        "application_id": "APP-SSRF",
        "auth_url": "http://127.0.0.9:9/auth",
        "callback_url": "http://127.0.0.9:9/cb",
    }
    r = api.client.post(f"{V3}/flow/init", json=init, headers=headers)
    assert r.status_code == 201, r.text
    flow_uuid = r.json()["flow_uuid"]
    file_urls = [{"file_url": url, "document_id": doc_id} for doc_id, url in urls.items()]
    r = api.client.post(
        f"{V3}/multiupload", json={"flow_uuid": flow_uuid, "file_urls": file_urls}, headers=headers
    )
    assert r.status_code == 201, r.text

    def done():
        s = api.client.get(f"{V3}/status", params={"flow_uuid": flow_uuid}, headers=headers).json()
        return s["master_status"] in ("SUCCESS", "FAILED")

    wait_until(done, timeout=30, what="flow to finish")
    extracts = api.client.get(f"{V3}/extracts", params={"flow_uuid": flow_uuid}, headers=headers).json()
    return {d["document_id"]: d for d in extracts["ocr_data"]}


def test_every_forbidden_target_is_refused_per_document_through_multiupload(tmp_path, attacker_dns):
    files = FileServer().start()
    gen, api = service(tmp_path, "127.0.0.9/32")  # nothing reachable is allowed
    try:
        files.add("/ok", INVOICE)
        urls = {k: v.format(port=files.port) for k, v in DIRECT.items()}
        result = run_downloads(api, urls)
        for doc_id in urls:
            item = result[doc_id]
            assert item["error_code"] == "DOWNLOAD_FAILED", (doc_id, item)
            reason = item["error_reason"]
            assert "not allowed" in reason, (doc_id, reason)
            assert "Traceback" not in reason
        assert "169.254.169.254" in result["metadata"]["error_reason"]
        assert "credentials" in result["userinfo"]["error_reason"]
        assert files.hits == []  # not one probe reached the server
    finally:
        gen.close()
        files.stop()


def test_redirects_to_forbidden_targets_are_refused_per_document(tmp_path, attacker_dns):
    files = FileServer().start()
    gen, api = service(tmp_path, "127.0.0.1/32,127.0.0.9/32")  # the file server and a dead callback host
    try:
        files.add("/ok", INVOICE)
        port = files.port
        targets = {
            "to-loopback": f"http://127.0.0.2:{port}/ok",
            "to-v6-loopback": f"http://[::1]:{port}/ok",
            "to-zero": f"http://0.0.0.0:{port}/ok",
            "to-private": "http://10.1.2.3/x",
            "to-metadata": "http://169.254.169.254/latest/meta-data/",
            "to-link-local": "http://169.254.1.1/x",
            "to-mapped-v6": "http://[::ffff:169.254.169.254]/",
            "to-decimal": "http://2130706434/x",  # 127.0.0.2
            "to-hex": "http://0x7f000002/x",
            "to-name-to-loopback": f"http://loopback2.attacker.test:{port}/ok",
            "to-userinfo": f"http://evil@127.0.0.1:{port}/ok",
            "to-file-scheme": "file:///etc/passwd",
        }
        attacker_dns["loopback2.attacker.test"] = [["127.0.0.2"]]
        urls = {"ok": files.url("/ok")}
        urls |= {name: files.redirect(f"/r/{name}", target) for name, target in targets.items()}
        result = run_downloads(api, urls)
        assert result["ok"]["error_code"] == "" and result["ok"]["data"]["document_type"] == "INVOICE"
        for name in targets:
            item = result[name]
            assert item["error_code"] == "DOWNLOAD_FAILED", (name, item)
            assert "not allowed" in item["error_reason"], (name, item["error_reason"])
        hit_paths = [h for h in files.hits if not h.startswith("/r/") and h != "/ok"]
        assert hit_paths == []
        assert files.hits.count("/ok") == 1  # only the legitimate document, never a redirect's target
    finally:
        gen.close()
        files.stop()


def test_dns_answers_that_change_after_the_check_never_reach_the_file_server(tmp_path, attacker_dns):
    files = FileServer().start()
    gen, api = service(tmp_path, "127.0.0.9/32")
    try:
        files.add("/ok", INVOICE)
        # First lookup public, every later one loopback: the guard resolves once and connects to
        # what it checked, so the socket never goes to 127.0.0.1.
        attacker_dns["flip.attacker.test"] = [[PUBLIC_IP], ["127.0.0.1"]]
        result = run_downloads(api, {"flip": f"http://flip.attacker.test:{files.port}/ok"})
        assert result["flip"]["error_code"] == "DOWNLOAD_FAILED"
        assert result["flip"]["error_reason"] and "Traceback" not in result["flip"]["error_reason"]
        assert files.hits == []
    finally:
        gen.close()
        files.stop()


@pytest.mark.parametrize("field", ["auth_url", "callback_url"])
@pytest.mark.parametrize("name", sorted(DIRECT))
def test_flow_init_refuses_each_forbidden_auth_and_callback_url(api_only, attacker_dns, field, name):
    url = DIRECT[name].format(port=8080)
    body = {
        "product_type": "PROD_CDL",
        "application_id": "APP-SSRF",
        "auth_url": "http://93.184.216.34/auth",
        "callback_url": "http://93.184.216.34/cb",
        field: url,
    }
    # api_only allows 127.0.0.0/8 (the harness default): narrow it to nothing for this test.
    api_only.services.policy = type(api_only.services.policy).from_env_value("127.0.0.9/32")
    r = api_only.client.post(f"{V3}/flow/init", json=body, headers=api_only.headers(api_only.new_client()))
    assert r.status_code == 422, (name, r.status_code, r.text)
    message = r.json()["error_message"]
    assert message.startswith(f"Unprocessable Entity: {field} is not allowed: "), message


def _first_attempt(api, headers, flow_uuid) -> dict:
    def attempted():
        body = api.client.get(f"{V3}/callbacks", params={"flow_uuid": flow_uuid}, headers=headers).json()
        return body["attempts"][0] if body["attempts"] else None

    return wait_until(attempted, timeout=15, what="a delivery attempt")


def _flow_with_callback(api, *, auth_url: str, callback_url: str) -> tuple[str, dict]:
    headers = api.headers(api.new_client())
    init = {
        "product_type": "PROD_CDL",
        "application_id": "APP-CB",
        "auth_url": auth_url,
        "callback_url": callback_url,
    }
    r = api.client.post(f"{V3}/flow/init", json=init, headers=headers)
    assert r.status_code == 201, r.text
    flow_uuid = r.json()["flow_uuid"]
    # Multipart upload: no download, so the flow completes and its callback is due at once.
    r = api.client.post(
        f"{V3}/upload",
        data={"flow_uuid": flow_uuid, "document_ids": "1"},
        files=[("files", ("inv.json", INVOICE, "application/json"))],
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return flow_uuid, headers


@pytest.mark.parametrize("rebound_to", ["127.0.0.2", "169.254.169.254", "10.0.0.5", "::ffff:127.0.0.2"])
def test_callback_and_auth_hosts_that_rebind_after_flow_init_are_refused_at_delivery(
    tmp_path, attacker_dns, rebound_to
):
    receiver = Receiver().start()
    gen, api = service(tmp_path, "127.0.0.1/32")
    try:
        attacker_dns["cb.attacker.test"] = [[PUBLIC_IP], [rebound_to]]
        attacker_dns["auth.attacker.test"] = [[PUBLIC_IP], [rebound_to]]
        flow_uuid, headers = _flow_with_callback(
            api, auth_url=receiver.auth_url, callback_url=f"http://cb.attacker.test:{receiver.port}/callback"
        )
        attempt = _first_attempt(api, headers, flow_uuid)
        assert attempt["status_code"] is None and "not allowed" in attempt["error"], attempt
        assert receiver.for_flow(flow_uuid) == []

        flow_uuid, headers = _flow_with_callback(
            api,
            auth_url=f"http://auth.attacker.test:{receiver.port}/auth",
            callback_url=receiver.callback_url,
        )
        attempt = _first_attempt(api, headers, flow_uuid)
        assert "auth_url" in attempt["error"] and "not allowed" in attempt["error"], attempt
        assert receiver.for_flow(flow_uuid) == []
    finally:
        gen.close()
        receiver.stop()


class _Bouncer:
    """Answers every POST with 307 to the cloud metadata address; counts what it saw."""

    def __init__(self) -> None:
        posts: list[str] = []
        self.posts = posts

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("content-length") or 0))
                posts.append(self.path)
                self.send_response(307)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("which", ["auth_url", "callback_url"])
def test_auth_and_callback_redirects_are_never_followed(tmp_path, which):
    receiver, bouncer = Receiver().start(), _Bouncer()
    gen, api = service(tmp_path, "127.0.0.1/32,127.0.0.9/32")
    try:
        urls = {
            "auth_url": receiver.auth_url,
            "callback_url": receiver.callback_url,
            which: bouncer.url("/b"),
        }
        flow_uuid, headers = _flow_with_callback(api, **urls)
        attempt = _first_attempt(api, headers, flow_uuid)
        assert attempt["outcome"] != "delivered"
        assert "307" in attempt["error"], attempt
        if which == "callback_url":
            assert "redirects are not followed" in attempt["error"]
        assert bouncer.posts and receiver.for_flow(flow_uuid) == []
    finally:
        gen.close()
        bouncer.stop()
        receiver.stop()
