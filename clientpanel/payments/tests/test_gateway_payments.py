"""Paying proformas online through a gateway (issue 15), with the offline test gateway: one payment
settles several proformas; each verified notification is stored under its event id before it is
applied, so a repeated, late or out-of-order one posts once; a wrong amount or a proforma that can
no longer take the money holds the attempt for staff; a bad signature is refused and logged; a
gateway that cannot start leaves nothing paid; only users who may pay can, and only their own."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientpanel.clients.services import client_user_link
from clientpanel.core.errors import Conflict, NotFound
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.payments.gateways import GatewayError, NotVerified
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import AttemptStatus, GatewayAccount, GatewayEvent, PaymentAttempt
from clientpanel.payments.services import notification_receive, payment_start
from clientpanel.tax.selectors import default_home_company

from .concurrency import at_once
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

D = Decimal


def signed_in(email: str) -> Client:
    browser = Client()
    assert browser.post(reverse("portal:login"), {"email": email, "password": PASSWORD}).status_code == 302
    return browser


def start(shop, *documents) -> PaymentAttempt:
    attempt, _checkout = payment_start(actor=None, document_ids=[d.pk for d in documents], account_id=None,
                                       return_url=lambda a: "/portal/")
    return attempt


def notify(shop, attempt, kind="payment.succeeded", amount=None, currency=None, repeat_of=None):
    body, headers = repeat_of or card.signed_event(shop["account"].pk, kind=kind, reference=attempt.reference,
                                                   amount=attempt.amount if amount is None else amount,
                                                   currency=currency or attempt.currency)
    event = notification_receive(gateway_key="test", account_id=shop["account"].pk, body=body, headers=headers)
    return event, (body, headers)


def paid(document) -> bool:
    return Document.objects.get(pk=document.pk).status == DocumentStatus.INVOICED


def test_a_client_pays_two_proformas_at_once_in_the_portal_and_gets_the_final_invoices(shop):
    browser = signed_in(shop["payer"].owner.email)
    invoices = browser.get(reverse("portal:invoices")).content.decode()
    assert f'value="{shop["first"].pk}"' in invoices and "Pay the selected proformas" in invoices
    to_gateway = browser.post(reverse("portal:pay"), {"documents": [shop["first"].pk, shop["second"].pk]})
    attempt = PaymentAttempt.objects.get()
    assert to_gateway["Location"] == reverse("portal:test-gateway", args=[attempt.pk])
    assert attempt.amount == shop["first"].total + shop["second"].total and attempt.status == AttemptStatus.STARTED
    page = browser.get(to_gateway["Location"]).content.decode()
    assert "no money moves" in page and "$50.00" in page  # 20 + 30, no tax for this client
    back = browser.post(to_gateway["Location"], {"outcome": "succeed"})
    assert back["Location"] == reverse("portal:payment", args=[attempt.pk])
    result = browser.get(back["Location"]).content.decode()
    finals = Document.objects.filter(type=DocumentType.INVOICE, client=shop["payer"])
    assert finals.count() == 2 and all(f.number in result for f in finals)
    assert paid(shop["first"]) and paid(shop["second"])
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.transaction_id.startswith("txn_")
    assert sorted(Payment.objects.values_list("transaction_id", flat=True)) == [
        f"{attempt.transaction_id}/1", f"{attempt.transaction_id}/2"]
    assert LedgerEntry.objects.filter(client=shop["payer"], type=EntryType.PAYMENT).count() == 2


def test_a_repeated_notification_posts_once_and_is_stored_once(shop):
    attempt = start(shop, shop["first"])
    first, sent = notify(shop, attempt)
    again, _ = notify(shop, attempt, repeat_of=sent)
    assert first.pk == again.pk and GatewayEvent.objects.count() == 1 and again.outcome == "paid"
    assert Payment.objects.count() == 1
    # Another event saying the same (a gateway's second delivery under a new id) changes nothing either.
    other, _ = notify(shop, attempt)
    assert other.outcome.startswith("already") and Payment.objects.count() == 1


def test_late_and_out_of_order_notifications_change_nothing_twice(shop):
    attempt = start(shop, shop["first"])
    notify(shop, attempt, "payment.failed")
    assert PaymentAttempt.objects.get().status == AttemptStatus.FAILED and not paid(shop["first"])
    notify(shop, attempt, "payment.succeeded")  # the money moved after all: it counts
    assert PaymentAttempt.objects.get().status == AttemptStatus.SUCCEEDED and paid(shop["first"])
    late_pending, _ = notify(shop, attempt, "payment.pending")
    late_failure, _ = notify(shop, attempt, "payment.failed")
    assert "nothing done" in late_pending.outcome and "nothing done" in late_failure.outcome
    assert PaymentAttempt.objects.get().status == AttemptStatus.SUCCEEDED and Payment.objects.count() == 1


def test_pending_then_success_on_the_test_gateways_page(shop):
    browser = signed_in(shop["payer"].owner.email)
    browser.post(reverse("portal:pay"), {"documents": [shop["first"].pk]})
    attempt = PaymentAttempt.objects.get()
    pending = browser.post(reverse("portal:test-gateway", args=[attempt.pk]), {"outcome": "pending"})
    assert "pending at the bank" in pending.content.decode()
    assert PaymentAttempt.objects.get().status == AttemptStatus.PENDING and not paid(shop["first"])
    status = browser.get(reverse("portal:payment", args=[attempt.pk])).content.decode()
    assert "being processed" in status
    browser.post(reverse("portal:test-gateway", args=[attempt.pk]), {"outcome": "complete"})
    assert paid(shop["first"])


def test_a_3d_secure_step_that_fails_leaves_the_proforma_unpaid_and_says_why(shop):
    browser = signed_in(shop["payer"].owner.email)
    browser.post(reverse("portal:pay"), {"documents": [shop["first"].pk]})
    attempt = PaymentAttempt.objects.get()
    question = browser.post(reverse("portal:test-gateway", args=[attempt.pk]), {"outcome": "secure"})
    assert "3-D Secure" in question.content.decode() and GatewayEvent.objects.count() == 0
    browser.post(reverse("portal:test-gateway", args=[attempt.pk]), {"outcome": "decline"})
    result = browser.get(reverse("portal:payment", args=[attempt.pk])).content.decode()
    assert "3-D Secure authentication failed" in result and "Nothing was charged" in result
    assert not paid(shop["first"]) and Payment.objects.count() == 0


def test_a_different_amount_or_currency_is_held_for_staff_and_pays_nothing(shop):
    attempt = start(shop, shop["first"])
    event, _ = notify(shop, attempt, amount=attempt.amount - D("0.01"))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.HELD and "$19.99" in attempt.error and event.outcome.startswith("held")
    assert not paid(shop["first"]) and Payment.objects.count() == 0
    second = start(shop, shop["second"])
    notify(shop, second, currency="EUR")
    assert PaymentAttempt.objects.get(pk=second.pk).status == AttemptStatus.HELD and not paid(shop["second"])


def test_money_for_a_proforma_settled_meanwhile_is_held_not_applied(shop):
    attempt = start(shop, shop["first"], shop["second"])
    proforma_pay(actor=None, document_id=shop["second"].pk, amount=str(shop["second"].total))  # staff recorded it
    notify(shop, attempt)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.HELD and "not applied" in attempt.error
    assert not paid(shop["first"]) and Payment.objects.count() == 1  # staff's payment only: all or nothing


def test_a_notification_for_an_unknown_payment_is_stored_and_answered_200(shop, client):
    body, headers = card.signed_event(shop["account"].pk, kind="payment.succeeded", reference="test_nobody",
                                      amount=D("10"), currency="USD")
    url = reverse("portal:payment-notify", args=["test", shop["account"].pk])
    response = client.post(url, body, content_type="application/json",
                           headers={"X-Test-Gateway-Signature": headers[card.SIGNATURE_HEADER]})
    assert response.status_code == 200
    assert GatewayEvent.objects.get().outcome == "unknown payment: nothing done" and Payment.objects.count() == 0


def test_a_bad_signature_is_refused_logged_and_not_stored(shop, client, caplog):
    attempt = start(shop, shop["first"])
    body, headers = card.signed_event(shop["account"].pk, kind="payment.succeeded", reference=attempt.reference,
                                      amount=attempt.amount, currency="USD")
    url = reverse("portal:payment-notify", args=["test", shop["account"].pk])
    with caplog.at_level(logging.WARNING):
        forged = client.post(url, body.replace(b"USD", b"EUR"), content_type="application/json",
                             headers={"X-Test-Gateway-Signature": headers[card.SIGNATURE_HEADER]})
        unsigned = client.post(url, body, content_type="application/json")
        other_account = client.post(reverse("portal:payment-notify", args=["test", shop["account"].pk + 99]), body,
                                    content_type="application/json",
                                    headers={"X-Test-Gateway-Signature": headers[card.SIGNATURE_HEADER]})
        no_gateway = client.post(reverse("portal:payment-notify", args=["nope", shop["account"].pk]), body,
                                 content_type="application/json")
    assert [forged.status_code, unsigned.status_code, other_account.status_code, no_gateway.status_code] == [400] * 4
    assert "Refused a test notification" in caplog.text
    assert GatewayEvent.objects.count() == 0 and not paid(shop["first"])
    with pytest.raises(NotVerified):
        notification_receive(gateway_key="test", account_id=shop["account"].pk, body=b"{}",
                             headers={card.SIGNATURE_HEADER: "0" * 64})


def test_a_gateway_that_cannot_start_leaves_the_attempt_failed_and_nothing_paid(shop, monkeypatch):
    def refuse(self, attempt, *, return_url):
        raise GatewayError("The gateway is down for maintenance.")

    monkeypatch.setattr(card.TestGateway, "start", refuse)
    with pytest.raises(Conflict, match="down for maintenance"):
        start(shop, shop["first"])
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.FAILED and "maintenance" in attempt.error and not paid(shop["first"])

    def hang(self, attempt, *, return_url):
        raise TimeoutError

    monkeypatch.setattr(card.TestGateway, "start", hang)
    with pytest.raises(Conflict, match="did not answer"):
        start(shop, shop["second"])
    assert PaymentAttempt.objects.get(status=AttemptStatus.FAILED, documents__document=shop["second"]).error


def test_only_unpaid_proformas_of_one_client_company_and_currency_are_paid_together(shop, make_client):
    with pytest.raises(Conflict, match="one client"):
        start(shop, shop["first"], shop["theirs"])
    proforma_pay(actor=None, document_id=shop["second"].pk, amount=str(shop["second"].total))
    invoice = Document.objects.get(pk=Document.objects.get(pk=shop["second"].pk).related_id)
    with pytest.raises(Conflict, match="Only unpaid proformas"):
        start(shop, invoice)
    shop["account"].currencies = ["EUR"]
    shop["account"].save()
    with pytest.raises(Conflict, match="No online payment"):
        start(shop, shop["first"])


def test_who_may_pay(shop):
    member = "member@example.com"
    client_user_link(actor=None, client_id=shop["payer"].pk, data={
        "email": member, "firstname": "Mem", "lastname": "Ber", "password": PASSWORD, "permissions": []})
    without = signed_in(member)
    assert without.post(reverse("portal:pay"), {"documents": [shop["first"].pk]}).status_code == 404
    owner = signed_in(shop["payer"].owner.email)
    # Another client's proforma by id: as if it did not exist.
    refused = owner.post(reverse("portal:pay"), {"documents": [shop["theirs"].pk]}, follow=True)
    assert "Choose at least one unpaid proforma" in refused.content.decode() and PaymentAttempt.objects.count() == 0
    assert owner.post(reverse("portal:pay"), {"documents": ["not-an-id"]}).status_code == 404
    theirs = start(shop, shop["theirs"])
    assert owner.get(reverse("portal:payment", args=[theirs.pk])).status_code == 404
    assert owner.get(reverse("portal:test-gateway", args=[theirs.pk])).status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = owner.cookies
    assert strict.post(reverse("portal:pay"), {"documents": [shop["first"].pk]}).status_code == 403
    with pytest.raises(NotFound):
        payment_start(actor=shop["other"].owner, document_ids=[shop["first"].pk], account_id=None,
                      return_url=lambda a: "/")


def test_add_funds_and_pay_at_once(shop):
    browser = signed_in(shop["payer"].owner.email)
    form = browser.get(reverse("portal:add-funds")).content.decode()
    assert "Add funds and pay now" in form
    to_gateway = browser.post(reverse("portal:add-funds"), {"amount": "50", "pay_now": "1"})
    attempt = PaymentAttempt.objects.get()
    assert to_gateway["Location"] == reverse("portal:test-gateway", args=[attempt.pk])
    browser.post(to_gateway["Location"], {"outcome": "succeed"})
    assert Document.objects.get(pk=attempt.documents.get().document_id).status == DocumentStatus.INVOICED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_notification_delivered_twice_at_once_posts_once(make_client):
    """Two workers (or a gateway's retry racing its first try) with the same event at the same moment."""
    shop = {"account": GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")}
    payer = make_client(currency="USD")
    attempt = start(shop, proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20"))
    body, headers = card.signed_event(shop["account"].pk, kind="payment.succeeded", reference=attempt.reference,
                                      amount=attempt.amount, currency="USD")
    errors = at_once(lambda: notification_receive(gateway_key="test", account_id=shop["account"].pk, body=body,
                                                  headers=headers), workers=4)
    assert errors == []
    assert GatewayEvent.objects.count() == 1 and Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(client=payer, type=EntryType.PAYMENT).count() == 1


def test_a_notification_naming_our_attempt_settles_it_when_its_reference_was_never_learned(shop):
    from clientpanel.payments.gateways import SUCCEEDED, Notification
    from clientpanel.payments.services import notification_apply

    attempt = start(shop, shop["first"])
    PaymentAttempt.objects.filter(pk=attempt.pk).update(reference="")  # the gateway's answer was lost
    event = notification_apply(gateway_key="test", note=Notification(
        event_id="evt_late", kind=SUCCEEDED, reference="pi_learned_late", transaction_id="txn_late",
        amount=attempt.amount, currency="USD", attempt_id=str(attempt.pk)))
    attempt.refresh_from_db()
    assert event.outcome == "paid" and attempt.reference == "pi_learned_late" and paid(shop["first"])
    # Without a reference and without our id, nothing is matched.
    nobody = notification_apply(gateway_key="test", note=Notification(
        event_id="evt_empty", kind=SUCCEEDED, reference="", amount=D("1"), currency="USD"))
    assert nobody.outcome == "unknown payment: nothing done"


def test_the_test_gateway_is_offered_only_where_the_server_allows_it(shop, settings):
    from clientpanel.payments.gateway_accounts import gateway_account_save

    browser = signed_in(shop["payer"].owner.email)
    attempt = start(shop, shop["first"])
    settings.CLIENTPANEL_TEST_GATEWAY = False
    assert "Pay now" not in browser.get(reverse("portal:document", args=[shop["second"].pk])).content.decode()
    assert browser.get(reverse("portal:test-gateway", args=[attempt.pk])).status_code == 404
    with pytest.raises(Conflict, match="No online payment"):
        start(shop, shop["second"])
    GatewayAccount.objects.all().delete()
    with pytest.raises(Exception, match="test gateway is off"):
        gateway_account_save(actor=None, company_id=default_home_company().pk, gateway="test")


def test_money_whose_final_invoice_cannot_be_written_is_held_not_a_failing_notification(shop, monkeypatch):
    """The final invoice takes a number already used (a series that repeats): the notification is
    answered — the attempt held for staff with the money noted as received — rather than failing,
    and being retried by the gateway for days while nobody is told; nothing is half-paid."""
    from clientpanel.invoicing.services import issuing

    attempt = start(shop, shop["first"])
    notify(shop, start(shop, shop["second"]))  # an invoice with a number to clash with
    taken = Document.objects.get(type="INVOICE").number
    monkeypatch.setattr(issuing, "document_number", lambda *, company, doc_type: (taken, timezone.now()))
    notify(shop, attempt)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.HELD and "could not be written" in attempt.error
    assert not paid(shop["first"]) and Document.objects.filter(type="INVOICE").count() == 1
