"""The "send_einvoices" job against the local fake KSeF: an invoice issued by a company that sends
through KSeF's API is handed over, then accepted with its KSeF number and UPO; a rejection keeps
KSeF's reason and is sent again once staff ask; KSeF out of reach is tried again later; an answer
lost after KSeF received the file never makes a second KSeF invoice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.einvoices import sending
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.ksef import KsefUnavailable
from clientpanel.einvoices.ksef.api import KsefApiChannel
from clientpanel.einvoices.models import EInvoice, EInvoiceStatus
from clientpanel.einvoices.sending import job_send_einvoices
from clientpanel.einvoices.services import einvoice_send_again
from clientpanel.einvoices.tests.ksef_fake import ksef_fake_fixture  # noqa: F401 — the fixture
from clientpanel.einvoices.tests.test_einvoice_lifecycle import NIP, paid_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(polish_company, ksef_fake, settings, monkeypatch):
    monkeypatch.setenv("KSEF_TOKEN_FOR_TESTS", ksef_fake.token)
    settings.CLIENTPANEL_KSEF_BASE_URL = ksef_fake.url
    einvoice_profile_save(actor=None, company_id=polish_company.pk, format_key="ksef_fa3", ksef_environment="TEST",
                          ksef_token_env="KSEF_TOKEN_FOR_TESTS")
    return ksef_fake


def passes(count: int = 1, *, after: dt.timedelta = dt.timedelta(minutes=1)) -> list[dict]:
    """Run the job `count` times, each a little later (retries and questions fall due)."""
    moment, answers = timezone.now(), []
    for _ in range(count):
        answers.append(job_send_einvoices(now=moment))
        moment += after
    return answers


def test_an_invoice_is_sent_then_accepted_with_its_ksef_number_and_receipt(online, make_client, staff_client):
    invoice = paid_invoice(make_client)
    einvoice = EInvoice.objects.get(document=invoice)
    assert einvoice.status == EInvoiceStatus.MADE and einvoice.next_attempt_at is not None
    first, second = passes(2)
    assert first["sent"] == 1 and second["accepted"] == 1
    einvoice.refresh_from_db()
    assert einvoice.status == EInvoiceStatus.ACCEPTED and einvoice.ksef_number.startswith(f"{NIP}-")
    assert einvoice.next_attempt_at is None and [i.ksef_number for i in online.accepted] == [einvoice.ksef_number]
    receipt = staff_client.get(reverse("backoffice:document-einvoice-upo", args=[invoice.pk]))
    assert receipt.status_code == 200 and einvoice.ksef_number.encode() in receipt.content
    assert passes(1) == [{"sent": 0, "accepted": 0, "rejected": 0, "waiting": 0, "unreachable": 0}]  # nothing more


def test_a_rejection_keeps_ksefs_reason_and_is_sent_again_on_request(online, make_client, staff):
    online.reject_next(450, "Błąd weryfikacji semantyki dokumentu faktury", ["P_15: kwota niezgodna"])
    invoice = paid_invoice(make_client)
    passes(2)
    einvoice = EInvoice.objects.get(document=invoice)
    assert einvoice.status == EInvoiceStatus.REJECTED and "450" in einvoice.error and "P_15" in einvoice.error
    assert einvoice.next_attempt_at is None
    einvoice_send_again(actor=staff, document_id=invoice.pk)
    passes(2)
    einvoice.refresh_from_db()
    assert einvoice.status == EInvoiceStatus.ACCEPTED and len(online.accepted) == 1


def test_ksef_out_of_reach_is_tried_again_later(online, make_client):
    online.fail_next(503, times=2)
    invoice = paid_invoice(make_client)
    passes(1)
    einvoice = EInvoice.objects.get(document=invoice)
    assert einvoice.status == EInvoiceStatus.MADE and einvoice.attempts == 1 and "trying again" in einvoice.error
    retry_at = einvoice.next_attempt_at
    assert job_send_einvoices(now=retry_at - dt.timedelta(seconds=1))["sent"] == 0  # not before its time
    moment = retry_at
    for _ in range(6):
        job_send_einvoices(now=moment)
        einvoice.refresh_from_db()
        if einvoice.status == EInvoiceStatus.ACCEPTED:
            break
        moment = max(moment, einvoice.next_attempt_at or moment) + dt.timedelta(seconds=1)
    assert einvoice.status == EInvoiceStatus.ACCEPTED


def test_an_answer_lost_after_ksef_took_the_file_never_makes_two_ksef_invoices(online, make_client, monkeypatch):
    real_send = KsefApiChannel.send

    def sent_but_answer_lost(self, content, *, seller_nip):
        real_send(self, content, seller_nip=seller_nip)
        raise KsefUnavailable("timed out")

    monkeypatch.setattr(KsefApiChannel, "send", sent_but_answer_lost)
    invoice = paid_invoice(make_client)
    passes(1)
    monkeypatch.setattr(KsefApiChannel, "send", real_send)
    einvoice = EInvoice.objects.get(document=invoice)
    moment = einvoice.next_attempt_at
    for _ in range(4):
        job_send_einvoices(now=moment)
        einvoice.refresh_from_db()
        moment = (einvoice.next_attempt_at or moment) + dt.timedelta(seconds=1)
    assert einvoice.status == EInvoiceStatus.ACCEPTED
    assert [i.ksef_number for i in online.accepted] == [einvoice.ksef_number]  # KSeF's one, recorded once
    assert "had this invoice already" in einvoice.error


def test_a_missing_token_is_said_and_offline_companies_are_left_alone(online, make_client, monkeypatch):
    monkeypatch.delenv("KSEF_TOKEN_FOR_TESTS")
    invoice = paid_invoice(make_client)
    passes(1)
    einvoice = EInvoice.objects.get(document=invoice)
    assert einvoice.status == EInvoiceStatus.MADE and "No KSeF token" in einvoice.error
    assert einvoice.next_attempt_at > timezone.now() + dt.timedelta(minutes=30)
    assert not online.accepted


def test_only_a_loopback_emulator_may_replace_ksefs_address(online, make_client, settings):
    settings.CLIENTPANEL_KSEF_BASE_URL = "https://example.com/v2"
    invoice = paid_invoice(make_client)
    passes(1)
    assert "emulator on this machine" in EInvoice.objects.get(document=invoice).error
    assert {"127.0.0.1"} <= sending.LOOPBACK_HOSTS


def run_until_settled(einvoice: EInvoice, passes_at_most: int = 12) -> EInvoice:
    moment = einvoice.next_attempt_at or timezone.now()
    for _ in range(passes_at_most):
        job_send_einvoices(now=moment)
        einvoice.refresh_from_db()
        if einvoice.next_attempt_at is None:
            break
        moment = einvoice.next_attempt_at + dt.timedelta(seconds=1)
    return einvoice


def test_a_receipt_not_ready_at_acceptance_is_fetched_later(online, make_client, staff_client):
    online.hold_upo(1)
    invoice = paid_invoice(make_client)
    einvoice = run_until_settled(EInvoice.objects.get(document=invoice))
    assert einvoice.status == EInvoiceStatus.ACCEPTED and einvoice.upo_name and einvoice.next_attempt_at is None
    assert staff_client.get(reverse("backoffice:document-einvoice-upo", args=[invoice.pk])).status_code == 200


def test_an_acceptance_by_ksefs_test_environment_is_shown_as_such_and_stays_on_the_list(online, make_client,
                                                                                        staff_client):
    invoice = paid_invoice(make_client)
    einvoice = run_until_settled(EInvoice.objects.get(document=invoice))
    assert (einvoice.status, einvoice.ksef_environment) == (EInvoiceStatus.ACCEPTED, "TEST")
    page = staff_client.get(reverse("backoffice:document-detail", args=[invoice.pk])).content.decode()
    assert 'id="ksef-trial"' in page
    listed = staff_client.get(reverse("backoffice:finance-documents"), {"einvoice": "awaiting"}).content.decode()
    assert invoice.number in listed


def test_ksef_refusing_to_answer_about_a_file_gives_up_after_a_day_and_send_again_starts_afresh(
        online, make_client, staff):
    invoice = paid_invoice(make_client)
    passes(1)  # handed over
    online.fail_next(404, times=100, path="/invoices/")  # KSeF no longer knows the session's invoice
    einvoice = run_until_settled(EInvoice.objects.get(document=invoice), passes_at_most=40)
    assert einvoice.status == EInvoiceStatus.SENDING and einvoice.next_attempt_at is None
    assert "refused us for a day" in einvoice.error
    online._failures.clear()  # KSeF answers again
    einvoice_send_again(actor=staff, document_id=invoice.pk)
    einvoice.refresh_from_db()
    assert (einvoice.status, einvoice.session_reference) == (EInvoiceStatus.MADE, "")
    einvoice = run_until_settled(einvoice)
    # KSeF had the file already: its duplicate answer names the number, recorded once.
    assert einvoice.status == EInvoiceStatus.ACCEPTED and [i.ksef_number for i in online.accepted] == [
        einvoice.ksef_number]


def test_ksef_out_of_reach_ends_the_pass(online, make_client):
    first, second = paid_invoice(make_client), paid_invoice(make_client)
    online.fail_next(503, times=50)
    answer = job_send_einvoices(now=timezone.now())
    assert answer["unreachable"] == 1 and answer["sent"] == 0  # the second was not tried in this pass
    attempts = sorted(EInvoice.objects.filter(document__in=[first, second]).values_list("attempts", flat=True))
    assert attempts == [0, 1]


def test_a_token_variable_must_be_named_for_ksef(polish_company, monkeypatch):
    from clientpanel.core.errors import ValidationFailed

    monkeypatch.setenv("SECRET_KEY", "django's own")
    with pytest.raises(ValidationFailed) as refused:
        einvoice_profile_save(actor=None, company_id=polish_company.pk, format_key="ksef_fa3",
                              ksef_environment="PRODUCTION", ksef_token_env="SECRET_KEY")
    assert "ksef_token_env" in refused.value.fields


def test_a_credit_note_waits_while_its_invoices_ksef_file_could_not_be_made(polish_company, make_client, staff):
    from clientpanel.invoicing.services import credit_note_issue

    invoice = paid_invoice(make_client)
    EInvoice.objects.filter(document=invoice).update(status=EInvoiceStatus.FAILED, error="a storage error")
    note = credit_note_issue(actor=staff, invoice_id=invoice.pk, net_amount="10").note
    waiting = EInvoice.objects.get(document=note)
    assert waiting.status == EInvoiceStatus.FAILED and "not accepted by KSeF" in waiting.error
