"""A form that creates something or moves money does it once however often the page sends it (a
double click, two tabs, a request the browser repeats): the one-time key the form was shown with is
claimed by the first send (ui.forms.sent_once), and the same form sent again — one after the other,
or at the same moment from two connections (PostgreSQL) — creates and charges nothing and says it
was sent already. In the staff panel and the portal alike; a form shown again carries a new key."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import Service
from clientpanel.clients.models import Address, ClientUser
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.services import entry_post
from clientpanel.payments.models import GatewayAccount, PaymentAttempt
from clientpanel.payments.tests.concurrency import together
from clientpanel.portal.forms import sender_of
from clientpanel.tax.selectors import default_home_company

PASSWORD = "portal-owner-passphrase"
SENT_ALREADY = "This form was sent already"


@dataclass
class Case:
    """A form: the page it is on, what it sends, and how many of what it makes there are."""

    page: str
    data: dict
    made: Callable[[], int]
    staff: bool


def _world(make_client):
    default_home_company()  # a browser test's flush may have taken the migrations' one away
    client = make_client(currency="PLN", email="owner@example.com", password=PASSWORD)
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Opening")
    product = Product.objects.create(key="mini", name="MINI", module="manual")
    price = Price.objects.create(product=product, currency="PLN", period="MONTHLY", amount=Decimal("35.00"))
    return client, product, price


def _cases(client, product, price) -> dict[str, Case]:
    def documents() -> int:
        return Document.objects.filter(client=client, type=DocumentType.PROFORMA).count()

    def services() -> int:
        return Service.objects.filter(client=client).count()

    staff = f"/staff/clients/{client.pk}"
    return {
        "portal order": Case(reverse("portal:order"), {"price": str(price.pk)}, services, staff=False),
        "portal add funds": Case(reverse("portal:add-funds"), {"amount": "20"}, documents, staff=False),
        "portal invite": Case(reverse("portal:users"), {"email": "colleague@example.com", "firstname": "Col",
                                                        "lastname": "League"},
                              lambda: ClientUser.objects.filter(client=client).count(), staff=False),
        "portal address": Case(reverse("portal:address-new"), {"type": "SHIPPING", "name": "Depot", "country": "PL",
                                                               "address1": "ul. Prosta 1", "city": "Warszawa"},
                               lambda: Address.objects.filter(client=client).count(), staff=False),
        "staff add funds": Case(f"{staff}/invoices/add-funds/", {"net_amount": "20"}, documents, staff=True),
        "staff new proforma": Case(f"{staff}/invoices/new/", {"line-1-description": "Work", "line-1-quantity": "1",
                                                              "line-1-unit_price": "20"}, documents, staff=True),
        "staff new service": Case(f"{staff}/services/new/", {"product": str(product.pk), "price": str(price.pk)},
                                  services, staff=True),
    }


def _browser(case: Case, staff) -> Browser:
    browser = Browser()
    if case.staff:
        browser.force_login(staff)
    else:
        assert browser.post(reverse("portal:login"), {"email": "owner@example.com", "password": PASSWORD}).status_code \
            == 302
    return browser


def _shown_key(browser: Browser, page: str, field: str = "submission") -> str:
    """The one-time key of the form the page shows (field: its name, "<prefix>-submission" for a
    form with a prefix)."""
    html = browser.get(page).content.decode()
    assert html.count(f'name="{field}"') == 1, page  # one hidden key, on the form
    return re.search(f'name="{re.escape(field)}" value="([0-9a-f]{{32}})"', html).group(1)


@pytest.fixture
def admin(db):
    return staff_create(email="admin-once@example.com", password="correct-horse-battery", roles=["Administrator"])


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["portal order", "portal add funds", "portal invite", "portal address",
                                  "staff add funds", "staff new proforma", "staff new service"])
def test_a_form_sent_twice_makes_one_and_the_second_says_it_was_sent(make_client, admin, name):
    case = _cases(*_world(make_client))[name]
    browser = _browser(case, admin)
    before, key = case.made(), _shown_key(browser, case.page)
    first = browser.post(case.page, {**case.data, "submission": key})
    assert first.status_code == 302, first.content.decode()[:2000]
    assert case.made() == before + 1
    again = browser.post(case.page, {**case.data, "submission": key})
    assert SENT_ALREADY in again.content.decode() and case.made() == before + 1
    if name not in ("portal invite", "staff new service"):  # the same colleague, the same product: once is it
        assert browser.post(case.page, {**case.data, "submission": _shown_key(browser, case.page)}).status_code == 302
        assert case.made() == before + 2  # shown again, a new key: made again


@pytest.mark.django_db
def test_pay_now_pressed_twice_starts_one_payment(make_client):
    client, _product, _price = _world(make_client)
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    browser = _browser(Case("", {}, int, staff=False), None)
    key = _shown_key(browser, reverse("portal:document", args=[proforma.pk]))
    sent = {"documents": [str(proforma.pk)], "submission": key}
    assert browser.post(reverse("portal:pay"), sent).status_code == 302
    again = browser.post(reverse("portal:pay"), sent, follow=True)
    assert SENT_ALREADY in again.content.decode()
    assert PaymentAttempt.objects.filter(client=client).count() == 1


@pytest.mark.django_db
def test_a_refused_form_is_sent_again_once_corrected(make_client):
    """A refusal records nothing and frees the key: the same page, corrected, goes through."""
    client, _product, _price = _world(make_client)
    browser = _browser(Case("", {}, int, staff=False), None)
    key = _shown_key(browser, reverse("portal:add-funds"))
    refused = browser.post(reverse("portal:add-funds"), {"amount": "0.001", "submission": key}).content.decode()
    assert SENT_ALREADY not in refused and f'value="{key}"' in refused  # shown again with its key
    assert browser.post(reverse("portal:add-funds"), {"amount": "20", "submission": key}).status_code == 302
    assert Document.objects.filter(client=client, type=DocumentType.PROFORMA).count() == 1


@pytest.mark.django_db
def test_a_bad_key_is_refused_above_the_form(make_client):
    _client, _product, price = _world(make_client)
    browser = _browser(Case("", {}, int, staff=False), None)
    page = browser.post(reverse("portal:order"), {"price": str(price.pk), "submission": "not-a-key"}).content.decode()
    assert "Reload the form and send it again." in page and not Service.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["\x00", "a\x00b", "x" * 40])
def test_a_key_the_field_refuses_is_refused_above_the_form_on_a_page_without_a_form(make_client, key):
    """A NUL in the key is refused by the hidden field itself; the Pay now page read the refusal
    above the form ([0] of none: a 500)."""
    client, _product, price = _world(make_client)
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    browser = _browser(Case("", {}, int, staff=False), None)
    paid = browser.post(reverse("portal:pay"), {"documents": [str(proforma.pk)], "submission": key}, follow=True)
    assert paid.status_code == 200 and "Reload the form and send it again." in paid.content.decode()
    ordered = browser.post(reverse("portal:order"), {"price": str(price.pk), "submission": key})
    assert "Reload the form and send it again." in ordered.content.decode()
    assert not PaymentAttempt.objects.exists() and not Service.objects.exists()


def test_staff_logged_in_as_the_owner_claim_keys_of_their_own():
    """The portal claims keys per user, and while staff act as the user, per that staff member too."""

    class Someone:
        def __init__(self, pk):
            self.pk = pk

    user, staff, other = (Someone(uuid.uuid4()) for _ in range(3))

    @dataclass
    class Portal:
        user: object
        impersonator: object = None

    senders = {sender_of(Portal(user)), sender_of(Portal(user, staff)), sender_of(Portal(user, other))}
    assert len(senders) == 3 and all(len(sender) <= 64 for sender in senders)


# --- at the same moment (PostgreSQL: two connections, the key's unique index between them) ---------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["portal order", "portal add funds", "staff add funds", "staff new proforma",
                                  "staff new service"])
def test_a_form_sent_twice_at_the_same_moment_makes_one(make_client, admin, name):
    client, product, price = _world(make_client)
    case = _cases(client, product, price)[name]
    entries = LedgerEntry.objects.filter(client=client).count()
    signed_in = _browser(case, admin)
    before, key = case.made(), _shown_key(signed_in, case.page)

    def send():
        browser = Browser()  # a connection of its own, with the same session (and CSRF cookie)
        browser.cookies = signed_in.cookies
        return browser.post(case.page, {**case.data, "submission": key})

    answers = together(send, 2)
    assert case.made() == before + 1
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses in ([200, 302], [302, 400]), answers  # the proforma editor's refusal: 400
    refused = next(answer for answer in answers if answer.status_code != 302)
    assert SENT_ALREADY in refused.content.decode()
    if "service" in name or "order" in name:  # charged once: one charge posted
        assert LedgerEntry.objects.filter(client=client).count() == entries + 1
