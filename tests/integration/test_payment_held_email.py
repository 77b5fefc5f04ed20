"""Staff are told by e-mail when an online payment is held (payments.events.PaymentHeld): the
gateway took money the panel could not apply as it stands. Those holding Finance who see the client
get it, each in its language, with the amount, the reason the Transactions tab shows, the proformas
and a link to the tab where it is resolved — once per holding: the same notification again sends
nothing, money that comes after staff settled the payment by hand sends again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.sending import send_due_emails
from clientpanel.notifications.subscribers import on_payment_held
from clientpanel.payments.events import PaymentHeld
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import AttemptStatus, GatewayAccount, PaymentAttempt
from clientpanel.payments.services import attempt_resolve, notification_receive, payment_start
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def shop(make_client, staff):
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    payer = make_client(currency="USD", company_name="Payer Ltd")
    polish = staff_create(email="ksiegowa@example.com", password=PASSWORD, roles=["Accountant"])
    User.objects.filter(pk=polish.pk).update(language="pl")
    staff_create(email="support@example.com", password=PASSWORD, roles=["Support"])  # no Finance
    staff_create(email="elsewhere@example.com", password=PASSWORD, roles=["Accountant"],
                 limited_to_assigned_clients=True)  # does not see the client
    return {"account": account, "payer": payer,
            "first": proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20"),
            "second": proforma_add_funds(actor=None, client_id=payer.pk, net_amount="30")}


def _start(shop) -> PaymentAttempt:
    attempt, _checkout = payment_start(actor=None, document_ids=[shop["first"].pk, shop["second"].pk],
                                       account_id=None, return_url=lambda a: "/portal/")
    return attempt


def _notify(shop, attempt, *, currency=None, sent=None):
    body, headers = sent or card.signed_event(shop["account"].pk, kind="payment.succeeded",
                                              reference=attempt.reference, amount=attempt.amount,
                                              currency=currency or attempt.currency)
    notification_receive(gateway_key="test", account_id=shop["account"].pk, body=body, headers=headers)
    attempt.refresh_from_db()
    return body, headers


def _told() -> list[tuple[str, str]]:
    return sorted(EmailMessage.objects.filter(template="payment_held").values_list("recipient", "language"))


def test_finance_staff_who_see_the_client_are_told_each_in_its_language(shop, smtp_server):
    EmailMessage.objects.all().delete()
    attempt = _start(shop)
    sent = _notify(shop, attempt, currency="EUR")
    assert attempt.status == AttemptStatus.HELD

    assert _told() == [("ksiegowa@example.com", "pl"), ("staff@example.com", "en")]
    assert send_due_emails()["sent"] == 2
    received = {message["To"]: message for message in smtp_server.mailbox.messages}
    payer, numbers = shop["payer"], f"{shop['first'].number}, {shop['second'].number}"
    link = f"http://testserver{reverse('backoffice:client-transactions', args=[payer.pk])}#payment-attempts"

    english = received["staff@example.com"]
    text = english.get_body(("plain",)).get_content()
    assert english["Subject"] == f"Online payment held for review: {payer.display_name}"
    assert f"an online payment of $50.00 by {payer.display_name} ({payer.number}) for {numbers}" in text
    assert attempt.error in text and "€50.00" in attempt.error  # the reason, as the Transactions tab shows it
    assert link.split("testserver", 1)[1] in text and "(Mark resolved)" in text
    assert link.split("testserver", 1)[1] in english.get_body(("html",)).get_content()

    polish = received["ksiegowa@example.com"]
    text = polish.get_body(("plain",)).get_content()
    stored = EmailMessage.objects.get(template="payment_held", recipient="ksiegowa@example.com").subject
    assert stored == f"Płatność online wstrzymana do sprawdzenia: {payer.display_name}"
    assert polish["Subject"].strip() == stored  # folded onto its next line, it reads back after a space
    assert f"płatność online 50,00\xa0USD klienta {payer.display_name}" in text and numbers in text
    assert attempt.error in text and "Oznacz jako rozwiązaną" in text

    # The gateway sends the same notification again, and another one for the same money: nobody is told twice.
    _notify(shop, attempt, sent=sent)
    _notify(shop, attempt, currency="EUR")
    assert len(_told()) == 2


def test_money_after_a_settlement_by_hand_is_told_again_and_a_repeat_of_the_event_is_not(shop, staff):
    attempt = _start(shop)
    _notify(shop, attempt, currency="EUR")
    attempt_resolve(actor=staff, attempt_id=attempt.pk, note="Sent the euros back at the gateway.")
    assert len(_told()) == 2

    _notify(shop, attempt)  # then dollars come, under another transaction: held again
    assert attempt.status == AttemptStatus.HELD
    assert len(_told()) == 4
    latest = EmailMessage.objects.filter(template="payment_held", recipient="staff@example.com").first()
    assert "settled by hand" in latest.body_text

    with transaction.atomic():  # the same holding published again (a retry) queues nothing more
        on_payment_held([PaymentHeld(client_id=attempt.client_id, attempt_id=attempt.pk)])
    assert len(_told()) == 4
    assert EmailMessage.objects.filter(template="payment_held").values("reference").distinct().count() == 2


def test_staff_reading_the_template_list_see_the_new_message(staff_client):
    page = staff_client.get(reverse("backoffice:email-template-list")).content.decode()
    assert "Online payment held for review" in page
    for language in ("en", "pl"):
        editor = staff_client.get(reverse("backoffice:email-template-edit", args=["payment_held", language]))
        assert editor.status_code == 200 and "transactions_link" in editor.content.decode()


def test_an_amount_that_differs_is_held_and_told_with_both_figures(shop):
    attempt = _start(shop)
    body, headers = card.signed_event(shop["account"].pk, kind="payment.succeeded", reference=attempt.reference,
                                      amount=Decimal("49.99"), currency="USD")
    notification_receive(gateway_key="test", account_id=shop["account"].pk, body=body, headers=headers)
    message = EmailMessage.objects.get(template="payment_held", recipient="staff@example.com")
    assert "$49.99" in message.body_text and "$50.00" in message.body_text
