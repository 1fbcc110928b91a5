"""Test helpers shared by tests/api, tests/e2e and tests/scale: a local file server, a lender's
callback receiver (its own auth_url + callback_url, verifying signatures with `standardwebhooks`),
a lender's API client, free ports and polling with a deadline."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(
    predicate: Callable[[], T], *, timeout: float = 10.0, interval: float = 0.05, what: str = ""
) -> T:
    """Poll `predicate` until it returns something truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last: T = predicate()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)
        last = predicate()
    return last


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between single bytes, forever (a server that never finishes)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FileServer:
    """Serves registered paths on 127.0.0.1: bodies, statuses, redirects, trickling responses."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                server.hits.append(path)
                route = server.routes.get(path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.trickle:
                    self.end_headers()  # no Content-Length: the body ends when the server closes
                    try:
                        while True:
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(route.trickle)
                    except OSError:
                        return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> FileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes = b"", **kwargs: Any) -> str:
        self.routes[path] = Route(body=body, **kwargs)
        return self.url(path)

    def redirect(self, path: str, location: str) -> str:
        return self.add(path, status=302, headers={"Location": location})


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A lender's side: POST /auth issues a token; POST /callback requires it, records the call and
    answers `fail_next` failures (503) before succeeding."""

    def __init__(self, *, webhook_secret: str | None = None) -> None:
        self.webhook_secret = webhook_secret
        self.callbacks: list[Received] = []
        self.rejected: list[Received] = []
        self.auth_calls: list[dict[str, Any]] = []
        self.tokens: set[str] = set()
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    if self.path == "/auth":
                        receiver.auth_calls.append(json.loads(body or b"{}"))
                        token = f"tok-{len(receiver.auth_calls)}"
                        receiver.tokens.add(token)
                        self._reply(200, {"access_token": token, "expires_in": 600})
                        return
                    if headers.get("token") not in receiver.tokens:
                        receiver.rejected.append(Received(headers, body))
                        self._reply(401, {"error": "bad token"})
                        return
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        receiver.rejected.append(Received(headers, body))
                        self._reply(503, {"error": "down"})
                        return
                    if receiver.webhook_secret is not None:
                        from standardwebhooks import Webhook

                        try:
                            Webhook(receiver.webhook_secret).verify(body, headers)
                        except Exception:
                            receiver.rejected.append(Received(headers, body))
                            self._reply(400, {"error": "bad signature"})
                            return
                    receiver.callbacks.append(Received(headers, body))
                    self._reply(200, {"ok": True})

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def auth_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/auth"

    @property
    def callback_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/callback"

    def for_flow(self, flow_uuid: str) -> list[Received]:
        with self.lock:
            return [c for c in self.callbacks if c.json.get("flow_uuid") == flow_uuid]


class LenderClient:
    """A lender's HTTP client against a running service: the hosted-Atlas calls, base URL swapped in."""

    def __init__(self, base_url: str, creds: dict[str, str], *, channel: str) -> None:
        self.creds = creds
        self.channel = channel
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.token = self.authenticate()

    def authenticate(self) -> str:
        r = self.http.post(
            "/v3/verification/authtoken",
            headers={"Client-Id": self.creds["client_id"], "Client-Secret": self.creds["client_secret"]},
        )
        assert r.status_code == 201, r.text
        return r.json()["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Token": self.token, **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def init_flow(self, receiver: Receiver, application_id: str) -> str:
        r = self.call(
            "POST",
            "/v3/verification/flow/init",
            json={
                "product_type": "PROD_CDL",
                "application_id": application_id,
                "auth_url": receiver.auth_url,
                "callback_url": receiver.callback_url,
                "flow_params": {"channel": self.channel},
            },
        )
        assert r.status_code == 201, r.text
        return r.json()["flow_uuid"]

    def multiupload(self, flow_uuid: str, urls: dict[str, str]) -> list[dict[str, str]]:
        file_urls = [{"file_url": url, "document_id": doc_id} for doc_id, url in urls.items()]
        r = self.call(
            "POST", "/v3/verification/multiupload", json={"flow_uuid": flow_uuid, "file_urls": file_urls}
        )
        assert r.status_code == 201, r.text
        return r.json()

    def status_response(self, flow_uuid: str) -> httpx.Response:
        return self.call("GET", "/v3/verification/status", params={"flow_uuid": flow_uuid})
