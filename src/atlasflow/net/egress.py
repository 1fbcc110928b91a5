"""The egress guard: every outbound request (file download, auth_url, callback_url) passes through here.

Callers choose these URLs, so the guard resolves the host once, refuses every address that is not
publicly routable unless the operator allow-listed it, and then connects to exactly the address it
checked — a DNS answer that changes between check and connect (rebinding) cannot redirect the socket.
TLS still uses the original hostname for SNI and certificate verification, and the Host header is
untouched. Redirects are never followed by the client; `fetch_file` follows them itself, one checked
hop at a time.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import structlog

from atlasflow.errors import AtlasError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})
MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_MAX_URL_LENGTH = 8192  # pre-signed S3 URLs are long, but not this long
_WRITE_CHUNK = 64 * 1024

_log = structlog.get_logger(__name__)


class EgressDeniedError(AtlasError):
    """The egress policy refuses this URL; `reason` is plain text fit for an API error message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HostLookupError(EgressDeniedError):
    """The host name did not resolve. Refused, because an address we cannot see we cannot check."""


class HostLookupTimeoutError(HostLookupError):
    """The resolver did not answer in time."""


class DownloadError(AtlasError):
    """Fetching a file failed, for any reason; `reason` is plain text for the document's error_reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- which addresses are refused -------------------------------------------------------------------

# Instance-metadata endpoints hand out cloud credentials: named apart so the refusal says so.
_CLOUD_METADATA = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task credentials
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    }
)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # Linux connects 0.0.0.0 to the local host
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, often internal
_RFC1918_AND_ULA = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo, IPv4-compatible)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` may not be contacted ("loopback", "private", ...), or None when it is public."""
    embedded = _embedded_ipv4(address)
    if isinstance(address, ipaddress.IPv6Address) and embedded is not None:
        inner = address_refusal(embedded)
        if inner is not None:
            return inner
        # Mapped and NAT64 addresses reach exactly the embedded IPv4 host, which is public.
        if address.ipv4_mapped is not None or address in _NAT64:
            return None
    if address in _CLOUD_METADATA:
        return "cloud metadata"
    if address.is_unspecified or address in _THIS_NETWORK:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if any(address.version == n.version and address in n for n in _RFC1918_AND_ULA):
        return "private"
    if address in _SHARED_ADDRESS_SPACE:
        return "shared address space"
    if address.is_reserved:
        return "reserved"
    if address.is_private or not address.is_global:
        return "not publicly routable"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "site-local"
    return None


@dataclass(frozen=True)
class EgressPolicy:
    """Which non-public networks the operator allows (e.g. a lender's callback receiver on a LAN)."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_env_value(cls, value: str | None) -> EgressPolicy:
        """Parse "127.0.0.0/8,::1/128" (commas or spaces); empty means nothing extra is allowed."""
        if value is None or not value.strip():
            return cls()
        networks: list[IPNetwork] = []
        for item in re.split(r"[,\s]+", value.strip()):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"egress allow-list entry {item!r} is not an IP address or network") from exc
        return cls(allow=tuple(networks))

    def permits(self, address: IPAddress) -> bool:
        """True when `address` (or the IPv4 address it embeds) is inside an allow-listed network."""
        candidates: list[IPAddress] = [address]
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            candidates.append(embedded)
        return any(c.version == n.version and c in n for c in candidates for n in self.allow)


def check_address(address: IPAddress, *, policy: EgressPolicy) -> None:
    """Raise EgressDeniedError unless the policy allows contacting `address`."""
    if policy.permits(address):
        return
    why = address_refusal(address)
    if why is not None:
        _log.info("egress.refused", reason=why)
        raise EgressDeniedError(f"address {_show(address)} is not allowed ({why})")


def _show(address: IPAddress) -> str:
    # Python prints ::ffff:127.0.0.1 as ::ffff:7f00:1; show it the way it was probably written.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


# --- URLs and name resolution -------------------------------------------------------------------

# inet_aton accepts 2130706433, 0x7f.1 and 0177.0.0.1 as 127.0.0.1, and so does the C resolver;
# we apply those semantics ourselves so the address we check is the address libc would use.
_NUMERIC_HOST = re.compile(r"[0-9][0-9a-fA-FxX.]*")


def _ip_literal(host: str) -> IPAddress | None:
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


# getaddrinfo cannot be interrupted, so it runs on a small pool and we stop waiting for it at the
# deadline (or after _LOOKUP_TIMEOUT): a slow resolver must not stretch a download past its timeout.
_LOOKUP_TIMEOUT = 10.0
_lookups: ThreadPoolExecutor | None = None
_lookups_lock = threading.Lock()


def _lookup_pool() -> ThreadPoolExecutor:
    global _lookups
    with _lookups_lock:
        if _lookups is None:
            _lookups = ThreadPoolExecutor(max_workers=8, thread_name_prefix="egress-dns")
        return _lookups


def _forget_pool_after_fork() -> None:
    # A forked worker inherits the pool object but not its threads: it must start its own.
    global _lookups, _lookups_lock
    _lookups = None
    _lookups_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_after_fork)


def _lookup(host: str, port: int) -> list[Any]:
    end = _deadline.get()
    wait = _LOOKUP_TIMEOUT if end is None else min(_LOOKUP_TIMEOUT, end - time.monotonic())
    if wait <= 0:
        raise HostLookupTimeoutError("timed out resolving host")
    future = _lookup_pool().submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return future.result(timeout=wait)
    except FutureTimeoutError as exc:
        future.cancel()
        raise HostLookupTimeoutError("timed out resolving host") from exc


def resolve_host(host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address `host` resolves to, in resolver order; raises HostLookupError if none."""
    literal = _ip_literal(host)
    if literal is not None:
        return (literal,)
    try:
        infos = _lookup(host, port)
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        raise HostLookupError("could not resolve host") from exc
    addresses: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise HostLookupError("could not resolve host")
    return tuple(addresses)


def resolve_checked(host: str, port: int, *, policy: EgressPolicy) -> tuple[IPAddress, ...]:
    """Resolve once and check ALL answers: one bad address refuses the host (round-robin rebinding)."""
    addresses = resolve_host(host, port)
    for address in addresses:
        check_address(address, policy=policy)
    return addresses


def _parse_url(url: str | httpx.URL) -> httpx.URL:
    if isinstance(url, httpx.URL):
        return url
    if not isinstance(url, str) or not url.strip():
        raise EgressDeniedError("URL is empty")
    if len(url) > _MAX_URL_LENGTH:
        raise EgressDeniedError("URL is too long")
    try:
        return httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise _unparsable_url_error(url) from exc


def _unparsable_url_error(url: str) -> EgressDeniedError:
    """httpx rejects some numeric hosts (0177.0.0.1) that libc accepts; name the address they mean."""
    with contextlib.suppress(ValueError):
        host = urlsplit(url.strip()).hostname or ""
        literal = _ip_literal(host) if _NUMERIC_HOST.fullmatch(host) else None
        if literal is not None:
            why = address_refusal(literal)
            if why is not None:
                return EgressDeniedError(f"address {literal} (written {host}) is not allowed ({why})")
    return EgressDeniedError("URL is malformed")


def _check_url_shape(url: httpx.URL) -> tuple[str, int]:
    """Scheme, credentials and host checks that need no DNS; returns (host, port)."""
    scheme = url.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise EgressDeniedError(f"scheme {scheme or '(none)'} is not allowed")
    # userinfo is how "http://trusted.example@127.0.0.1/" fools a human reader; nothing legitimate needs it.
    if url.userinfo:
        raise EgressDeniedError("credentials in the URL are not allowed")
    # The encoded (IDNA 2008) name is what the connection pool resolves; check that same name,
    # not the Unicode form, which Python's resolver would encode differently (straße.de).
    host = url.raw_host.decode("ascii")
    if not host:
        raise EgressDeniedError("URL has no host")
    port = url.port or (443 if scheme == "https" else 80)
    return host, port


def check_url(url: str, *, policy: EgressPolicy) -> None:
    """Raise EgressDeniedError unless `url` is http(s), carries no credentials, and every address its
    host resolves to is public or allow-listed. Used to reject auth_url/callback_url up front (422)."""
    host, port = _check_url_shape(_parse_url(url))
    resolve_checked(host, port, policy=policy)


# --- a total deadline for every network operation in a block --------------------------------------

_deadline: ContextVar[float | None] = ContextVar("atlasflow_egress_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound the total wall time of all guarded network I/O inside the block (per-read timeouts alone
    let a server trickle one byte a second forever)."""
    end = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _deadline.reset(token)


def deadline_passed() -> bool:
    end = _deadline.get()
    return end is not None and time.monotonic() >= end


def _clamp(timeout: float | None, expired: type[Exception]) -> float | None:
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("deadline exceeded")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """Clamps every socket operation's timeout to what is left of the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # Chunked so a receiver that drains slowly cannot stretch one write past the deadline.
        for start in range(0, len(buffer), _WRITE_CHUNK):
            self._inner.write(buffer[start : start + _WRITE_CHUNK], _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _clamp(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


# --- the transport --------------------------------------------------------------------------------


class _PinnedBackend(httpcore.NetworkBackend):
    """Resolves the host once, checks every answer, and opens the socket to a checked address."""

    def __init__(self, policy: EgressPolicy) -> None:
        self._policy = policy
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve_checked(host, port, policy=self._policy)
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                # An IP literal: the socket layer does no further name resolution.
                stream = self._sockets.connect_tcp(
                    str(address),
                    port,
                    timeout=_clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        assert failure is not None  # resolve_checked never returns an empty tuple
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise EgressDeniedError("unix sockets are not allowed")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _PinnedHTTPTransport(httpx.HTTPTransport):
    def __init__(self, *, policy: EgressPolicy, verify: ssl.SSLContext | bool) -> None:
        ssl_context = httpx.create_ssl_context(verify=verify)
        super().__init__(verify=ssl_context)
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=5)
        # httpx has no parameter for the network backend, but httpcore's pool takes one: replace the
        # pool httpx built with one whose sockets go through the pinned backend. No proxy is used,
        # on purpose — a proxy would resolve the name again where we cannot check it.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(policy),
        )


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that applies the egress policy to every request it sends.

    Without `transport`, sockets are opened by the pinned backend (resolve once, check, connect to
    the checked address). With `transport` (tests: httpx.MockTransport) no socket is opened, so the
    URL host is resolved and checked here before the request is handed over.
    """

    def __init__(
        self,
        *,
        policy: EgressPolicy,
        transport: httpx.BaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._policy = policy
        self._inner = transport or _PinnedHTTPTransport(policy=policy, verify=verify)
        self._pinned = transport is None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host, port = _check_url_shape(request.url)
        if not self._pinned:
            resolve_checked(host, port, policy=self._policy)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def guarded_client(
    *,
    policy: EgressPolicy,
    timeout: float,
    transport: httpx.BaseTransport | None = None,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Client:
    """An httpx.Client whose every request passes the egress guard and which never follows redirects.

    `verify` is the TLS trust (default: the system's CA bundle); tests pass a context for a local CA.
    """
    return httpx.Client(
        transport=GuardedTransport(policy=policy, transport=transport, verify=verify),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,  # no proxies or .netrc from the environment: they would bypass the checks
        headers={"User-Agent": "atlasflow"},
    )


def describe_transport_error(exc: BaseException) -> str:
    """A plain reason for an httpx/httpcore failure ("connection refused", ...), without URLs."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, ConnectionRefusedError):
            return "connection refused"
        if isinstance(link, ssl.SSLCertVerificationError):
            return "TLS certificate verification failed"
        if isinstance(link, ssl.SSLError):
            return "TLS handshake failed"
        if isinstance(link, socket.gaierror):
            return "could not resolve host"
        link = link.__cause__ or link.__context__
    if isinstance(exc, httpx.TimeoutException | httpcore.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError | httpcore.ConnectError):
        return "could not connect"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "the connection was closed or the response was malformed"
    return f"request failed ({type(exc).__name__})"


# --- downloading a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchedFile:
    data: bytes
    content_type: str | None
    final_url: str


_HTTP_HINTS = {
    400: "bad request",
    401: "authentication required",
    403: "access denied — expired pre-signed URL?",
    404: "not found",
    410: "gone",
    429: "rate limited",
}


def _http_reason(status: int) -> str:
    hint = _HTTP_HINTS.get(status) or ("server error" if status >= 500 else "")
    return f"HTTP {status} from file host ({hint})" if hint else f"HTTP {status} from file host"


def _size_text(max_bytes: int) -> str:
    mib, kib = 1024 * 1024, 1024
    if max_bytes % mib == 0:
        return f"{max_bytes // mib} MiB"
    if max_bytes % kib == 0:
        return f"{max_bytes // kib} KiB"
    return f"{max_bytes} bytes"


def fetch_file(
    url: str,
    *,
    policy: EgressPolicy,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> FetchedFile:
    """Download `url` through the egress guard, following at most 5 checked redirects.

    `timeout` bounds the whole download (connect, headers, every redirect and the body), and the
    body is cut off past `max_bytes`. Every failure, including a policy refusal, is a DownloadError
    with a plain reason (the refusal is chained as its __cause__).
    """
    timed_out = f"timed out after {timeout:g} s"
    with deadline(timeout), guarded_client(policy=policy, timeout=timeout, transport=transport) as client:
        try:
            return _fetch(client, _parse_url(url), max_bytes=max_bytes, timed_out=timed_out)
        except HostLookupTimeoutError as exc:
            raise DownloadError(timed_out) from exc
        except EgressDeniedError as exc:
            raise DownloadError(exc.reason) from exc
        except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
            raise DownloadError(timed_out) from exc
        except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise DownloadError(describe_transport_error(exc)) from exc


def _fetch(client: httpx.Client, url: httpx.URL, *, max_bytes: int, timed_out: str) -> FetchedFile:
    for _hop in range(MAX_REDIRECTS + 1):
        _check_url_shape(url)
        # identity: the size cap then applies to the bytes on the wire, and we store what was served.
        request = client.build_request("GET", url, headers={"Accept-Encoding": "identity"})
        response = client.send(request, stream=True)
        try:
            if response.is_redirect:
                try:
                    url = response.url.join(response.headers["location"])
                except (httpx.InvalidURL, ValueError) as exc:
                    raise DownloadError("redirect to a malformed URL") from exc
                continue
            if not response.is_success:
                raise DownloadError(_http_reason(response.status_code))
            data = _read_capped(response, max_bytes=max_bytes, timed_out=timed_out)
            return FetchedFile(
                data=data, content_type=response.headers.get("content-type"), final_url=str(response.url)
            )
        finally:
            response.close()
    raise DownloadError("too many redirects")


def _read_capped(response: httpx.Response, *, max_bytes: int, timed_out: str) -> bytes:
    too_large = f"file is larger than {_size_text(max_bytes)}"
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise DownloadError(too_large)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise DownloadError(too_large)
        chunks.append(chunk)
        if deadline_passed():
            raise DownloadError(timed_out)
    if size == 0:
        raise DownloadError("file host returned an empty file")
    return b"".join(chunks)
