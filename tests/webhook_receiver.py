"""A real HTTP receiver of webhooks for the tests and bench/webhooks.py: it listens on 127.0.0.1,
verifies each request's Standard Webhooks signature with the `standardwebhooks` library, keeps
what it received, and answers the statuses it is told to (200 once its script runs out)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    message_id: str
    event: str
    body: dict
    verified: bool
    path: str
    status: int


class Receiver:
    def __init__(self) -> None:
        self.secret: str | None = None
        self.received: list[Received] = []
        self.script: deque[int | float] = deque()  # statuses to answer, or seconds to stall
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.lock:
                    step = receiver.script.popleft() if receiver.script else 200
                if isinstance(step, float):
                    time.sleep(step)
                    step = 200
                verified = False
                if receiver.secret:
                    try:
                        Webhook(receiver.secret).verify(raw, dict(self.headers.items()))
                        verified = True
                    except WebhookVerificationError:
                        verified = False
                body = json.loads(raw)
                with receiver.lock:
                    receiver.received.append(Received(message_id=self.headers["webhook-id"], event=body["type"],
                                                      body=body, verified=verified, path=self.path,
                                                      status=step))
                self.send_response(step)
                if step in (301, 302, 307, 308):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if step < 300 else b"not now: " + b"x" * 3000)

            def log_message(self, *args) -> None:
                """Silent: a line per request on stderr would drown the output."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def accepted(self) -> list[Received]:
        """What the receiver took (answered 2xx)."""
        with self.lock:
            return [item for item in self.received if 200 <= item.status < 300]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
