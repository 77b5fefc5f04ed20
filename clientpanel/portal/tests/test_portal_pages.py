"""The portal: signing in (client users only, through the login throttle), the client switcher, and
every page behind its permission key — one table, so a portal route without a rule fails here."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients import permissions as keys
from clientpanel.clients.services import client_user_link
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db
PASSWORD = "portal-user-passphrase"

# Portal pages: url name → (permission key, takes a document id)
PAGES = {
    "dashboard": (None, False),
    "switch-client": (None, False),
    "invoices": (keys.MANAGE_INVOICES, False),
    "add-funds": (keys.MANAGE_INVOICES, False),
    "document": (keys.MANAGE_INVOICES, True),
    "document-pdf": (keys.MANAGE_INVOICES, True),
    "transactions": (keys.MANAGE_INVOICES, False),
}
OPEN_PAGES = {"login", "logout", "set_password", "password_reset", "reset_password", "verify_email"}


def _portal_names() -> set[str]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "portal":
            return {p.name for p in pattern.url_patterns if isinstance(p, URLPattern)}
    return set()


def test_every_portal_page_has_a_rule_and_declares_it():
    assert _portal_names() - OPEN_PAGES == set(PAGES)
    for pattern in next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "portal").url_patterns:
        if pattern.name in PAGES:
            assert pattern.callback.portal_permission == PAGES[pattern.name][0], pattern.name


@pytest.fixture
def world(make_client):
    mine = make_client(currency="USD", company_name="Mine Ltd", password=PASSWORD)
    theirs = make_client(currency="USD", company_name="Theirs Ltd")
    for client in (mine, theirs):
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("25"), description="Opening")
    return {"mine": mine, "theirs": theirs, "mine_doc": proforma_add_funds(actor=None, client_id=mine.pk,
                                                                            net_amount="20"),
            "their_doc": proforma_add_funds(actor=None, client_id=theirs.pk, net_amount="30")}


def _signed_in(email: str, password: str = PASSWORD) -> Client:
    browser = Client()
    response = browser.post(reverse("portal:login"), {"email": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


def _member(client, *permissions, email="member@example.com"):
    client_user_link(actor=None, client_id=client.pk, data={
        "email": email, "firstname": "Mem", "lastname": "Ber", "password": PASSWORD, "permissions": list(permissions)})
    return email


def _url(name: str, document=None) -> str:
    return reverse(f"portal:{name}", args=[document.pk] if PAGES[name][1] else [])


@pytest.mark.parametrize("permission", [None, *sorted({p for p, _ in PAGES.values() if p})])
def test_each_page_needs_its_key_and_is_absent_otherwise(world, permission):
    browser = _signed_in(_member(world["mine"], *([permission] if permission else [])))
    for name, (needed, _with_document) in PAGES.items():
        method = browser.post if name == "switch-client" else browser.get
        data = {"client": str(world["mine"].pk)} if name == "switch-client" else {}
        response = method(_url(name, world["mine_doc"]), data)
        if needed is None or needed == permission:
            assert response.status_code in (200, 302), (name, permission, response.status_code)
        else:
            assert response.status_code == 404, (name, permission)
    menu = browser.get(reverse("portal:dashboard")).content.decode()
    assert (reverse("portal:invoices") in menu) == (permission == keys.MANAGE_INVOICES)


def test_another_clients_document_is_a_404_even_for_the_owner(world):
    browser = _signed_in(world["mine"].owner.email)
    assert browser.get(_url("document", world["mine_doc"])).status_code == 200
    assert browser.get(_url("document", world["their_doc"])).status_code == 404
    assert browser.get(_url("document-pdf", world["their_doc"])).status_code == 404
    pdf = browser.get(_url("document-pdf", world["mine_doc"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("attachment")


def test_staff_cannot_sign_in_to_the_portal_and_a_portal_user_opens_no_staff_page(world):
    staff_create(email="staffer@example.com", password=PASSWORD, roles=["Administrator"])
    refused = Client().post(reverse("portal:login"), {"email": "staffer@example.com", "password": PASSWORD})
    assert refused.status_code == 200 and "correct email and password" in refused.content.decode()
    browser = _signed_in(world["mine"].owner.email)
    assert browser.get(reverse("backoffice:dashboard")).status_code == 302  # to the staff login
    assert browser.get(reverse("portal:login") + "?next=/staff/").status_code == 200


def test_wrong_passwords_are_throttled_like_the_staff_login(world):
    email = world["mine"].owner.email
    for _ in range(5):
        Client().post(reverse("portal:login"), {"email": email, "password": "wrong-wrong"})
    blocked = Client().post(reverse("portal:login"), {"email": email, "password": PASSWORD})
    assert "Too many failed attempts" in blocked.content.decode()


def test_one_login_switches_between_its_clients_and_never_to_another(world, make_client):
    email = _member(world["mine"], keys.MANAGE_INVOICES, email="shared@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.MANAGE_INVOICES]})
    browser = _signed_in(email)
    first = browser.get(reverse("portal:invoices")).content.decode()
    assert world["mine_doc"].number in first and world["their_doc"].number not in first
    browser.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk)})
    second = browser.get(reverse("portal:invoices")).content.decode()
    assert world["their_doc"].number in second and world["mine_doc"].number not in second
    stranger = make_client()
    assert browser.post(reverse("portal:switch-client"), {"client": str(stranger.pk)}).status_code == 404


def test_add_funds_keeps_to_the_portal_limits_and_issues_a_proforma(world, settings):
    settings.CLIENTPANEL_PORTAL_ADD_FUNDS = {"minimum": "10", "maximum": "500", "maximum_balance": "100"}
    browser = _signed_in(world["mine"].owner.email)
    url = reverse("portal:add-funds")
    assert "Add at least 10 USD" in browser.post(url, {"amount": "5"}).content.decode()
    assert "Add at most 500 USD at once" in browser.post(url, {"amount": "600"}).content.decode()
    assert "may not exceed 100 USD" in browser.post(url, {"amount": "90"}).content.decode()
    issued = browser.post(url, {"amount": "50"})
    assert issued.status_code == 302
    page = browser.get(issued["Location"]).content.decode()
    assert 'id="transfer-title"' in page


def test_logging_out_ends_the_portal_session_and_a_post_needs_csrf(world):
    browser = _signed_in(world["mine"].owner.email)
    browser.post(reverse("portal:logout"))
    assert browser.get(reverse("portal:dashboard")).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("portal:login"), {"email": world["mine"].owner.email,
                                                 "password": PASSWORD}).status_code == 403
