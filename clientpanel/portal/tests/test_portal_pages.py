"""The portal: signing in (client users only, through the login throttle), the client switcher, and
every page behind its permission key — one table, so a portal route without a rule fails here."""

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients import permissions as keys
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import client_user_link
from clientpanel.invoicing.models import Document
from clientpanel.tax.models import HomeCompany

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Portal pages: url name → (permission key, the object whose id the URL takes, if any); POST_PAGES
# take only a POST (their GET is refused after the permission check).
PAGES = {
    "dashboard": (None, None),
    "switch-client": (None, None),
    "account": (None, None),
    "logo": (None, None),
    "account-2fa": (None, None),
    "invoices": (keys.MANAGE_INVOICES, None),
    "add-funds": (keys.MANAGE_INVOICES, None),
    "document": (keys.MANAGE_INVOICES, "mine_doc"),
    "document-pdf": (keys.MANAGE_INVOICES, "mine_doc"),
    "document-einvoice": (keys.MANAGE_INVOICES, "mine_doc"),
    "transactions": (keys.MANAGE_INVOICES, None),
    "pay": (keys.MANAGE_INVOICES, None),
    "pay-saved": (keys.MANAGE_INVOICES, None),
    "payment-methods": (keys.MANAGE_INVOICES, None),
    "payment": (keys.MANAGE_INVOICES, "mine_attempt"),
    "test-gateway": (keys.MANAGE_INVOICES, "mine_attempt"),
    "services": (keys.MANAGE_SERVICES, None),
    "service": (keys.MANAGE_SERVICES, "mine_service"),
    "order": (keys.MANAGE_ORDERS, None),
    "service-cancel": (keys.MANAGE_ORDERS, "mine_service"),
    "service-keep": (keys.MANAGE_ORDERS, "mine_service"),
    "profile": (keys.MODIFY_MASTER_PROFILE, None),
    "region-options": (None, None),  # a country's states and regions: public facts, for any signed-in user
    "addresses": (keys.MODIFY_MASTER_PROFILE, None),
    "address-new": (keys.MODIFY_MASTER_PROFILE, None),
    # The billing address: its page opens, and it is neither made default nor deleted (refused, 302).
    "address": (keys.MODIFY_MASTER_PROFILE, "mine_billing"),
    "address-default": (keys.MODIFY_MASTER_PROFILE, "mine_billing"),
    "address-delete": (keys.MODIFY_MASTER_PROFILE, "mine_billing"),
    "files": (keys.VIEW_DOCUMENTS, None),
    "file-download": (keys.VIEW_DOCUMENTS, "mine_file"),
    "users": (keys.MANAGE_USERS, None),
    "user": (keys.MANAGE_USERS, "mine_user"),
    "user-remove": (keys.MANAGE_USERS, "mine_user"),
}
POST_PAGES = {"switch-client", "service-keep", "user-remove", "pay", "pay-saved", "address-default", "address-delete"}
# Gateways' notifications (payment-notify) are signed, not signed in: payments/tests test them.
OPEN_PAGES = {"login", "login-code", "signup", "logout", "set_password", "password_reset", "reset_password",
              "verify_email", "payment-notify", "language"}
# A gateway's own payment page opens only for that gateway's payments (payments/tests/test_stripe.py
# opens it); it declares Manage Invoices like the other payment pages.
GATEWAY_PAGES = {"stripe-test-cards": keys.MANAGE_INVOICES}


def _portal_names() -> set[str]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "portal":
            return {p.name for p in pattern.url_patterns if isinstance(p, URLPattern)}
    return set()


def test_every_portal_page_has_a_rule_and_declares_it():
    assert _portal_names() - OPEN_PAGES - set(GATEWAY_PAGES) == set(PAGES)
    for pattern in next(p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "portal").url_patterns:
        if pattern.name in PAGES:
            assert pattern.callback.portal_permission == PAGES[pattern.name][0], pattern.name
        if pattern.name in GATEWAY_PAGES:
            assert pattern.callback.portal_permission == GATEWAY_PAGES[pattern.name], pattern.name


def _signed_in(email: str, password: str = PASSWORD) -> Client:
    browser = Client()
    response = browser.post(reverse("portal:login"), {"email": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return browser


def _member(client, *permissions, email="member@example.com"):
    client_user_link(actor=None, client_id=client.pk, data={
        "email": email, "firstname": "Mem", "lastname": "Ber", "password": PASSWORD, "permissions": list(permissions)})
    return email


def _url(name: str, world=None) -> str:
    target = PAGES[name][1]
    if target == "mine_user":
        return reverse(f"portal:{name}", args=[world[target].user_id])
    if target == "mine_billing":
        return reverse(f"portal:{name}", args=[billing_address_of(world["mine"]).pk])
    return reverse(f"portal:{name}", args=[world[target].pk] if target else [])


@pytest.mark.parametrize("permission", [None, *sorted({p for p, _ in PAGES.values() if p})])
def test_each_page_needs_its_key_and_is_absent_otherwise(world, permission):
    browser = _signed_in(_member(world["mine"], *([permission] if permission else [])))
    for name, (needed, _target) in PAGES.items():
        method = browser.post if name in POST_PAGES else browser.get
        data = {"client": str(world["mine"].pk)} if name == "switch-client" else {}
        response = method(_url(name, world), data)
        if needed is None or needed == permission:
            assert response.status_code in (200, 302), (name, permission, response.status_code)
        else:
            assert response.status_code == 404, (name, permission)
    menu = browser.get(reverse("portal:dashboard")).content.decode()
    assert (reverse("portal:invoices") in menu) == (permission == keys.MANAGE_INVOICES)
    assert (f'href="{reverse("portal:services")}"' in menu) == (permission == keys.MANAGE_SERVICES)
    assert (f'href="{reverse("portal:order")}"' in menu) == (permission == keys.MANAGE_ORDERS)
    assert (f'href="{reverse("portal:profile")}"' in menu) == (permission == keys.MODIFY_MASTER_PROFILE)
    assert (f'href="{reverse("portal:addresses")}"' in menu) == (permission == keys.MODIFY_MASTER_PROFILE)
    assert (f'href="{reverse("portal:files")}"' in menu) == (permission == keys.VIEW_DOCUMENTS)
    assert (f'href="{reverse("portal:users")}"' in menu) == (permission == keys.MANAGE_USERS)


def test_another_clients_document_is_a_404_even_for_the_owner(world):
    browser = _signed_in(world["mine"].owner.email)
    assert browser.get(_url("document", world)).status_code == 200
    assert browser.get(reverse("portal:document", args=[world["their_doc"].pk])).status_code == 404
    assert browser.get(reverse("portal:document-pdf", args=[world["their_doc"].pk])).status_code == 404
    pdf = browser.get(_url("document-pdf", world))
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
    HomeCompany.objects.update(bank_details="PL61 1090 1014 0000 0712 1981 2874")  # to pay by transfer to
    browser = _signed_in(world["mine"].owner.email)
    url = reverse("portal:add-funds")
    page = browser.get(url).content.decode()  # the limits in the client's currency, before anything is typed
    assert "From $10.00 to $500.00 at once; your balance may not exceed $100.00." in page
    assert "Add at least $10.00." in browser.post(url, {"amount": "5"}).content.decode()
    assert "Add at most $500.00 at once." in browser.post(url, {"amount": "600"}).content.decode()
    over = browser.post(url, {"amount": "90"}).content.decode()  # the balance is $25.00
    assert "may not exceed $100.00; you may add at most $75.00 now." in over
    issued = browser.post(url, {"amount": "50"})
    assert issued.status_code == 302
    page = browser.get(issued["Location"]).content.decode()
    assert 'id="transfer-title"' in page


def test_the_portal_issues_a_few_unpaid_add_funds_proformas_at_once_not_without_end(world, settings):
    """Each is a numbered document and an e-mail: past the limit the portal asks to pay one first."""
    settings.CLIENTPANEL_PORTAL_ADD_FUNDS = {"minimum": "10", "maximum": "500", "maximum_balance": "",
                                             "unpaid_at_once": 2}
    browser = _signed_in(world["mine"].owner.email)
    url = reverse("portal:add-funds")
    unpaid = Document.objects.filter(client=world["mine"], status="UNPAID", items__is_topup=True).count()
    for _ in range(max(0, 2 - unpaid)):
        assert browser.post(url, {"amount": "20"}).status_code == 302
    refused = browser.post(url, {"amount": "20"}).content.decode()
    assert "Add Funds proformas wait to be paid" in refused
    assert Document.objects.filter(client=world["mine"], status="UNPAID", items__is_topup=True).count() == 2


def test_logging_out_ends_the_portal_session_and_a_post_needs_csrf(world):
    browser = _signed_in(world["mine"].owner.email)
    browser.post(reverse("portal:logout"))
    assert browser.get(reverse("portal:dashboard")).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("portal:login"), {"email": world["mine"].owner.email,
                                                 "password": PASSWORD}).status_code == 403


def test_a_stored_pdf_that_no_longer_matches_is_refused_with_the_reason(world):
    document = world["mine_doc"]
    with storages["documents"].open(document.pdf_name, "wb") as handle:
        handle.write(b"%PDF-1.4 not what was issued")
    browser = _signed_in(world["mine"].owner.email)
    response = browser.get(reverse("portal:document-pdf", args=[document.pk]), follow=True)
    assert response.status_code == 200 and "does not match the SHA-256" in response.content.decode()
