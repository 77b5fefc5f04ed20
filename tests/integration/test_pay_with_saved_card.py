"""Paying a proforma with a saved card in the portal (WHMCS's "Pay with stored card"): a card the
client kept when it paid is offered on an unpaid proforma's page beside Pay now; pressed, the
gateway charges it at once and the payment's page says how it went. The card is charged once —
the same button pressed twice, two tabs at the same moment — and only the client's own cards, for
a company that still takes the currency through that gateway, pay its own proformas."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clientpanel.clients.models import Client, ClientStatus
from clientpanel.clients.services import client_user_link
from clientpanel.core.actor import Actor
from clientpanel.core.errors import Conflict
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.gateways import GatewayUnanswered
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import AttemptStatus, AutoTopUp, GatewayAccount, PaymentAttempt, SavedMethod
from clientpanel.payments.saved_charges import pay_with_saved_method
from clientpanel.payments.selectors import saved_methods_offered
from clientpanel.payments.tests.concurrency import together
from clientpanel.portal.tests.acting import acting_for
from clientpanel.tax.selectors import default_home_company

from .test_auto_top_up import PASSWORD, client_with_a_service_due, keep_a_card, signed_in

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def payer(make_client):
    """A client signed in to the portal with a kept card, and an unpaid 20.00 (net) proforma."""
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    client = make_client(currency="USD", password=PASSWORD)
    browser = signed_in(client.owner.email)
    method = keep_a_card(browser, client)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    return client, browser, method, proforma


def _key(page: str, method: SavedMethod) -> str:
    """The one-time key of the page's "Pay with …" form for this card."""
    forms = re.findall(r'<form[^>]*pay-with-saved-card[^>]*>(.*?)</form>', page, re.S)
    form = next(form for form in forms if f'value="{method.pk}"' in form)
    return re.search(r'name="submission" value="([^"]+)"', form).group(1)


def _press(browser: Browser, proforma: Document, method: SavedMethod, key: str | None = None):
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    return browser.post(reverse("portal:pay-saved"), {"documents": [proforma.pk], "method": method.pk,
                                                      "submission": key or _key(page, method)})


def test_a_saved_card_pays_the_proforma_at_once_and_the_payment_page_says_so(payer):
    client, browser, method, proforma = payer
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    assert "Pay with Test card •••• 4242" in page and 'id="pay-now"' in page
    answer = _press(browser, proforma, method)
    attempt = PaymentAttempt.objects.get(documents__document=proforma, status=AttemptStatus.SUCCEEDED)
    assert answer.status_code == 302 and answer["Location"] == reverse("portal:payment", args=[attempt.pk])
    proforma.refresh_from_db()
    invoice = Document.objects.get(pk=proforma.related_id)
    assert proforma.status == DocumentStatus.INVOICED and invoice.type == DocumentType.INVOICE
    assert attempt.amount == proforma.total and attempt.started_by == client.owner
    client.refresh_from_db()
    assert client.balance == D("30.00")  # the 10.00 paid when the card was kept, and these 20.00
    shown = browser.get(answer["Location"]).content.decode()
    assert invoice.number in shown
    # Paid: neither way to pay is offered any more.
    assert "pay-with-saved-card" not in browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()


def test_the_same_button_pressed_twice_charges_the_card_once(payer):
    _client, browser, method, proforma = payer
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    key = _key(page, method)
    _press(browser, proforma, method, key)
    again = _press(browser, proforma, method, key)
    assert again.status_code == 302 and again["Location"] == reverse("portal:document", args=[proforma.pk])
    assert PaymentAttempt.objects.filter(documents__document=proforma).count() == 1
    assert "already" in browser.get(again["Location"]).content.decode()


def test_a_declined_card_leaves_the_proforma_unpaid_and_offers_to_pay_again(payer, make_client):
    client, browser, method, proforma = payer
    declining = keep_a_card(browser, client, outcome="succeed_save_declining")
    answer = _press(browser, proforma, declining)
    attempt = PaymentAttempt.objects.get(documents__document=proforma)
    assert attempt.status == AttemptStatus.FAILED and "declined" in attempt.error
    proforma.refresh_from_db()
    assert proforma.status == DocumentStatus.UNPAID and proforma.paid_gross == 0
    shown = browser.get(answer["Location"]).content.decode()
    assert 'id="pay-again"' in shown
    assert f'id="pay-saved-{method.pk}"' in shown  # the other saved card is one click too


def test_an_unanswered_charge_stays_pending_and_the_proforma_is_not_offered_again(payer, monkeypatch):
    _client, browser, method, proforma = payer

    def no_answer(self, attempt, *, method_reference):
        raise GatewayUnanswered("The payment service did not answer in time.")

    monkeypatch.setattr(card.TestGateway, "charge_saved", no_answer)
    _press(browser, proforma, method)
    attempt = PaymentAttempt.objects.get(documents__document=proforma)
    assert attempt.status == AttemptStatus.PENDING
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    assert 'id="payment-settling"' in page and "pay-with-saved-card" not in page and 'id="pay-now"' not in page
    with pytest.raises(Conflict, match="being processed"):
        pay_with_saved_method(actor=None, document_ids=[proforma.pk], method_id=method.pk)


def test_another_clients_card_or_proforma_pays_nothing(payer, make_client):
    _client, browser, method, proforma = payer
    other = make_client(currency="USD", email="other-payer@example.com", password=PASSWORD)
    other_method = keep_a_card(signed_in(other.owner.email), other)
    other_proforma = proforma_add_funds(actor=None, client_id=other.pk, net_amount="15")
    before = PaymentAttempt.objects.count()
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    refused = browser.post(reverse("portal:pay-saved"), {"documents": [proforma.pk], "method": other_method.pk,
                                                         "submission": _key(page, method)}, follow=True)
    assert "No such payment method." in refused.content.decode()
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    refused = browser.post(reverse("portal:pay-saved"), {"documents": [other_proforma.pk], "method": method.pk,
                                                         "submission": _key(page, method)}, follow=True)
    assert refused.redirect_chain[-1][0] == reverse("portal:invoices")
    assert "not yours to pay" in refused.content.decode()
    assert PaymentAttempt.objects.count() == before
    for document in (proforma, other_proforma):
        document.refresh_from_db()
        assert document.status == DocumentStatus.UNPAID


def test_a_user_without_manage_invoices_cannot_pay_and_a_post_without_csrf_is_refused(payer):
    client, browser, method, proforma = payer
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    key = _key(page, method)
    strict = Browser(enforce_csrf_checks=True)
    strict.cookies = browser.cookies
    assert strict.post(reverse("portal:pay-saved"), {"documents": [proforma.pk], "method": method.pk,
                                                     "submission": key}).status_code == 403
    colleague = client_user_link(actor=None, client_id=client.pk, data={
        "email": "colleague@example.com", "firstname": "Col", "lastname": "League", "permissions": []}).user
    colleague.set_password(PASSWORD)
    colleague.save(update_fields=["password"])
    browser = signed_in(colleague.email)
    answer = browser.post(reverse("portal:pay-saved"), {"documents": [proforma.pk], "method": method.pk,
                                                        "submission": key})
    assert answer.status_code == 404
    assert not PaymentAttempt.objects.filter(documents__document=proforma).exists()


def test_a_card_of_a_gateway_the_company_no_longer_offers_is_neither_shown_nor_charged(payer):
    _client, browser, method, proforma = payer
    GatewayAccount.objects.filter(pk=method.account_id).update(currencies=["EUR"])  # no longer takes USD
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    assert "pay-with-saved-card" not in page
    with pytest.raises(Conflict):
        pay_with_saved_method(actor=None, document_ids=[proforma.pk], method_id=method.pk)
    assert not PaymentAttempt.objects.filter(documents__document=proforma).exists()


def test_bad_method_and_document_values_answer_a_message_never_a_500(payer):
    _client, browser, method, proforma = payer
    for method_value in ("", "not-a-uuid", "x" * 5000, "\x00"):
        page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
        answer = browser.post(reverse("portal:pay-saved"), {"documents": [proforma.pk], "method": method_value,
                                                            "submission": _key(page, method)}, follow=True)
        assert answer.status_code == 200 and "No such payment method." in answer.content.decode()
    assert browser.post(reverse("portal:pay-saved"), {"documents": ["nope"], "method": method.pk}).status_code == 404
    assert browser.post(reverse("portal:pay-saved"), {"method": method.pk}).status_code == 302
    assert not PaymentAttempt.objects.filter(documents__document=proforma).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_paying_one_proforma_at_the_same_moment_charge_the_card_once(payer):
    client, _browser, method, proforma = payer
    answers = together(lambda: pay_with_saved_method(actor=None, document_ids=[proforma.pk], method_id=method.pk),
                       workers=2)
    charged = [a for a in answers if isinstance(a, PaymentAttempt)]
    assert len(charged) == 1 and charged[0].status == AttemptStatus.SUCCEEDED
    assert [type(a) for a in answers if not isinstance(a, PaymentAttempt)] == [Conflict]
    assert PaymentAttempt.objects.filter(documents__document=proforma).count() == 1
    client.refresh_from_db()
    assert client.balance == D("30.00")


def test_the_auto_top_up_charging_a_proforma_and_the_client_pressing_pay_with_its_card_charge_once(make_client,
                                                                                                    monkeypatch):
    """The top-up's charge is on its way when the client presses Pay with … on the same proforma:
    the top-up's attempt is already settling (PENDING under the proforma's lock), so the press is
    refused and the card charged once (before, twice: the second held for staff to refund)."""
    client = client_with_a_service_due(make_client)
    browser = signed_in(client.owner.email)
    method = keep_a_card(browser, client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    original, charges, refusals = card.TestGateway.charge_saved, [], []

    def pressed_meanwhile(self, attempt, *, method_reference):
        charges.append(attempt.attempt_id)
        if len(charges) == 1:
            proforma = PaymentAttempt.objects.get(pk=attempt.attempt_id).documents.get().document
            page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
            assert "pay-with-saved-card" not in page and 'id="payment-settling"' in page
            with pytest.raises(Conflict, match="being processed") as refused:
                pay_with_saved_method(actor=None, document_ids=[proforma.pk], method_id=method.pk)
            refusals.append(refused)
        return original(self, attempt, method_reference=method_reference)

    monkeypatch.setattr(card.TestGateway, "charge_saved", pressed_meanwhile)
    job_auto_top_up(now=timezone.now())
    assert len(charges) == 1 and len(refusals) == 1
    assert PaymentAttempt.objects.get(idempotency_key__startswith=KEY).status == AttemptStatus.SUCCEEDED


def test_staff_signed_in_as_the_client_are_not_offered_its_cards_nor_can_charge_them(payer, staff):
    client, browser, method, proforma = payer
    key = _key(browser.get(reverse("portal:document", args=[proforma.pk])).content.decode(), method)
    as_owner = acting_for(staff, client)
    page = as_owner.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    assert 'id="pay-now"' in page and "pay-with-saved-card" not in page
    refused = as_owner.post(reverse("portal:pay-saved"), {"documents": [proforma.pk], "method": method.pk,
                                                          "submission": key}, follow=True)
    assert "cannot charge its saved cards" in refused.content.decode()
    assert not PaymentAttempt.objects.filter(documents__document=proforma).exists()


@pytest.mark.parametrize("status", [ClientStatus.CLOSED, ClientStatus.FRAUD])
def test_a_closed_or_fraud_clients_cards_are_not_charged(payer, status):
    client, _browser, method, proforma = payer
    Client.objects.filter(pk=client.pk).update(status=status)
    with pytest.raises(Conflict, match="account is closed"):
        pay_with_saved_method(actor=None, document_ids=[proforma.pk], method_id=method.pk)
    proforma.refresh_from_db()
    assert saved_methods_offered(Actor(label="staff"), proforma) == []
    assert not PaymentAttempt.objects.filter(documents__document=proforma).exists()


def test_staff_signed_in_as_the_client_cannot_set_how_its_cards_are_charged_but_may_remove_one(payer, staff):
    """Auto top-up and the default card say which card is charged, when and for how much: the card
    holder's to set, not staff's through Login as Owner (the page shows the setting, not its form)."""
    client, _browser, method, _proforma = payer
    second = SavedMethod.objects.create(client=client, account=method.account, reference="pm_test_second",
                                        label="Test card •••• 1111")
    as_owner = acting_for(staff, client)
    page = as_owner.get(reverse("portal:payment-methods")).content.decode()
    assert 'id="auto-top-up-form"' not in page and 'id="auto-top-up-staff"' in page and "Make default" not in page
    as_owner.post(reverse("portal:payment-methods"), {"action": "auto_top_up", "enabled": "on", "amount": "9000",
                                                      "days": "60", "max_per_month": "31"})
    as_owner.post(reverse("portal:payment-methods"), {"action": "default", "method": second.pk})
    assert not AutoTopUp.objects.filter(client=client).exists()
    assert SavedMethod.objects.get(pk=method.pk).is_default
    as_owner.post(reverse("portal:payment-methods"), {"action": "remove", "method": second.pk})
    assert not SavedMethod.objects.filter(pk=second.pk).exists()
