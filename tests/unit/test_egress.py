"""The egress guard against SSRF: refused addresses, pinned connections, redirects, time and size caps."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from atlasflow.net.egress import (
    DownloadError,
    EgressDeniedError,
    EgressPolicy,
    HostLookupError,
    check_url,
    describe_transport_error,
    fetch_file,
    guarded_client,
)

NOTHING_ALLOWED = EgressPolicy()
LOOPBACK_ONE = EgressPolicy.from_env_value("127.0.0.1/32")
PUBLIC_IP = "93.184.215.14"  # a public address; tests never actually reach it


# --- local servers ---------------------------------------------------------------------------------


@dataclass
class Seen:
    """What a test server received."""

    paths: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)


Route = Callable[[http.server.BaseHTTPRequestHandler], None]


@contextlib.contextmanager
def serve(
    routes: dict[str, Route], *, address: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> Iterator[tuple[int, Seen]]:
    seen = Seen()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.paths.append(self.path)
            seen.hosts.append(self.headers.get("Host", ""))
            route = routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            route(self)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((address, 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def body(data: bytes, content_type: str = "application/octet-stream") -> Route:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


def status(code: int) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


def endless(h: http.server.BaseHTTPRequestHandler) -> None:
    """No Content-Length, and data until the client hangs up: only a streamed cap stops this."""
    h.send_response(200)
    h.send_header("Connection", "close")
    h.end_headers()
    chunk = b"\0" * 65536
    with contextlib.suppress(OSError):
        for _ in range(2000):  # 128 MiB at most, in case the client kept reading
            h.wfile.write(chunk)
    h.close_connection = True


@contextlib.contextmanager
def trickle_server(*, headers_first: bool) -> Iterator[int]:
    """A raw socket server that sends one byte every 0.2 s (after full headers, or of the headers)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def run() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
                if headers_first:
                    conn.sendall(head)
                    payload = b"x" * 100000
                else:
                    payload = head
                for byte in payload:
                    if stop.wait(0.2):
                        return
                    conn.sendall(bytes([byte]))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, list[list[str]]], list[str]]:
    """Answer chosen names with scripted answers, one per lookup (the last repeats); returns the log."""
    real = socket.getaddrinfo
    scripts: dict[str, list[list[str]]] = {}
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host not in scripts:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        answers = scripts[host].pop(0) if len(scripts[host]) > 1 else scripts[host][0]
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port) if ":" not in a else (a, port, 0, 0),
            )
            for a in answers
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def script(name: str, answers: list[list[str]]) -> list[str]:
        scripts[name] = list(answers)
        return lookups

    return script


def reason_of(url: str, **kwargs: object) -> str:
    with pytest.raises(DownloadError) as caught:
        fetch_file(url, **kwargs)  # type: ignore[arg-type]
    return caught.value.reason


# --- check_url: the SSRF probe suite ---------------------------------------------------------------

REFUSED = [
    ("http://127.0.0.1/", "address 127.0.0.1 is not allowed (loopback)"),
    ("http://127.8.9.10:8080/x", "address 127.8.9.10 is not allowed (loopback)"),
    ("http://[::1]/", "address ::1 is not allowed (loopback)"),
    ("http://0.0.0.0/", "address 0.0.0.0 is not allowed (unspecified)"),
    ("http://[::]/", "address :: is not allowed (unspecified)"),
    ("http://10.0.0.5/", "address 10.0.0.5 is not allowed (private)"),
    ("http://172.16.3.4/", "address 172.16.3.4 is not allowed (private)"),
    ("http://192.168.1.1/", "address 192.168.1.1 is not allowed (private)"),
    ("http://[fd12:3456::1]/", "address fd12:3456::1 is not allowed (private)"),
    ("http://169.254.10.10/", "address 169.254.10.10 is not allowed (link-local)"),
    ("http://[fe80::1]/", "address fe80::1 is not allowed (link-local)"),
    ("http://169.254.169.254/latest/meta-data/", "address 169.254.169.254 is not allowed (cloud metadata)"),
    ("http://[fd00:ec2::254]/", "address fd00:ec2::254 is not allowed (cloud metadata)"),
    ("http://100.64.0.1/", "address 100.64.0.1 is not allowed (shared address space)"),
    ("http://224.0.0.251/", "address 224.0.0.251 is not allowed (multicast)"),
    ("http://[ff02::1]/", "address ff02::1 is not allowed (multicast)"),
    ("http://240.0.0.1/", "address 240.0.0.1 is not allowed (reserved)"),
    # IPv6 spellings of IPv4 addresses
    ("http://[::ffff:127.0.0.1]/", "address ::ffff:127.0.0.1 is not allowed (loopback)"),
    ("http://[::ffff:169.254.169.254]/", "(cloud metadata)"),
    ("http://[64:ff9b::7f00:1]/", "address 64:ff9b::7f00:1 is not allowed (loopback)"),  # NAT64
    ("http://[64:ff9b::a9fe:a9fe]/", "(cloud metadata)"),  # NAT64 of 169.254.169.254
    ("http://[2002:a00:1::]/", "address 2002:a00:1:: is not allowed (private)"),  # 6to4 of 10.0.0.1
    ("http://[::127.0.0.1]/", "(loopback)"),  # deprecated IPv4-compatible
    # inet_aton spellings of 127.0.0.1
    ("http://2130706433/", "address 127.0.0.1 is not allowed (loopback)"),
    ("http://0x7f.1/", "address 127.0.0.1 is not allowed (loopback)"),
    ("http://0x7f000001/", "address 127.0.0.1 is not allowed (loopback)"),
    ("http://0177.0.0.1/", "address 127.0.0.1 (written 0177.0.0.1) is not allowed (loopback)"),
    ("http://127.1/", "address 127.0.0.1 is not allowed (loopback)"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "address 169.254.169.254 is not allowed (cloud metadata)"),
    # a name that resolves to loopback
    ("http://localhost:8080/", "is not allowed (loopback)"),
    # schemes and credentials
    ("ftp://files.example.com/a.pdf", "scheme ftp is not allowed"),
    ("file:///etc/passwd", "scheme file is not allowed"),
    ("gopher://127.0.0.1:6379/_INFO", "scheme gopher is not allowed"),
    ("http://evil@127.0.0.1/", "credentials in the URL are not allowed"),
    (f"http://user:pass@{PUBLIC_IP}/", "credentials in the URL are not allowed"),
    ("http:///nohost", "URL has no host"),
    ("", "URL is empty"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED, ids=[u or "empty" for u, _ in REFUSED])
def test_check_url_refuses_what_no_caller_may_reach(url: str, reason: str) -> None:
    with pytest.raises(EgressDeniedError) as caught:
        check_url(url, policy=NOTHING_ALLOWED)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    "url",
    [
        f"http://{PUBLIC_IP}/",
        f"https://{PUBLIC_IP}:8443/callback?x=1",
        "https://[2606:4700:4700::1111]/",
        "http://[::ffff:8.8.8.8]/",  # a mapped *public* address reaches that public host
        "http://[64:ff9b::808:808]/",  # NAT64 of a public address (IPv6-only networks use these)
    ],
)
def test_check_url_accepts_public_addresses(url: str) -> None:
    check_url(url, policy=NOTHING_ALLOWED)


def test_allow_list_opens_only_its_networks() -> None:
    policy = EgressPolicy.from_env_value("127.0.0.0/8, ::1/128")
    check_url("http://127.0.0.1:9000/cb", policy=policy)
    check_url("http://[::1]/cb", policy=policy)
    check_url("http://[::ffff:127.0.0.1]/cb", policy=policy)
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[fe80::1]/"):
        with pytest.raises(EgressDeniedError):
            check_url(url, policy=policy)


def test_allow_list_from_env_rejects_garbage() -> None:
    assert EgressPolicy.from_env_value(None) == EgressPolicy()
    assert EgressPolicy.from_env_value("  ") == EgressPolicy()
    with pytest.raises(ValueError, match="not-a-net"):
        EgressPolicy.from_env_value("127.0.0.0/8,not-a-net")


def test_every_resolved_address_is_checked(fake_dns) -> None:
    fake_dns("mixed.example.test", [[PUBLIC_IP, "127.0.0.1"]])
    with pytest.raises(EgressDeniedError, match=r"127\.0\.0\.1 is not allowed \(loopback\)"):
        check_url("https://mixed.example.test/", policy=NOTHING_ALLOWED)


def test_unresolvable_host_is_refused(fake_dns) -> None:
    fake_dns("nowhere.example.test", [[]])
    with pytest.raises(HostLookupError, match="could not resolve host"):
        check_url("https://nowhere.example.test/", policy=NOTHING_ALLOWED)
    assert reason_of("https://nowhere.example.test/f.pdf", policy=NOTHING_ALLOWED) == "could not resolve host"


# --- fetch_file against real local servers ---------------------------------------------------------


def test_fetch_file_downloads_from_an_allowed_host() -> None:
    with serve({"/doc.pdf": body(b"%PDF-1.7 synthetic", "application/pdf")}) as (port, seen):
        got = fetch_file(f"http://127.0.0.1:{port}/doc.pdf?X-Amz-Signature=abc", policy=LOOPBACK_ONE)
    assert got.data == b"%PDF-1.7 synthetic"
    assert got.content_type == "application/pdf"
    assert got.final_url == f"http://127.0.0.1:{port}/doc.pdf?X-Amz-Signature=abc"
    assert seen.paths == ["/doc.pdf?X-Amz-Signature=abc"]


def test_fetch_file_refuses_loopback_unless_allowed() -> None:
    with serve({"/doc.pdf": body(b"x")}) as (port, seen):
        assert (
            reason_of(f"http://127.0.0.1:{port}/doc.pdf", policy=NOTHING_ALLOWED)
            == "address 127.0.0.1 is not allowed (loopback)"
        )
        assert reason_of(f"http://localhost:{port}/doc.pdf", policy=NOTHING_ALLOWED).endswith("(loopback)")
        assert reason_of(f"http://2130706433:{port}/doc.pdf", policy=NOTHING_ALLOWED) == (
            "address 127.0.0.1 is not allowed (loopback)"
        )
        assert reason_of(f"http://evil@127.0.0.1:{port}/doc.pdf", policy=LOOPBACK_ONE) == (
            "credentials in the URL are not allowed"
        )
    assert seen.paths == []


def test_fetch_file_plain_reasons_for_http_errors() -> None:
    routes = {"/gone": status(404), "/expired": status(403), "/boom": status(500)}
    with serve(routes) as (port, _):
        base = f"http://127.0.0.1:{port}"
        assert reason_of(f"{base}/gone", policy=LOOPBACK_ONE) == "HTTP 404 from file host (not found)"
        assert reason_of(f"{base}/expired", policy=LOOPBACK_ONE) == (
            "HTTP 403 from file host (access denied — expired pre-signed URL?)"
        )
        assert reason_of(f"{base}/boom", policy=LOOPBACK_ONE) == "HTTP 500 from file host (server error)"


def test_fetch_file_reports_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed when the block ends: nothing listens there
    assert reason_of(f"http://127.0.0.1:{port}/f", policy=LOOPBACK_ONE) == "connection refused"


def test_fetch_file_follows_checked_redirects_on_allowed_hosts() -> None:
    routes = {"/a": redirect("/b", 301), "/b": redirect("/file", 307), "/file": body(b"payload")}
    with serve(routes) as (port, seen):
        got = fetch_file(f"http://127.0.0.1:{port}/a", policy=LOOPBACK_ONE)
    assert got.data == b"payload"
    assert got.final_url == f"http://127.0.0.1:{port}/file"
    assert seen.paths == ["/a", "/b", "/file"]


def test_redirect_off_the_allow_list_is_refused_before_any_connection() -> None:
    # 127.0.0.2 is loopback too, but only 127.0.0.1 is allowed: the second hop must not be contacted.
    with serve({"/file": body(b"secret")}, address="127.0.0.2") as (inner_port, inner_seen):
        target = f"http://127.0.0.2:{inner_port}/file"
        with serve({"/start": redirect(target)}) as (port, _):
            reason = reason_of(f"http://127.0.0.1:{port}/start", policy=LOOPBACK_ONE)
    assert reason == "address 127.0.0.2 is not allowed (loopback)"
    assert inner_seen.paths == []


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("ftp://127.0.0.1/x", "scheme ftp is not allowed"),
        ("http://evil@127.0.0.1/x", "credentials in the URL are not allowed"),
        ("http://[::1]/x", "address ::1 is not allowed (loopback)"),
        ("http://169.254.169.254/latest/meta-data/", "(cloud metadata)"),
    ],
)
def test_redirect_from_a_real_server_to_forbidden_targets(location: str, reason: str) -> None:
    with serve({"/start": redirect(location)}) as (port, _):
        assert reason in reason_of(f"http://127.0.0.1:{port}/start", policy=LOOPBACK_ONE)


def test_redirect_loop_stops_after_five_hops() -> None:
    with serve({"/loop": redirect("/loop")}) as (port, seen):
        assert reason_of(f"http://127.0.0.1:{port}/loop", policy=LOOPBACK_ONE) == "too many redirects"
    assert len(seen.paths) == 6  # the request and five followed redirects


def test_guarded_client_never_follows_redirects() -> None:
    with (
        serve({"/start": redirect("/file"), "/file": body(b"x")}) as (port, seen),
        guarded_client(policy=LOOPBACK_ONE, timeout=5) as client,
    ):
        response = client.get(f"http://127.0.0.1:{port}/start")
    assert response.status_code == 302
    assert seen.paths == ["/start"]


def test_declared_oversize_is_refused_before_reading() -> None:
    with serve({"/big": body(b"x" * 4096)}) as (port, _):
        reason = reason_of(f"http://127.0.0.1:{port}/big", policy=LOOPBACK_ONE, max_bytes=1024)
    assert reason == "file is larger than 1 KiB"


def test_undeclared_oversize_stops_reading_at_the_cap() -> None:
    with serve({"/endless": endless}) as (port, _):
        started = time.monotonic()
        reason = reason_of(f"http://127.0.0.1:{port}/endless", policy=LOOPBACK_ONE, max_bytes=256 * 1024)
    assert reason == "file is larger than 256 KiB"
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("headers_first", [True, False], ids=["trickled-body", "trickled-headers"])
def test_trickling_server_fails_at_the_total_deadline(headers_first: bool) -> None:
    with trickle_server(headers_first=headers_first) as port:
        started = time.monotonic()
        reason = reason_of(f"http://127.0.0.1:{port}/slow", policy=LOOPBACK_ONE, timeout=1.0)
        elapsed = time.monotonic() - started
    assert reason == "timed out after 1 s"
    assert 0.9 <= elapsed < 2.0


# --- DNS rebinding: the socket goes to the address that was checked ---------------------------------


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], list[tuple[str, int]]]:
    """Record every outgoing TCP connect; connects to PUBLIC_IP are diverted to a local server port."""
    real = socket.create_connection
    made: list[tuple[str, int]] = []

    def setup(local_port: int) -> list[tuple[str, int]]:
        def create_connection(address, *args, **kwargs):  # type: ignore[no-untyped-def]
            made.append((address[0], address[1]))
            if address[0] == PUBLIC_IP:
                return real(("127.0.0.1", local_port), *args, **kwargs)
            return real(address, *args, **kwargs)

        monkeypatch.setattr(socket, "create_connection", create_connection)
        return made

    return setup


def test_connection_goes_to_the_pinned_address_even_if_dns_changes(fake_dns, connections) -> None:
    with serve({"/doc.pdf": body(b"public bytes")}) as (port, seen):
        lookups = fake_dns("files.rebind.test", [[PUBLIC_IP], ["127.0.0.1"]])
        made = connections(port)
        got = fetch_file(f"http://files.rebind.test:{port}/doc.pdf", policy=NOTHING_ALLOWED)
    assert got.data == b"public bytes"
    assert lookups == ["files.rebind.test"]  # resolved once...
    assert made == [(PUBLIC_IP, port)]  # ...and the socket went to that checked answer, not the name
    assert seen.hosts == [f"files.rebind.test:{port}"]  # the Host header still names the host


def test_rebinding_between_check_and_fetch_is_refused(fake_dns, connections) -> None:
    with serve({"/doc.pdf": body(b"internal bytes")}) as (port, seen):
        fake_dns("files.rebind.test", [[PUBLIC_IP], ["127.0.0.1"]])
        made = connections(port)
        check_url(f"http://files.rebind.test:{port}/doc.pdf", policy=NOTHING_ALLOWED)  # at flow init
        reason = reason_of(f"http://files.rebind.test:{port}/doc.pdf", policy=NOTHING_ALLOWED)
    assert reason == "address 127.0.0.1 is not allowed (loopback)"
    assert made == []
    assert seen.paths == []


# --- TLS: pinned IP, but SNI and certificate checks use the hostname ---------------------------------


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=files.tls.test", "-addext", "subjectAltName=DNS:files.tls.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_to_the_pinned_address_verifies_the_hostname(fake_dns, tls_cert) -> None:
    cert, key = tls_cert
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    sni: list[str | None] = []
    server_ctx.sni_callback = lambda _sock, name, _ctx: sni.append(name)  # type: ignore[assignment,func-returns-value]
    client_ctx = ssl.create_default_context(cafile=str(cert))

    fake_dns("files.tls.test", [["127.0.0.1"]])
    with (
        serve({"/doc.pdf": body(b"over tls")}, tls=server_ctx) as (port, seen),
        guarded_client(policy=LOOPBACK_ONE, timeout=5, verify=client_ctx) as client,
    ):
        response = client.get(f"https://files.tls.test:{port}/doc.pdf")
        # The same server reached by its IP: the certificate does not name 127.0.0.1, so no trust.
        with pytest.raises(httpx.ConnectError) as caught:
            client.get(f"https://127.0.0.1:{port}/doc.pdf")
    assert response.content == b"over tls"
    assert sni[0] == "files.tls.test"
    assert seen.hosts == [f"files.tls.test:{port}"]
    assert describe_transport_error(caught.value) == "TLS certificate verification failed"


# --- a test transport: checks still apply to every URL host ------------------------------------------


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.1/", "address 127.0.0.1 is not allowed (loopback)"),
        ("http://[::1]/", "(loopback)"),
        ("http://0.0.0.0/", "(unspecified)"),
        ("http://10.1.2.3/", "(private)"),
        ("http://[fe80::1]/", "(link-local)"),
        ("http://169.254.169.254/latest/meta-data/", "(cloud metadata)"),
        ("http://[::ffff:127.0.0.1]/", "address ::ffff:127.0.0.1 is not allowed (loopback)"),
        ("http://2130706433/", "address 127.0.0.1 is not allowed (loopback)"),
        ("http://0x7f.1/", "address 127.0.0.1 is not allowed (loopback)"),
        ("http://localhost/", "(loopback)"),
        ("http://evil@127.0.0.1/", "credentials in the URL are not allowed"),
        ("ftp://files.example.com/x", "scheme ftp is not allowed"),
    ],
)
def test_redirects_to_forbidden_targets_are_refused(location: str, reason: str) -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(302, headers={"Location": location})

    got = reason_of(
        f"http://{PUBLIC_IP}/start", policy=NOTHING_ALLOWED, transport=httpx.MockTransport(handler)
    )
    assert reason in got
    assert requested == [f"http://{PUBLIC_IP}/start"]


def test_test_transport_still_refuses_the_first_hop() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        return httpx.Response(200, content=b"x")

    transport = httpx.MockTransport(handler)
    assert reason_of("http://127.0.0.1/f", policy=NOTHING_ALLOWED, transport=transport) == (
        "address 127.0.0.1 is not allowed (loopback)"
    )
    assert requested == []


def test_default_cap_is_20_mib_on_a_streamed_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        chunks = (b"\0" * (1024 * 1024) for _ in range(21))
        return httpx.Response(200, content=chunks)  # no Content-Length: only the streamed cap stops it

    transport = httpx.MockTransport(handler)
    assert reason_of(f"http://{PUBLIC_IP}/big", policy=NOTHING_ALLOWED, transport=transport) == (
        "file is larger than 20 MiB"
    )


def test_exactly_at_the_cap_is_accepted() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"y" * 1024))
    got = fetch_file(f"http://{PUBLIC_IP}/f", policy=NOTHING_ALLOWED, transport=transport, max_bytes=1024)
    assert len(got.data) == 1024


def test_slow_dns_counts_against_the_total_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck_resolver(*args: object, **kwargs: object) -> list[object]:
        release.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", stuck_resolver)
    try:
        started = time.monotonic()
        reason = reason_of("https://slow-dns.example.test/f.pdf", policy=NOTHING_ALLOWED, timeout=0.5)
        elapsed = time.monotonic() - started
    finally:
        release.set()
    assert reason == "timed out after 0.5 s"
    assert elapsed < 1.5


def test_international_names_are_checked_in_the_form_that_is_connected(fake_dns) -> None:
    # Python's resolver would encode straße.de as strasse.de (IDNA 2003); the client connects to the
    # IDNA 2008 name xn--strae-oqa.de. The check must look at the name actually connected.
    lookups = fake_dns("xn--strae-oqa.de", [["127.0.0.1"]])
    fake_dns("strasse.de", [[PUBLIC_IP]])
    with pytest.raises(EgressDeniedError, match="loopback"):
        check_url("http://straße.de/", policy=NOTHING_ALLOWED)
    assert lookups == ["xn--strae-oqa.de"]
