"""A real local HTTP server standing in for the EU's VIES service; the `vies` fixture points
VIES_URL at it (root conftest.py offers it to every test)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeVies(BaseHTTPRequestHandler):
    answers: dict[str, object] = {}
    seen: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeVies.seen.append(body)
        answer = FakeVies.answers.get(body["countryCode"] + body["vatNumber"], {"valid": False})
        if answer == "hang":
            time.sleep(3)
            answer = {"valid": True}
        if answer == "boom":
            self.send_response(500)
            self.end_headers()
            return
        payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()  # bytes: sent as they are
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        """Quiet: the test output is for the tests."""


@pytest.fixture
def vies(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeVies)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.VIES_URL = f"http://127.0.0.1:{server.server_port}/check-vat-number"
    settings.VIES_TIMEOUT = 1.0
    FakeVies.answers, FakeVies.seen = {}, []
    yield FakeVies
    server.shutdown()
