"""The one place a webhook leaves the machine: a POST with a timeout, following no redirect, to an
address checked first. Private, loopback, link-local and other non-public addresses are refused
unless WEBHOOKS_ALLOW_PRIVATE is set (a receiver on the same network, the tests): otherwise anyone
allowed to add an endpoint could make the server call its own internal services. The connection
goes to the very address that was checked (the name is not resolved twice), so a DNS answer that
changes between the check and the request cannot point it elsewhere; TLS still verifies the name."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

RESPONSE_KEPT = 1024  # bytes of the answer kept in the delivery log


class AddressRefused(Exception):
    """The URL cannot be called: its message says why, in words for the person who typed it."""


@dataclasses.dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def url_target(url: str) -> Target:
    """The URL's parts, or AddressRefused when it is not an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressRefused(_("This is not a valid URL.")) from error
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(_("Use an http:// or https:// URL."))
    if not parts.hostname:
        raise AddressRefused(_("The URL has no host."))
    if parts.username or parts.password:
        raise AddressRefused(_("Put no user name or password in the URL; verify the signature instead."))
    if port == 0:
        raise AddressRefused(_("Port 0 cannot be called."))
    if any(ch.isspace() for ch in url):
        raise AddressRefused(_("A URL has no spaces; write them as %20."))
    # The request line is ASCII: a path or query in other letters is sent percent-encoded (UTF-8),
    # as a browser sends it; what is encoded already stays as it is.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=?~")
    return Target(scheme=parts.scheme, host=parts.hostname,
                  port=port if port is not None else (443 if parts.scheme == "https" else 80), path=path)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64, compatible):
    a gateway on the way may deliver to them."""
    embedded = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ip for ip in embedded if ip is not None]


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address):
        candidates += _embedded_ipv4(address)
    return any(not ip.is_global or ip.is_multicast for ip in candidates)


def resolve(target: Target) -> str:
    """The address to connect to: the host's first address, every one of which must be public
    (unless private ones are allowed)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(_("The host %(host)s cannot be resolved.") % {"host": target.host}) from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise AddressRefused(_("The host %(host)s cannot be resolved.") % {"host": target.host})
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if _refused(ipaddress.ip_address(address.split("%")[0])):
                raise AddressRefused(_("%(host)s resolves to %(address)s, a private, loopback or reserved address; "
                                       "webhooks go only to public addresses.") % {"host": target.host,
                                                                                    "address": address})
    return addresses[0]


def url_check(url: str) -> None:
    """Raise AddressRefused when a webhook could not be sent to this URL."""
    resolve(url_target(url))


class _Deadline:
    """The moment an exchange ends, whatever it is doing then (connecting, the TLS handshake, sending,
    waiting for headers or reading the body): a timer shuts the connection down through a descriptor
    of our own. Not through http.client's: it drops its reference (connection.sock = None) as soon as
    an answer will close the connection, and closes its descriptor when it likes, while the number
    could be reused; ours stays open until end()."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._over = False
        self._twin: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        """Seconds until the deadline (a little above 0 once it has passed: a 0 timeout means non-blocking)."""
        return max(self.at - time.monotonic(), 0.01)

    def watch(self, sock: socket.socket) -> None:
        """Take the connection's socket under the deadline (cut at once if time is already up)."""
        twin = sock.dup()
        with self._lock:
            self._twin = twin
            if self.expired:
                self._shut()

    def _expire(self) -> None:
        with self._lock:
            if not self._over:
                self.expired = True
                self._shut()

    def _shut(self) -> None:
        if self._twin is not None:  # shutdown acts on the connection, so every descriptor's blocked call returns
            with contextlib.suppress(OSError):
                self._twin.shutdown(socket.SHUT_RDWR)

    def end(self) -> bool:
        """Stop watching; True when the time ran out first."""
        with self._lock:
            self._over = True
            self._timer.cancel()
            twin, self._twin = self._twin, None
        if twin is not None:
            twin.close()
        return self.expired


def _pinned_socket(connection: _PinnedHTTP | _PinnedHTTPS) -> socket.socket:
    """A TCP connection to the checked address, under the exchange's deadline from its first byte."""
    sock = socket.create_connection((connection.address, connection.port), connection.deadline.left())
    # Each read's own timeout comes after the deadline, so the deadline is what ends a call (its
    # error and what came are kept); the read's timeout is left as a back-stop.
    sock.settimeout(connection.deadline.left() + 1)
    connection.deadline.watch(sock)
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=deadline.left())
        self.address, self.deadline = address, deadline

    def connect(self) -> None:
        self.sock = _pinned_socket(self)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=deadline.left(), context=ssl.create_default_context())
        self.address, self.deadline = address, deadline

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(_pinned_socket(self), server_hostname=self.host)


@dataclasses.dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: str
    duration_ms: int
    error: str = ""

    @property
    def accepted(self) -> bool:
        """A 2xx whose status and headers came in time (post: its body may have been cut short)."""
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST body to url and answer what came back, or the error (refused address, timeout,
    connection refused, TLS, a broken answer) — never raises for the receiver's faults. The whole
    exchange (connect, TLS, send, status, headers, the kept part of the body) gets WEBHOOKS_TIMEOUT
    seconds, however slowly the receiver drips its answer. Running out of time is an error, but for a
    2xx whose status and headers came in time: the receiver has accepted the message, and a body
    that stalls after them only cuts what the log keeps."""
    started = time.monotonic()
    timeout = settings.WEBHOOKS_TIMEOUT

    def answer(status_code: int | None, text: str = "", error: str = "") -> Answer:
        return Answer(status_code=status_code, body=text, duration_ms=int((time.monotonic() - started) * 1000),
                      error=error[:500])

    try:
        target = url_target(url)
        address = resolve(target)
    except AddressRefused as refusal:
        return answer(None, error=str(refusal))
    deadline = _Deadline(timeout)
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target.host, target.port, address, deadline)
    status: int | None = None
    text, failure, verdict_in_time = "", None, False
    response: http.client.HTTPResponse | None = None
    try:
        sent_headers = {**headers, "user-agent": "Clientpanel-Webhooks/1", "content-length": str(len(body))}
        connection.request("POST", target.path, body=body, headers=sent_headers)
        response = connection.getresponse()
        status = response.status
        verdict_in_time = not deadline.expired  # the status and every header came before the deadline
        text = _read_some(response)
    except Exception as error:  # the receiver's fault or the network's: a failed attempt, never a crash
        failure = error
    finally:
        expired = deadline.end()
        if response is not None:
            response.close()
        connection.close()
    if expired or isinstance(failure, TimeoutError):
        if status is None:
            return answer(None, error=_("No answer within %(seconds)s seconds.") % {"seconds": timeout})
        if verdict_in_time and 200 <= status < 300:
            return answer(status, text)  # accepted in time; a body that stalls after is only for the log
        late = _("The receiver answered %(status)s, but the rest of its answer did not come within %(seconds)s "
                 "seconds.") % {"status": status, "seconds": timeout}
        return answer(status, text, error=late)
    if failure is not None:
        return answer(status, text, error=f"{type(failure).__name__}: {failure}")
    return answer(status, text)


def _read_some(response: http.client.HTTPResponse) -> str:
    """The answer's first kilobyte, as much of it as comes before the receiver stalls, breaks off or
    the deadline cuts the connection."""
    try:
        data = response.read(RESPONSE_KEPT)
    except http.client.IncompleteRead as cut:  # a chunked answer cut short: keep its chunks
        data = cut.partial
    except TimeoutError:
        raise  # out of time: the attempt fails
    except Exception:  # the status is what counts; the body is only for the log
        data = b""
    return data.decode("utf-8", errors="replace")
