"""Stripe (issue 15) through the official SDK against localstripe on loopback: a client pays two
proformas with a Stripe test card, Stripe's signed webhook pays them once — repeated or late ones
change nothing, a bad signature is refused and stores nothing; a refund goes back through Stripe;
amounts are Stripe's minor units exactly; secrets never sit in the settings. Stripe's hosted
Checkout (live keys) is unreachable here: its requests are checked on a recording HTTP client."""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from decimal import Decimal

import pytest
import stripe
from django.test import Client
from django.urls import reverse

from clientpanel.core.errors import Conflict
from clientpanel.invoicing.models import Document, DocumentStatus, Payment
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.payments.gateways import (
    FAILED,
    PENDING,
    SUCCEEDED,
    AttemptInfo,
    GatewayError,
    GatewayUnanswered,
    NotVerified,
    get_gateway,
    stripe_client,
)
from clientpanel.payments.gateways.stripe_amounts import from_minor_units, to_minor_units
from clientpanel.payments.gateways.stripe_gateway import StripeGateway
from clientpanel.payments.models import (
    AttemptStatus,
    GatewayAccount,
    GatewayEvent,
    GatewayRefund,
    PaymentAttempt,
    RefundStatus,
    SavedMethod,
)
from clientpanel.payments.services import payment_start
from clientpanel.tax.selectors import default_home_company

from .stripe_fixtures import (  # noqa: F401
    KEY_ENV,
    SECRET_KEY,
    WEBHOOK_ENV,
    WEBHOOK_SECRET,
    localstripe,
    stripe_signature,
)

pytestmark = pytest.mark.django_db

D = Decimal
PASSWORD = "portal-payer-passphrase"


@pytest.fixture
def shop(make_client, localstripe):  # noqa: F811
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="stripe",
                                            settings=localstripe.settings())
    payer = make_client(currency="USD", company_name="Card Payer Ltd", password=PASSWORD)
    return {"account": account, "payer": payer, "stripe": localstripe,
            "first": proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20"),
            "second": proforma_add_funds(actor=None, client_id=payer.pk, net_amount="30.55")}


def signed_in(email: str) -> Client:
    browser = Client()
    assert browser.post(reverse("portal:login"), {"email": email, "password": PASSWORD}).status_code == 302
    return browser


def deliver(client: Client, shop, event: dict | bytes, signature: str | None = None):
    """Post a webhook to the notification address as Stripe does."""
    body = event if isinstance(event, bytes) else json.dumps(event, indent=2, sort_keys=True).encode()
    return client.post(reverse("portal:payment-notify", args=["stripe", shop["account"].pk]), body,
                       content_type="application/json; charset=utf-8",
                       headers={"Stripe-Signature": signature or stripe_signature(body)})


def paid(document) -> bool:
    return Document.objects.get(pk=document.pk).status == DocumentStatus.INVOICED


def pay_with_card(shop, *documents, card="visa") -> tuple[Client, PaymentAttempt]:
    browser = signed_in(shop["payer"].owner.email)
    to_stripe = browser.post(reverse("portal:pay"), {"documents": [d.pk for d in documents]})
    attempt = PaymentAttempt.objects.filter(gateway="stripe").latest("created_at")
    assert to_stripe["Location"] == reverse("portal:stripe-test-cards", args=[attempt.pk])
    page = browser.get(to_stripe["Location"]).content.decode()
    assert "no real card is charged" in page
    back = browser.post(to_stripe["Location"], {"card": card})
    assert back["Location"] == reverse("portal:payment", args=[attempt.pk])
    return browser, attempt


def test_a_client_pays_two_proformas_with_a_stripe_card_and_the_webhook_pays_them_once(shop, client):
    browser, attempt = pay_with_card(shop, shop["first"], shop["second"])
    assert attempt.reference.startswith("pi_") and attempt.amount == D("50.55")
    intent = shop["stripe"].get(f"/v1/payment_intents/{attempt.reference}")
    assert intent["amount"] == 5055 and intent["currency"] == "usd" and intent["status"] == "succeeded"
    assert intent["metadata"]["clientpanel_attempt"] == str(attempt.pk)
    assert "being processed" in browser.get(reverse("portal:payment", args=[attempt.pk])).content.decode()
    assert not paid(shop["first"])  # nothing is paid before Stripe's signed word

    event = shop["stripe"].event_for("payment_intent.succeeded", attempt.reference)
    assert deliver(client, shop, event).status_code == 200
    assert paid(shop["first"]) and paid(shop["second"])
    attempt.refresh_from_db()
    charge = intent["latest_charge"]["id"] if isinstance(intent["latest_charge"], dict) else intent["latest_charge"]
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.transaction_id == charge
    assert sorted(Payment.objects.values_list("transaction_id", flat=True)) == [f"{charge}/1", f"{charge}/2"]
    assert "Thank you" in browser.get(reverse("portal:payment", args=[attempt.pk])).content.decode()

    # Stripe delivers again (a timeout on its side), and again later with a fresh signature.
    assert deliver(client, shop, event).status_code == 200
    time.sleep(1)
    assert deliver(client, shop, event, stripe_signature(json.dumps(event, indent=2, sort_keys=True).encode(),
                                                         timestamp=int(time.time()))).status_code == 200
    # A late "processing" for the same payment, under its own event id.
    late = {**event, "id": "evt_late_processing", "type": "payment_intent.processing"}
    assert deliver(client, shop, late).status_code == 200
    assert GatewayEvent.objects.get(event_id="evt_late_processing").outcome.endswith("nothing done")
    assert Payment.objects.count() == 2 and GatewayEvent.objects.filter(event_id=event["id"]).count() == 1


def test_a_declined_card_says_why_and_the_failure_webhook_fails_the_attempt(shop, client):
    browser, attempt = pay_with_card(shop, shop["first"], card="declined")
    shown = browser.get(reverse("portal:payment", args=[attempt.pk])).content.decode()
    assert "The card was declined" in shown
    event = shop["stripe"].event_for("payment_intent.payment_failed", attempt.reference)
    assert deliver(client, shop, event).status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.FAILED and "declined" in attempt.error
    assert not paid(shop["first"]) and Payment.objects.count() == 0


def test_a_bad_signature_is_refused_with_400_and_stores_nothing(shop, client):
    _browser, attempt = pay_with_card(shop, shop["first"])
    event = shop["stripe"].event_for("payment_intent.succeeded", attempt.reference)
    body = json.dumps(event).encode()
    wrong_secret = deliver(client, shop, body, stripe_signature(body, secret="whsec_someone_else"))
    tampered = deliver(client, shop, body.replace(b'"usd"', b'"eur"'), stripe_signature(body))
    too_old = deliver(client, shop, body, stripe_signature(body, timestamp=int(time.time()) - 3600))
    unsigned = client.post(reverse("portal:payment-notify", args=["stripe", shop["account"].pk]), body,
                           content_type="application/json")
    assert [r.status_code for r in (wrong_secret, tampered, too_old, unsigned)] == [400] * 4
    assert GatewayEvent.objects.count() == 0 and not paid(shop["first"])


def test_an_event_of_no_use_is_stored_and_answered_200_so_stripe_stops_sending_it(shop, client):
    event = {"id": "evt_customer_1", "object": "event", "type": "customer.created", "created": int(time.time()),
             "data": {"object": {"id": "cus_123", "object": "customer"}}}
    assert deliver(client, shop, event).status_code == 200
    stored = GatewayEvent.objects.get()
    assert stored.kind == "customer.created" and stored.outcome == "unknown payment: nothing done"


def test_a_refund_goes_back_through_stripe_and_answers_its_refund_id(shop, client):
    _browser, attempt = pay_with_card(shop, shop["first"], shop["second"])
    deliver(client, shop, shop["stripe"].event_for("payment_intent.succeeded", attempt.reference))
    attempt.refresh_from_db()
    stripe_gateway = get_gateway("stripe")
    assert stripe_gateway.refunds
    refund_id = stripe_gateway.refund(transaction_id=f"{attempt.transaction_id}/2", amount=D("30.55"),
                                      currency="USD", idempotency_key="credit-note-1",
                                      account_id=shop["account"].pk, settings=shop["account"].settings)
    refund = shop["stripe"].get(f"/v1/refunds/{refund_id}")
    assert refund_id.startswith("re_") and refund["amount"] == 3055 and refund["charge"] == attempt.transaction_id
    by_intent = stripe_gateway.refund(transaction_id=attempt.reference, amount=D("1"), currency="USD",
                                      idempotency_key="credit-note-2", account_id=shop["account"].pk,
                                      settings=shop["account"].settings)
    assert shop["stripe"].get(f"/v1/refunds/{by_intent}")["amount"] == 100
    with pytest.raises(GatewayError, match="not a Stripe payment"):
        stripe_gateway.refund(transaction_id="txn_123", amount=D("1"), currency="USD", idempotency_key="x",
                              account_id=shop["account"].pk, settings=shop["account"].settings)


def test_a_refund_asked_again_after_stripe_forgot_the_key_is_found_not_made_twice(shop, client):
    # localstripe forgets idempotency keys at once, as Stripe does after 24 hours: the second call
    # with the same key must find the refund the first one made.
    _browser, attempt = pay_with_card(shop, shop["first"], shop["second"])
    deliver(client, shop, shop["stripe"].event_for("payment_intent.succeeded", attempt.reference))
    stripe_gateway, account = get_gateway("stripe"), shop["account"]

    def refund(key: str, amount: str = "5") -> str:
        return stripe_gateway.refund(transaction_id=attempt.reference, amount=D(amount), currency="USD",
                                     idempotency_key=key, account_id=account.pk, settings=account.settings)

    first = refund("refund-row-1")
    assert refund("refund-row-1") == first
    listed = sdk(shop).v1.refunds.list(params={"payment_intent": attempt.reference}).data
    assert [r.id for r in listed] == [first]
    other = refund("refund-row-2", "1")  # another credit note of the same payment: a refund of its own
    assert other != first and len(sdk(shop).v1.refunds.list(params={"payment_intent": attempt.reference}).data) == 2


def test_a_credit_note_refunds_through_stripe_and_shows_the_refund_id(shop, client, staff_client):
    _browser, attempt = pay_with_card(shop, shop["first"])
    deliver(client, shop, shop["stripe"].event_for("payment_intent.succeeded", attempt.reference))
    invoice = Document.objects.get(pk=Document.objects.get(pk=shop["first"].pk).related_id)
    staff_client.post(reverse("backoffice:document-credit-note", args=[invoice.pk]),
                      {"net_amount": "5", "refund_through_gateway": "on"})
    refund = GatewayRefund.objects.get()
    assert refund.status == RefundStatus.SUCCEEDED and refund.refund_id.startswith("re_")
    assert shop["stripe"].get(f"/v1/refunds/{refund.refund_id}")["amount"] == to_minor_units(refund.amount, "USD")
    page = staff_client.get(reverse("backoffice:document-detail", args=[refund.credit_note_id])).content.decode()
    assert refund.refund_id in page


def test_amounts_are_stripes_minor_units_exactly():
    assert to_minor_units(D("50.55"), "USD") == 5055 and to_minor_units(D("12.3000"), "eur") == 1230
    assert to_minor_units(D("1200"), "JPY") == 1200 and to_minor_units(D("1200.0000"), "JPY") == 1200
    assert to_minor_units(D("1.23"), "KWD") == 1230 and to_minor_units(D("150"), "ISK") == 15000
    for amount, currency in ((D("1200.5"), "JPY"), (D("10.005"), "USD"), (D("1.234"), "KWD"), (D("1.5"), "ISK"),
                             (D("0"), "USD"), (D("-5"), "USD")):
        with pytest.raises(GatewayError):
            to_minor_units(amount, currency)
    assert from_minor_units(1200, "JPY") == D("1200") and from_minor_units(5055, "USD") == D("50.55")
    assert from_minor_units("1230", "KWD") == D("1.23")
    # A fraction, infinity (JSON 1e309: an OverflowError, a 500) or a number past any amount refuses the event.
    for unreadable in (12.7, float("inf"), float("nan"), 10**40, True, "12.5", None):
        with pytest.raises(NotVerified):
            from_minor_units(unreadable, "USD")
    assert from_minor_units(1200.0, "USD") == D("12.00") and from_minor_units(-1500, "USD") == D("-15.00")


def test_a_secret_in_the_settings_is_refused_and_so_is_a_variable_that_is_not_set(localstripe, monkeypatch):  # noqa: F811
    stripe_gateway = get_gateway("stripe")
    assert stripe_gateway.validate_settings(localstripe.settings()) == {}
    for secret in ("sk_test_abc123", "sk_live_abc123", "rk_live_abc", "whsec_abc"):
        errors = stripe_gateway.validate_settings({**localstripe.settings(), "secret_key_env": secret})
        assert "never be stored" in " ".join(errors["settings"])
    assert "settings" in stripe_gateway.validate_settings({**localstripe.settings(), "note": {"key": "sk_live_x"}})
    unset = stripe_gateway.validate_settings({**localstripe.settings(), "webhook_secret_env": "NOT_SET_ANYWHERE"})
    assert "NOT_SET_ANYWHERE is not set" in unset["webhook_secret_env"][0]
    assert "api_base" in stripe_gateway.validate_settings({**localstripe.settings(), "api_base": "https://evil.test"})
    assert "colour" in stripe_gateway.validate_settings({**localstripe.settings(), "colour": "blue"})
    monkeypatch.setenv(KEY_ENV, "sk_live_real_money")
    live_cards = stripe_gateway.validate_settings({**localstripe.settings(), "checkout": "test_cards"})
    assert "test keys only" in live_cards["checkout"][0]
    assert stripe_client.masked("sk_live_real_money") == "…oney"


def test_a_stripe_account_without_its_secret_cannot_start_and_nothing_is_charged(shop, monkeypatch):
    monkeypatch.delenv(WEBHOOK_ENV)
    with pytest.raises(Conflict, match="is not set on this server"):
        payment_start(actor=None, document_ids=[shop["first"].pk], account_id=None, return_url=lambda a: "/")
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.FAILED and not attempt.reference and not paid(shop["first"])


# --- Stripe's hosted Checkout (live keys): requests recorded, since the page is unreachable here -----

class Recorder(stripe.HTTPClient):
    """Answers the SDK as Stripe would, and keeps what it was asked."""

    name = "recorder"

    def __init__(self, answer: dict | Exception | list):
        super().__init__()
        self.answer, self.requests = answer, []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append((method, url, dict(headers or {}), urllib.parse.parse_qs(post_data or "")))
        answer = self.answer.pop(0) if isinstance(self.answer, list) else self.answer  # a list: one per request
        if isinstance(answer, Exception):
            raise answer
        return json.dumps(answer), 200, {}

    def close(self):
        pass


@pytest.fixture
def hosted(shop, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk_live_not_a_real_key")
    shop["account"].settings = {"secret_key_env": KEY_ENV, "webhook_secret_env": WEBHOOK_ENV}
    shop["account"].save()
    return shop


def test_with_live_keys_the_payer_goes_to_stripes_checkout_page_and_its_webhook_pays(hosted, client, monkeypatch):
    recorder = Recorder({"id": "cs_live_123", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_live_123"})
    monkeypatch.setattr(stripe_client, "http_client", lambda: recorder)
    attempt, checkout = payment_start(actor=None, document_ids=[hosted["first"].pk, hosted["second"].pk],
                                      account_id=None, return_url=lambda a: f"https://panel.example/p/{a.pk}/")
    assert checkout.redirect_url.startswith("https://checkout.stripe.com/") and attempt.reference == "cs_live_123"
    method, url, headers, sent = recorder.requests[0]
    assert (method, url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert headers["Idempotency-Key"] == f"clientpanel-attempt-{attempt.pk}"
    assert sent["line_items[0][price_data][unit_amount]"] == ["5055"] and sent["mode"] == ["payment"]
    assert sent["success_url"] == [f"https://panel.example/p/{attempt.pk}/"]
    assert sent["metadata[clientpanel_attempt]"] == [str(attempt.pk)]

    completed = {"id": "evt_cs_1", "object": "event", "type": "checkout.session.completed",
                 "created": int(time.time()),
                 "data": {"object": {"id": "cs_live_123", "object": "checkout.session", "payment_status": "paid",
                                     "payment_intent": "pi_live_9", "amount_total": 5055, "currency": "usd"}}}
    assert deliver(client, hosted, completed).status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUCCEEDED and attempt.transaction_id == "pi_live_9"
    assert paid(hosted["first"]) and paid(hosted["second"])


def test_on_stripes_page_a_card_is_kept_when_the_payer_asked_before_leaving(hosted, client, monkeypatch):
    assert get_gateway("stripe").keep_asked_before_start(hosted["account"].settings)
    recorder = Recorder([{"id": "cs_keep", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_keep"},
                         {"id": "pi_keep", "object": "payment_intent", "payment_method": "pm_kept",
                          "customer": "cus_new"},
                         {"id": "pm_kept", "object": "payment_method",
                          "card": {"brand": "mastercard", "last4": "4444"}}])
    monkeypatch.setattr(stripe_client, "http_client", lambda: recorder)
    attempt, _checkout = payment_start(actor=None, document_ids=[hosted["first"].pk], account_id=None,
                                       return_url=lambda a: "https://panel.example/", keep_method=True)
    sent = recorder.requests[0][3]
    assert sent["payment_intent_data[setup_future_usage]"] == ["off_session"]
    assert sent["customer_creation"] == ["always"] and "customer" not in sent
    assert sent["metadata[clientpanel_keep_card]"] == ["1"]
    assert sent["payment_intent_data[metadata][clientpanel_keep_card]"] == ["1"]

    completed = {"id": "evt_cs_keep", "object": "event", "type": "checkout.session.completed",
                 "created": int(time.time()),
                 "data": {"object": {"id": "cs_keep", "object": "checkout.session", "payment_status": "paid",
                                     "payment_intent": "pi_keep", "customer": "cus_new", "amount_total": 2000,
                                     "currency": "usd", "metadata": {"clientpanel_attempt": str(attempt.pk),
                                                                     "clientpanel_keep_card": "1"}}}}
    assert deliver(client, hosted, completed).status_code == 200
    assert paid(hosted["first"])
    method = SavedMethod.objects.get(client=hosted["payer"])
    assert (method.reference, method.label, method.is_default) == ("cus_new/pm_kept", "Mastercard •••• 4444", True)

    # The next payment that keeps a card goes to the same Stripe Customer; one that does not keeps nothing.
    recorder = Recorder([{"id": f"cs_{n}", "object": "checkout.session", "url": f"https://checkout.stripe.com/c/pay/cs_{n}"}
                         for n in (2, 3)])
    monkeypatch.setattr(stripe_client, "http_client", lambda: recorder)
    payment_start(actor=None, document_ids=[hosted["second"].pk], account_id=None, return_url=lambda a: "/",
                  keep_method=True)
    sent = recorder.requests[0][3]
    assert sent["customer"] == ["cus_new"] and "customer_creation" not in sent and "customer_email" not in sent
    recorder.requests.clear()
    payment_start(actor=None, document_ids=[hosted["second"].pk], account_id=None, return_url=lambda a: "/")
    sent = recorder.requests[0][3]
    assert not any("keep_card" in name or "setup_future_usage" in name or (name.startswith("customer")
                   and name != "customer_email") for name in sent)


def test_the_portal_asks_whether_to_keep_the_card_before_sending_the_payer_to_stripe(hosted, monkeypatch):
    recorder = Recorder({"id": "cs_portal", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_portal"})
    monkeypatch.setattr(stripe_client, "http_client", lambda: recorder)
    browser = signed_in(hosted["payer"].owner.email)
    page = browser.post(reverse("portal:pay"), {"documents": [hosted["first"].pk]})
    assert page.status_code == 200 and 'name="keep_method"' in page.content.decode() and not recorder.requests
    gone = browser.post(reverse("portal:pay"), {"documents": [hosted["first"].pk], "account": hosted["account"].pk,
                                                "chosen": "1", "keep_method": "on"})
    assert gone.status_code == 302 and gone["Location"] == "https://checkout.stripe.com/c/pay/cs_portal"
    assert recorder.requests[0][3]["payment_intent_data[setup_future_usage]"] == ["off_session"]


def test_the_test_cards_page_asks_itself_so_the_pay_page_does_not(shop):
    assert not get_gateway("stripe").keep_asked_before_start(shop["account"].settings)
    assert not get_gateway("test").keep_asked_before_start({})


def test_checkout_events_read_as_the_services_expect(hosted):
    stripe_gateway, settings = get_gateway("stripe"), hosted["account"].settings

    def read(kind, **fields):
        event = {"id": f"evt_{kind}", "object": "event", "type": kind, "created": int(time.time()),
                 "data": {"object": {"id": "cs_1", "currency": "jpy", **fields}}}
        body = json.dumps(event).encode()
        return stripe_gateway.verify(body, {"Stripe-Signature": stripe_signature(body)}, account_id=1,
                                     settings=settings)

    assert read("checkout.session.completed", payment_status="unpaid").kind == PENDING
    paid_late = read("checkout.session.async_payment_succeeded", payment_status="paid", amount_total=1200,
                     payment_intent="pi_1")
    assert (paid_late.kind, paid_late.amount, paid_late.currency, paid_late.transaction_id) == (
        SUCCEEDED, D("1200"), "JPY", "pi_1")
    assert read("checkout.session.expired").kind == FAILED
    with pytest.raises(NotVerified):
        stripe_gateway.verify(b"{}", {"Stripe-Signature": stripe_signature(b"{}", secret=WEBHOOK_SECRET + "x")},
                              account_id=1, settings=settings)


def test_stripe_out_of_reach_leaves_the_attempt_failed_with_a_reason(hosted, monkeypatch):
    monkeypatch.setattr(stripe_client, "http_client", lambda: Recorder(stripe.APIConnectionError("timed out")))
    with pytest.raises(Conflict, match="did not answer in time"):
        payment_start(actor=None, document_ids=[hosted["first"].pk], account_id=None, return_url=lambda a: "/")
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.FAILED and "did not answer" in attempt.error and not paid(hosted["first"])


# --- saved cards: kept when paying, charged off-session later (auto top-up) ------------------------------

def keep_visa(shop, client) -> SavedMethod:
    """Pay the first proforma with "Pay with Visa 4242 and keep the card"; deliver Stripe's webhook."""
    _browser, attempt = pay_with_card(shop, shop["first"], card="visa_keep")
    event = shop["stripe"].event_for("payment_intent.succeeded", attempt.reference)
    assert deliver(client, shop, event).status_code == 200
    return SavedMethod.objects.get(client=shop["payer"])


def info(shop, amount="12.34") -> AttemptInfo:
    return AttemptInfo(attempt_id=str(uuid.uuid4()), amount=D(amount), currency="USD", description="PF/TEST",
                       client_email="", account_id=shop["account"].pk, settings=shop["account"].settings)


def sdk(shop) -> stripe.StripeClient:
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": shop["stripe"].url})


def test_paying_and_keeping_the_card_saves_it_at_a_stripe_customer_as_the_default(shop, client):
    method = keep_visa(shop, client)
    customer, _sep, payment_method = method.reference.partition("/")
    assert customer.startswith("cus_") and payment_method.startswith("pm_") and payment_method != "pm_card_visa"
    assert method.label == "Visa •••• 4242" and method.is_default and method.account == shop["account"]
    assert paid(shop["first"])
    attempt = PaymentAttempt.objects.get()
    intent = shop["stripe"].get(f"/v1/payment_intents/{attempt.reference}")
    assert intent["customer"] == customer and intent["payment_method"] == payment_method
    # setup_future_usage="off_session" is sent to Stripe only: localstripe refuses the parameter.
    assert shop["stripe"].get(f"/v1/payment_methods/{payment_method}")["customer"] == customer
    assert shop["stripe"].get(f"/v1/customers/{customer}")["metadata"]["clientpanel_client"] == str(shop["payer"].pk)

    # A second card kept: the same customer, not the default.
    _browser, second = pay_with_card(shop, shop["second"], card="visa_keep")
    assert deliver(client, shop, shop["stripe"].event_for("payment_intent.succeeded", second.reference)
                   ).status_code == 200
    methods = SavedMethod.objects.filter(client=shop["payer"]).order_by("created_at")
    assert [m.reference.partition("/")[0] for m in methods] == [customer, customer]
    assert [m.is_default for m in methods] == [True, False]


def test_paying_without_keeping_the_card_keeps_nothing(shop, client):
    _browser, attempt = pay_with_card(shop, shop["first"])
    assert deliver(client, shop, shop["stripe"].event_for("payment_intent.succeeded", attempt.reference)
                   ).status_code == 200
    assert paid(shop["first"]) and not SavedMethod.objects.exists()


def test_a_kept_card_is_charged_off_session(shop, client):
    method = keep_visa(shop, client)
    charge = info(shop)
    note = get_gateway("stripe").charge_saved(charge, method_reference=method.reference)
    assert (note.kind, note.event_id, note.amount, note.currency) == (SUCCEEDED, f"charge_{charge.attempt_id}",
                                                                      D("12.34"), "USD")
    intent = shop["stripe"].get(f"/v1/payment_intents/{note.reference}")
    customer, _sep, payment_method = method.reference.partition("/")
    assert intent["status"] == "succeeded" and intent["amount"] == 1234
    assert intent["customer"] == customer and intent["payment_method"] == payment_method
    assert intent["metadata"]["clientpanel_attempt"] == charge.attempt_id
    charge_id = intent["latest_charge"]["id"] if isinstance(intent["latest_charge"], dict) else intent["latest_charge"]
    assert note.transaction_id == charge_id
    # localstripe neither keeps off_session on the PaymentIntent nor honours idempotency keys, so
    # "off_session=True" and "a retry answers the same payment" are checked on the request instead:
    recorder = Recorder({"id": "pi_rec", "object": "payment_intent", "status": "succeeded", "amount": 1234,
                         "amount_received": 1234, "currency": "usd", "latest_charge": "ch_rec"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stripe_client, "http_client", lambda: recorder)
        assert get_gateway("stripe").charge_saved(charge, method_reference=method.reference).transaction_id == "ch_rec"
    _method, _url, headers, sent = recorder.requests[0]
    assert sent["off_session"] == ["true"] and sent["confirm"] == ["true"]
    assert headers["Idempotency-Key"] == f"clientpanel-attempt-{charge.attempt_id}"


def test_a_kept_card_that_declines_answers_failed_with_the_reason(shop, client):
    customer = keep_visa(shop, client).reference.partition("/")[0]
    # Stripe's test card that attaches fine and is declined when charged later.
    declining = sdk(shop).v1.payment_methods.attach("pm_card_chargeCustomerFail", params={"customer": customer})
    note = get_gateway("stripe").charge_saved(info(shop), method_reference=f"{customer}/{declining.id}")
    assert note.kind == FAILED and "declined" in note.error and note.amount == D("12.34")
    assert note.reference  # the PaymentIntent's id when Stripe names it, else one of the attempt's own


def test_a_bank_asking_for_the_card_holder_answers_failed_and_no_answer_raises(shop, client, monkeypatch):
    method = keep_visa(shop, client)
    # localstripe has no off-session authentication error: Stripe's answer is played by the recorder.
    needs_holder = stripe.CardError("Your card requires authentication.", None, "authentication_required",
                                    json_body={"error": {"code": "authentication_required",
                                                         "payment_intent": {"id": "pi_needs_3ds"}}})
    monkeypatch.setattr(stripe_client, "http_client", lambda: Recorder(needs_holder))
    note = get_gateway("stripe").charge_saved(info(shop), method_reference=method.reference)
    assert note.kind == FAILED and "confirm this payment" in note.error
    monkeypatch.setattr(stripe_client, "http_client", lambda: Recorder(stripe.APIConnectionError("timed out")))
    with pytest.raises(GatewayUnanswered, match="did not answer in time"):  # not a decline: maybe charged
        get_gateway("stripe").charge_saved(info(shop), method_reference=method.reference)


@pytest.mark.parametrize("failure", [stripe.APIConnectionError("timed out"), stripe.APIError("Stripe had a problem")])
def test_a_saved_card_charge_stripe_does_not_answer_is_unanswered_never_a_decline(hosted, monkeypatch, failure):
    """No answer may still be money taken: the auto top-up must not count it as a declined try and
    charge the card again an hour later."""
    monkeypatch.setattr(stripe_client, "http_client", lambda: Recorder(failure))
    with pytest.raises(GatewayUnanswered):
        StripeGateway().charge_saved(info(hosted), method_reference="cus_kept/pm_kept")


def test_an_open_checkout_is_expired_at_stripe_when_another_payment_of_its_proformas_goes_through(
        hosted, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import transaction

    from clientpanel.payments.siblings import close_sibling_checkouts

    recorder = Recorder([{"id": f"cs_live_{n}", "object": "checkout.session", "url": "https://checkout.stripe.com/c"}
                         for n in (1, 2)] + [{"id": "cs_live_1", "object": "checkout.session", "status": "expired"}])
    monkeypatch.setattr(stripe_client, "http_client", lambda: recorder)
    older, _ = payment_start(actor=None, document_ids=[hosted["first"].pk], account_id=None, return_url=lambda a: "/")
    newer, _ = payment_start(actor=None, document_ids=[hosted["first"].pk], account_id=None, return_url=lambda a: "/")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        close_sibling_checkouts(newer)  # as the newer one's success is applied
    assert recorder.requests[-1][:2] == ("post", "https://api.stripe.com/v1/checkout/sessions/cs_live_1/expire")
    assert PaymentAttempt.objects.get(pk=older.pk).status == AttemptStatus.CLOSED
