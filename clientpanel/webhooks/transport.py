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


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


@dataclasses.dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: str
    duration_ms: int
    error: str = ""


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST body to url and answer what came back, or the error (refused address, timeout,
    connection refused, TLS, a broken answer) — never raises for the receiver's faults. The whole
    exchange gets WEBHOOKS_TIMEOUT seconds (a watchdog closes the socket then, however slowly the
    receiver drips its answer); a status received is kept even if the body then stalls."""
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
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target.host, target.port, address, timeout)
    watchdog = threading.Timer(timeout, _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    status: int | None = None
    try:
        sent_headers = {**headers, "user-agent": "Clientpanel-Webhooks/1", "content-length": str(len(body))}
        connection.request("POST", target.path, body=body, headers=sent_headers)
        response = connection.getresponse()
        status = response.status
        return answer(status, _read_some(response))
    except Exception as error:  # the receiver's fault or the network's: a failed attempt, never a crash
        if status is None and (isinstance(error, TimeoutError) or time.monotonic() - started >= timeout):
            return answer(None, error=_("No answer within %(seconds)s seconds.") % {"seconds": timeout})
        return answer(status, error=f"{type(error).__name__}: {error}")
    finally:
        watchdog.cancel()
        connection.close()


def _read_some(response: http.client.HTTPResponse) -> str:
    """The answer's first kilobyte, as much of it as comes before the receiver stalls or the
    deadline cuts the connection."""
    try:
        data = response.read(RESPONSE_KEPT)
    except Exception:  # the status is what counts; the body is only for the log
        data = b""
    return data.decode("utf-8", errors="replace")


def _cut(connection: http.client.HTTPConnection) -> None:
    """The deadline: end the exchange by shutting its socket (the blocked read returns)."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
