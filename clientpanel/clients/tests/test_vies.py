"""The VIES adapter against a real local HTTP server standing in for the EU service."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client
from clientpanel.clients.services import client_update, client_vies_check
from clientpanel.tax.vies import check_vat


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
        payload = json.dumps(answer).encode()
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


def test_adapter_answers_valid_invalid_and_error(vies):
    vies.answers = {"PL5260250995": {"valid": True}, "DE136695976": {"valid": False},
                    "FR40303265045": "boom", "IT00743110157": {"actionSucceed": False, "errorWrappers": []}}
    assert check_vat("PL5260250995") == "VALID"
    assert vies.seen[0] == {"countryCode": "PL", "vatNumber": "5260250995"}
    assert check_vat("DE136695976") == "INVALID"
    assert check_vat("FR40303265045") == "ERROR"
    assert check_vat("IT00743110157") == "ERROR"


def test_a_hanging_service_times_out_as_error(vies):
    vies.answers = {"PL5260250995": "hang"}
    started = time.monotonic()
    assert check_vat("PL5260250995") == "ERROR"
    assert time.monotonic() - started < 2.5


@pytest.mark.django_db
def test_job_records_status_and_time_and_a_new_tax_id_resets_it(vies, make_client):
    vies.answers = {"PL5260250995": {"valid": True}}
    client = make_client(tax_id="PL5260250995")
    assert client_vies_check(client_id=client.pk) == "VALID"
    client.refresh_from_db()
    assert client.vies_status == "VALID" and client.vies_checked_at is not None
    assert AuditEvent.objects.filter(action="client.vies_check").get().changes == {"vies_status": ["UNCHECKED",
                                                                                                   "VALID"]}
    client_update(actor=None, client_id=client.pk, data={"tax_id": "PL7740001454"})
    client.refresh_from_db()
    assert client.vies_status == "UNCHECKED"


@pytest.mark.django_db
def test_unreachable_vies_records_error_and_never_blocks(settings, make_client):
    settings.VIES_URL = "http://127.0.0.1:9/nothing-listens-here"
    client = make_client(tax_id="PL5260250995")
    assert client_vies_check(client_id=client.pk) == "ERROR"
    assert Client.objects.get(pk=client.pk).vies_status == "ERROR"


@pytest.mark.django_db(transaction=True)
def test_check_vies_button_queues_the_job(vies, client, make_client):
    from clientpanel.accounts.services import staff_create

    vies.answers = {"PL5260250995": {"valid": True}}
    target = make_client(tax_id="PL5260250995")
    client.force_login(staff_create(email="s@example.com", password="correct-horse-battery",
                                    roles=["Administrator"]))
    response = client.post(reverse("backoffice:client-vies-check", args=[target.pk]), follow=True)
    assert "VIES check queued" in response.content.decode()
    # Tests run Huey in immediate mode (set explicitly), so the job has run by now.
    assert Client.objects.get(pk=target.pk).vies_status == "VALID"
