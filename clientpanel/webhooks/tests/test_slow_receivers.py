"""WEBHOOKS_TIMEOUT bounds the whole delivery, whatever a real (local, raw TCP) receiver does: slow
headers, a body dripped with or without Connection: close, with a length, chunked or none, a huge
header block, an answer that never ends, a TLS handshake that crawls. Each byte comes well within
the per-read timeout, so only a deadline on the whole exchange ends these; running out of time is
a failed attempt that keeps the status and what came of the body."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import pytest

from clientpanel.clients.services import client_create
from clientpanel.core.outbox import outbox_drain
from clientpanel.webhooks import services, transport
from clientpanel.webhooks.models import MessageStatus, WebhookAttempt, WebhookMessage
from conftest import client_data

pytestmark = pytest.mark.django_db

TIMEOUT = 1.0
MARGIN = 0.6  # the attempt's own bound; the drain around it may add its database work
GAP = 0.15  # between two dripped pieces: far below the per-read timeout


class RawReceiver:
    """127.0.0.1, one thread per connection: reads the request (unless tls), then runs answer(conn, stop)."""

    def __init__(self, answer, tls: bool = False) -> None:
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(5)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.listener.getsockname()[1]}/hooks"
        self.answer, self.tls = answer, tls
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            request = b""
            while not self.tls and b"\r\n\r\n" not in request:
                request += conn.recv(65536)
            if not self.tls:  # the whole request, so that closing sends no reset over the answer
                head, _, body = request.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                while len(body) < length:
                    body += conn.recv(65536)
            self.answer(conn, self.stop)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


def drip(conn: socket.socket, stop: threading.Event, head: bytes, pieces) -> None:
    """Send head at once, then each piece after a short pause, until stopped (at most ~10 s)."""
    conn.sendall(head)
    for piece in pieces:
        if stop.wait(GAP):
            return
        conn.sendall(piece)


def endless(piece: bytes, times: int = 70):
    return (piece for _ in range(times))


def slow_headers(conn, stop):
    drip(conn, stop, b"HTTP/1.1 200 OK\r\n", (f"X-Slow-{n}: {n}\r\n".encode() for n in range(70)))


def huge_header_block(conn, stop):  # 60 headers of 8 KB, within http.client's limits, dripped
    drip(conn, stop, b"HTTP/1.1 200 OK\r\n", (f"X-Pad-{n}: ".encode() + b"p" * 8000 + b"\r\n" for n in range(60)))


def body_then_close(conn, stop):
    drip(conn, stop, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", endless(b"a"))


def body_with_length(conn, stop):
    drip(conn, stop, b"HTTP/1.1 200 OK\r\nContent-Length: 700\r\n\r\n", endless(b"b"))


def body_without_length(conn, stop):
    drip(conn, stop, b"HTTP/1.1 202 Accepted\r\n\r\n", endless(b"c"))


def chunked_body(conn, stop):
    drip(conn, stop, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", endless(b"1\r\nd\r\n"))


def never_closes(conn, stop):
    drip(conn, stop, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nok", ())
    stop.wait(10)


def silent(conn, stop):
    stop.wait(10)


# What each leaves in the log: the status read (the status line came, even when its headers did
# not end) and what the kept body is made of.
KEPT = {slow_headers: (200, ""), huge_header_block: (200, ""), silent: (None, ""), body_then_close: (200, "a"),
        body_with_length: (200, "b"), body_without_length: (202, "c"), chunked_body: (200, "d"),
        never_closes: (200, "ok")}


def deliver_once(staff, url: str) -> tuple[float, WebhookAttempt]:
    services.endpoint_create(actor=staff, data={"url": url})
    client_create(actor=staff, data=client_data())
    started = time.monotonic()
    outbox_drain()
    return time.monotonic() - started, WebhookAttempt.objects.get()


# A 2xx whose status and headers came in time is delivered however its body stalls after them.
ACCEPTED_IN_TIME = {body_then_close, body_with_length, body_without_length, chunked_body, never_closes}


@pytest.mark.parametrize("answer", KEPT)
def test_a_slow_receiver_gets_the_timeout_for_the_whole_call(staff, settings, answer):
    settings.WEBHOOKS_TIMEOUT = TIMEOUT
    receiver = RawReceiver(answer)
    try:
        elapsed, attempt = deliver_once(staff, receiver.url)
    finally:
        receiver.close()
    assert attempt.duration_ms < (TIMEOUT + MARGIN) * 1000 and elapsed < TIMEOUT + 2 * MARGIN
    assert attempt.duration_ms >= TIMEOUT * 1000 * 0.9  # ended by the deadline, not by an error
    status, piece = KEPT[answer]
    assert attempt.status_code == status and set(attempt.response_body) == set(piece)  # what came is kept
    if piece:
        assert attempt.response_body
    if answer in ACCEPTED_IN_TIME:
        assert attempt.succeeded and attempt.error == ""
        assert WebhookMessage.objects.get().status == MessageStatus.DELIVERED
        return
    assert not attempt.succeeded and WebhookMessage.objects.get().status == MessageStatus.RETRYING
    if status is None:
        assert attempt.error == f"No answer within {TIMEOUT} seconds."
    else:
        assert attempt.error == (f"The receiver answered {status}, but the rest of its answer did not come "
                                 f"within {TIMEOUT} seconds.")


def test_a_tls_handshake_that_crawls_is_cut_at_the_deadline(settings):
    settings.WEBHOOKS_TIMEOUT = TIMEOUT

    def crawl(conn, stop):  # a TLS record header promising 16 KB of handshake, then a byte at a time
        drip(conn, stop, b"\x16\x03\x03\x40\x00", endless(b"\x00"))

    receiver = RawReceiver(crawl, tls=True)
    try:
        started = time.monotonic()
        answer = transport.post(receiver.url, b"{}", {})
        elapsed = time.monotonic() - started
    finally:
        receiver.close()
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + MARGIN
    assert answer.status_code is None and answer.error == f"No answer within {TIMEOUT} seconds."


def test_too_many_headers_at_once_fail_at_once_with_the_reason(settings):
    settings.WEBHOOKS_TIMEOUT = TIMEOUT
    block = b"HTTP/1.1 200 OK\r\n" + b"".join(f"X-{n}: {n}\r\n".encode() for n in range(150)) + b"\r\n"
    receiver = RawReceiver(lambda conn, stop: drip(conn, stop, block, ()) or stop.wait(10))
    try:
        answer = transport.post(receiver.url, b"{}", {})
    finally:
        receiver.close()
    assert answer.duration_ms < 500 and answer.status_code is None and not answer.accepted
    assert "got more than 100 headers" in answer.error


def test_a_quick_answer_is_not_cut_and_its_deadline_leaves_no_socket_open(settings):
    settings.WEBHOOKS_TIMEOUT = TIMEOUT

    def quick(conn, stop):
        drip(conn, stop, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthanks", ())

    receiver = RawReceiver(quick)
    open_before = len(os.listdir("/proc/self/fd"))
    try:
        answers = [transport.post(receiver.url, b"{}", {}) for _ in range(3)]
        time.sleep(TIMEOUT + 0.2)  # a deadline left running would fire now, on nothing of ours
        open_after = len(os.listdir("/proc/self/fd"))
    finally:
        receiver.close()
    assert [(a.status_code, a.body, a.error, a.accepted) for a in answers] == [(200, "thanks", "", True)] * 3
    assert open_after <= open_before
