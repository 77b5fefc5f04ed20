"""localstripe on loopback for the Stripe tests: a real HTTP Stripe emulator the official SDK talks
to, started once per test session on a free port of 127.0.0.1, and Stripe's webhook signature
(`t=<time>,v1=HMAC-SHA256(secret, "<time>.<body>")`) made exactly as Stripe makes it."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SECRET_KEY = "sk_test_localstripe"  # localstripe takes any key; a test key, as the test cards page demands
WEBHOOK_SECRET = "whsec_clientpanel_tests"
KEY_ENV, WEBHOOK_ENV = "CLIENTPANEL_TEST_STRIPE_SECRET_KEY", "CLIENTPANEL_TEST_STRIPE_WEBHOOK_SECRET"

# localstripe's own entry point binds every interface and reloads /tmp/localstripe.pickle; this one
# binds loopback only and keeps its store in memory.
LAUNCHER = """
import sys
from aiohttp import web
from localstripe.resources import store
from localstripe.server import app
store.dump_to_disk = lambda: None
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalStripe:
    def __init__(self, url: str):
        self.url = url

    def settings(self, **extra) -> dict:
        return {"secret_key_env": KEY_ENV, "webhook_secret_env": WEBHOOK_ENV, "api_base": self.url, **extra}

    def get(self, path: str) -> dict:
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"Bearer {SECRET_KEY}"})
        with urllib.request.urlopen(request, timeout=5) as answer:
            return json.loads(answer.read())

    def post(self, path: str, data: dict) -> None:
        request = urllib.request.Request(f"{self.url}{path}", data=json.dumps(data).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).close()

    def event_for(self, kind: str, payment_intent: str) -> dict:
        """The event localstripe recorded (and would send) for this PaymentIntent."""
        for _ in range(50):
            for event in self.get(f"/v1/events?type={kind}&limit=100")["data"]:
                if event["data"]["object"]["id"] == payment_intent:
                    return event
            time.sleep(0.1)
        raise AssertionError(f"localstripe recorded no {kind} for {payment_intent}")

    def send_webhooks_to(self, endpoint_id: str, url: str) -> None:
        self.post(f"/_config/webhooks/{endpoint_id}", {"url": url, "secret": WEBHOOK_SECRET})


def stripe_signature(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends with `body`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


def _unavailable(message: str):
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """localstripe listening on a free loopback port, and the environment naming its key and the
    webhook secret as a real deployment would; stopped at the end of the session."""
    try:
        import localstripe as _package  # noqa: F401
    except ImportError:
        _unavailable("localstripe is not installed: make setup installs it (pyproject.toml, dev)")
    port = _free_port()
    log = Path(tmp_path_factory.mktemp("localstripe")) / "localstripe.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(port)], stdout=output,
                                   stderr=subprocess.STDOUT)
    server = LocalStripe(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 20
    while True:
        try:
            server.get("/v1/customers")
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                _unavailable(f"localstripe did not start: {log.read_text(errors='replace')[-500:]}")
            time.sleep(0.1)
    saved = {name: os.environ.get(name) for name in (KEY_ENV, WEBHOOK_ENV)}
    os.environ[KEY_ENV], os.environ[WEBHOOK_ENV] = SECRET_KEY, WEBHOOK_SECRET
    try:
        yield server
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
