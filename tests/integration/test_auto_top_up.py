"""Saved cards and auto top-up (issue 15, item 4), with the offline test gateway: a card kept when
paying becomes the default; the job charges it for the chosen amount when the balance and credit
would not cover the next days of charges — once per shortfall, even with two workers, at most the
set number of times a month; a declined card is e-mailed and retried after an hour, then six, then
left alone until the balance moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.core.errors import ValidationFailed
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.notifications.models import EmailMessage
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.gateways import GatewayUnanswered, Notification
from clientpanel.payments.gateways import test_gateway as card
from clientpanel.payments.models import AttemptStatus, AutoTopUp, GatewayAccount, PaymentAttempt, SavedMethod
from clientpanel.payments.rules import can_be_resolved_by_staff
from clientpanel.payments.services import attempt_resolve, notification_apply
from clientpanel.payments.tests.concurrency import at_once
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db

D = Decimal
PASSWORD = "portal-payer-passphrase"


def signed_in(email: str) -> Browser:
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": email, "password": PASSWORD}).status_code == 302
    return browser


def keep_a_card(browser: Browser, client, outcome="succeed_save") -> SavedMethod:
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    to_gateway = browser.post(reverse("portal:pay"), {"documents": [proforma.pk]})
    browser.post(to_gateway["Location"], {"outcome": outcome})
    return SavedMethod.objects.filter(client=client).order_by("-created_at").first()


def client_with_a_service_due(make_client):
    """A client with no money and a 30.00 monthly service whose next period starts in two days."""
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    client = make_client(currency="USD", password=PASSWORD)
    product = Product.objects.create(key="vps", name="VPS", module="manual")
    now = timezone.now()
    Service.objects.create(client=client, product=product, label="AAAAA1", currency="USD", period="MONTHLY",
                           amount=D("30.00"), order_date=now, activation_date=now, setup_fee=D(0),
                           status=ServiceStatus.ACTIVE, provision_status=ProvisionStatus.COMPLETED,
                           billed_until=now + dt.timedelta(days=2))
    return client


@pytest.fixture
def hourly_shop(make_client):
    client = client_with_a_service_due(make_client)
    return {"client": client, "browser": signed_in(client.owner.email)}


def test_a_card_kept_when_paying_becomes_the_default_and_can_be_changed_or_removed(hourly_shop):
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    first = keep_a_card(browser, client)
    assert first.is_default and first.label == "Test card •••• 4242" and first.reference.startswith("pm_test_")
    second = keep_a_card(browser, client)
    assert not second.is_default
    page = browser.get(reverse("portal:payment-methods")).content.decode()
    assert page.count("Test card •••• 4242") == 2 and "Make default" in page
    browser.post(reverse("portal:payment-methods"), {"action": "default", "method": second.pk})
    assert SavedMethod.objects.get(is_default=True) == second
    browser.post(reverse("portal:payment-methods"), {"action": "remove", "method": second.pk})
    assert list(SavedMethod.objects.values_list("pk", "is_default")) == [(first.pk, True)]
    # Another client's card by id: nothing happens to it.
    assert browser.post(reverse("portal:payment-methods"), {"action": "remove", "method": "not-an-id"}
                        ).status_code == 404


def test_auto_top_up_settings_are_checked(hourly_shop):
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    with pytest.raises(ValidationFailed, match="Save a card first"):
        auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="2")
    keep_a_card(browser, client)
    refused = browser.post(reverse("portal:payment-methods"), {
        "action": "auto_top_up", "enabled": "on", "amount": "0", "days": "90", "max_per_month": "2"}).content.decode()
    assert "Ensure this value is less than or equal to 60" in refused and not AutoTopUp.objects.exists()
    browser.post(reverse("portal:payment-methods"), {
        "action": "auto_top_up", "enabled": "on", "amount": "50", "days": "7", "max_per_month": "2"})
    setting = AutoTopUp.objects.get()
    assert setting.enabled and setting.amount == D("50") and setting.days == 7 and setting.max_per_month == 2


def test_a_shortfall_is_topped_up_once_and_the_receipt_goes_out(hourly_shop):
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    keep_a_card(browser, client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    now = timezone.now()
    assert job_auto_top_up(now=now) == {"charged": 1, "failed": 0}
    attempt = PaymentAttempt.objects.get(idempotency_key__startswith=KEY)
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.amount == D("50")
    client.refresh_from_db()
    assert client.balance == D("60")  # the 10 paid when keeping the card, and the 50 topped up
    assert EmailMessage.objects.filter(template="payment_received").exists()
    assert job_auto_top_up(now=now) == {"charged": 0, "failed": 0}  # covered now
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).count() == 1


def test_never_more_top_ups_a_month_than_set(hourly_shop):
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    keep_a_card(browser, client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="10", days="7", max_per_month="2")
    now = timezone.now()
    for _ in range(5):  # still short after each 10.00: a new shortfall each time, until the month's limit
        job_auto_top_up(now=now)
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY, status=AttemptStatus.SUCCEEDED).count() == 2


def test_a_declined_card_is_emailed_and_retried_after_an_hour_then_six_then_left_alone(hourly_shop):
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    keep_a_card(browser, client, outcome="succeed_save_declining")
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert job_auto_top_up(now=start) == {"charged": 0, "failed": 1}
        assert job_auto_top_up(now=start + dt.timedelta(minutes=30)) == {"charged": 0, "failed": 0}  # too soon
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1), tick=False):
        assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 1}
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=2), tick=False):
        assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 1}
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 0}  # three tries: given up
    tries = PaymentAttempt.objects.filter(idempotency_key__startswith=KEY)
    assert tries.count() == 3 and set(tries.values_list("status", flat=True)) == {AttemptStatus.FAILED}
    # One proforma for the shortfall, paid by none of the tries; the client was told each time.
    unpaid = Document.objects.filter(client=client, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID)
    assert unpaid.count() == 1
    emails = EmailMessage.objects.filter(template="auto_top_up_failed").order_by("created_at")
    assert emails.count() == 3 and "declined" in emails.first().body_text
    assert "try again" in emails.first().body_text and "will not try again" in emails.last().body_text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_charge_one_shortfall_once(make_client):
    client = client_with_a_service_due(make_client)
    keep_a_card(signed_in(client.owner.email), client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="5")
    now = timezone.now()
    assert at_once(lambda: job_auto_top_up(now=now), workers=2) == []
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).count() == 1
    client.refresh_from_db()
    assert client.balance == D("60")


def test_hourly_charges_make_no_new_shortfall_and_an_unanswered_charge_is_never_repeated(hourly_shop, monkeypatch):
    from clientpanel.ledger.models import EntryType
    from clientpanel.ledger.services import entry_post
    from clientpanel.payments.gateways import test_gateway as card

    client, browser = hourly_shop["client"], hourly_shop["browser"]
    keep_a_card(browser, client, outcome="succeed_save_declining")
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert job_auto_top_up(now=start) == {"charged": 0, "failed": 1}
    # An hourly charge moves the balance down: the same shortfall, so the retry still waits its hour.
    entry_post(client_id=client.pk, type=EntryType.CHARGE, net=D("-1.00"), description="VPS, one hour")
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 0}
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).count() == 1

    def no_answer(self, attempt, *, method_reference):
        raise TimeoutError

    monkeypatch.setattr(card.TestGateway, "charge_saved", no_answer)
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=5), tick=False):
        assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 0}
    pending = PaymentAttempt.objects.get(idempotency_key__startswith=KEY, status=AttemptStatus.PENDING)
    assert "did not answer" in pending.error
    with time_machine.travel(start + dt.timedelta(hours=9), tick=False):  # the card may have been charged
        assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 0}
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).count() == 2


@pytest.mark.parametrize("account", ["1" * 5000, "²", "-3"])
def test_a_gateway_account_that_is_no_id_is_refused_in_words_not_a_500(make_client, account):
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    client = make_client(currency="USD", password=PASSWORD)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    answer = signed_in(client.owner.email).post(reverse("portal:pay"), {"documents": [proforma.pk],
                                                                         "account": account})
    assert answer.status_code in (200, 302)


def test_an_amount_finer_than_the_currency_is_refused_and_one_bad_setting_stops_no_other(hourly_shop, make_client):
    """A top-up is a proforma in the client's currency: 10.555 USD is refused when saved. A setting
    stored before that rule (or changed behind the form) fails for its client alone."""
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    card = keep_a_card(browser, client)
    with pytest.raises(ValidationFailed) as refused:
        auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="10.555", days="7", max_per_month="3")
    assert "amount" in refused.value.fields and not AutoTopUp.objects.exists()
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")
    other = make_client(currency="USD")
    now = timezone.now()
    Service.objects.create(client=other, product=Product.objects.get(key="vps"), label="AAAAA2", currency="USD",
                           period="MONTHLY", amount=D("30.00"), order_date=now, activation_date=now, setup_fee=D(0),
                           status=ServiceStatus.ACTIVE, provision_status=ProvisionStatus.COMPLETED,
                           billed_until=now + dt.timedelta(days=2))
    SavedMethod.objects.create(client=other, account=card.account, reference=card.reference + "-other",
                               label=card.label, is_default=True)
    AutoTopUp.objects.create(client=other, enabled=True, amount=D("10.555"), days=7, max_per_month=3)
    outcome = job_auto_top_up(now=now)
    assert outcome == {"charged": 1, "failed": 1}  # the good client is topped up, whoever comes first


def test_a_charge_the_gateway_does_not_answer_stays_pending_until_staff_settle_it(hourly_shop, monkeypatch,
                                                                                 staff_client):
    """No answer is not a decline: the card may have been charged. The attempt waits for the
    gateway's word and no new charge is tried meanwhile; an hour on, staff who checked the gateway
    may settle it, and the next shortfall is topped up again (before, a pending attempt held up
    the client's auto top-up for good)."""
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    keep_a_card(browser, client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")

    def no_answer(self, attempt, *, method_reference):
        raise GatewayUnanswered("The payment service did not answer in time.")

    monkeypatch.setattr(card.TestGateway, "charge_saved", no_answer)
    now = timezone.now()
    job_auto_top_up(now=now)
    attempt = PaymentAttempt.objects.get(idempotency_key__startswith=KEY)
    assert attempt.status == AttemptStatus.PENDING
    job_auto_top_up(now=now + dt.timedelta(hours=7))  # past every retry delay: still no second charge
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).count() == 1

    resolve = reverse("backoffice:client-payment-resolve", args=[client.pk, attempt.pk])
    page = staff_client.get(reverse("backoffice:client-transactions", args=[client.pk])).content.decode()
    assert resolve not in page  # not offered before an hour without an answer
    PaymentAttempt.objects.filter(pk=attempt.pk).update(updated_at=now - dt.timedelta(hours=2))
    page = staff_client.get(reverse("backoffice:client-transactions", args=[client.pk])).content.decode()
    assert resolve in page
    staff_client.post(resolve, {"note": "Not charged: checked in the gateway's dashboard"})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.RESOLVED
    monkeypatch.undo()
    job_auto_top_up(now=now + dt.timedelta(hours=8))  # this shortfall is settled: not charged again
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).count() == 1
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=D("1"), description="Goodwill")  # a new shortfall
    job_auto_top_up(now=now + dt.timedelta(hours=9))  # the auto top-up is no longer held up by the first
    assert PaymentAttempt.objects.filter(idempotency_key__startswith=KEY, status=AttemptStatus.SUCCEEDED).count() == 1


def test_money_that_arrives_after_staff_settled_an_unanswered_charge_is_held_again(hourly_shop, monkeypatch):
    """Staff settled a charge the gateway never answered about as "not charged"; then the gateway's
    word comes after all: the attempt is held for staff again, the money never dropped unseen."""
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    keep_a_card(browser, client)
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="3")

    def no_answer(self, attempt, *, method_reference):
        raise GatewayUnanswered("The payment service did not answer in time.")

    monkeypatch.setattr(card.TestGateway, "charge_saved", no_answer)
    job_auto_top_up(now=timezone.now())
    attempt = PaymentAttempt.objects.get(idempotency_key__startswith=KEY)
    PaymentAttempt.objects.filter(pk=attempt.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    attempt_resolve(actor=None, attempt_id=attempt.pk, note="Not charged, as far as the dashboard shows")
    notification_apply(gateway_key="test", note=Notification(
        event_id="evt_after_all", kind="succeeded", reference=f"{KEY}_{attempt.pk}", attempt_id=str(attempt.pk),
        transaction_id="txn_after_all", amount=attempt.amount, currency=attempt.currency))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.HELD and "settled by hand" in attempt.error


def test_a_payment_the_gateway_said_is_processing_is_not_offered_to_staff_to_settle(hourly_shop, monkeypatch):
    client, browser = hourly_shop["client"], hourly_shop["browser"]
    keep_a_card(browser, client)
    attempt = PaymentAttempt.objects.filter(client=client).first()
    PaymentAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.PENDING,
                                                        updated_at=timezone.now() - dt.timedelta(hours=2))
    attempt.refresh_from_db()
    assert attempt.events.exists()  # the gateway's word came (processing: a bank debit takes days)
    assert not can_be_resolved_by_staff(attempt, timezone.now())
