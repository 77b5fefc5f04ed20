"""Who may open what: every staff page and API endpoint, for each default role, a staff member
without a role, and a staff member limited to assigned clients — generated from one table.

A new page or endpoint without a row here fails `test_every_page_has_a_rule` /
`test_every_api_endpoint_has_a_rule`.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from hashlib import sha256

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.roles import AREAS, EDIT_CLIENTS, FINANCE, MANAGE_STAFF, PRODUCTS, SETTINGS, VIEW_CLIENTS
from clientpanel.accounts.scopes import SCOPES_OF_AREA
from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.api.urls import api
from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order
from clientpanel.clients.models import ClientGroup, StaffAssignment
from clientpanel.clients.services import client_create, client_user_link
from clientpanel.einvoices.models import EInvoice
from clientpanel.files.services import client_file_upload
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.notifications.models import EmailMessage
from clientpanel.payments.models import BankStatement, GatewayAccount
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import tax_rule_save
from clientpanel.webhooks.services import endpoint_create
from conftest import client_data

pytestmark = pytest.mark.django_db

ROLES = {"Administrator": set(AREAS), "Support": {VIEW_CLIENTS, EDIT_CLIENTS, "area_impersonate"},
         "Accountant": {VIEW_CLIENTS, "area_finance"}, "Read-only": {VIEW_CLIENTS}, "no role": set()}

# Staff pages: url name → (area needed, is it about one client, GET or POST-only)
PAGES = {
    "dashboard": (None, False, "GET"),
    "client-list": (VIEW_CLIENTS, False, "GET"),
    "service-list": (VIEW_CLIENTS, False, "GET"),
    "client-list-export": (VIEW_CLIENTS, False, "GET"),
    "client-bulk": (VIEW_CLIENTS, False, "POST"),
    "client-bulk-run": (VIEW_CLIENTS, False, "POST"),
    "client-create": (EDIT_CLIENTS, False, "GET"),
    "client-import": (EDIT_CLIENTS, False, "GET"),
    "client-quick-create": (EDIT_CLIENTS, False, "GET"),
    "region-options": (frozenset({VIEW_CLIENTS, SETTINGS}), False, "GET"),  # client forms and home companies
    "client-summary": (VIEW_CLIENTS, True, "GET"),
    "client-profile": (VIEW_CLIENTS, True, "GET"),
    "client-vies-check": (EDIT_CLIENTS, True, "POST"),
    "address-create": (EDIT_CLIENTS, True, "GET"),
    "address-edit": (EDIT_CLIENTS, True, "GET"),
    "address-delete": (EDIT_CLIENTS, True, "POST"),
    "client-users": (VIEW_CLIENTS, True, "GET"),
    "client-user-associate": (EDIT_CLIENTS, True, "GET"),
    "client-user-candidates": (EDIT_CLIENTS, True, "GET"),
    "client-user-edit": (EDIT_CLIENTS, True, "GET"),
    "client-user-remove": (EDIT_CLIENTS, True, "POST"),
    "client-transfer-ownership": (EDIT_CLIENTS, True, "POST"),
    "client-user-account": (EDIT_CLIENTS, True, "GET"),
    "client-data-export": (EDIT_CLIENTS, True, "GET"),
    "client-erase": (EDIT_CLIENTS, True, "GET"),
    "client-user-verify-email": (EDIT_CLIENTS, True, "POST"),
    "client-user-2fa-reset": (EDIT_CLIENTS, True, "POST"),
    "client-user-password-reset": (EDIT_CLIENTS, True, "POST"),
    "client-activity": (VIEW_CLIENTS, True, "GET"),
    "client-transactions": (VIEW_CLIENTS, True, "GET"),
    "client-transactions-export": (VIEW_CLIENTS, True, "GET"),
    "client-transaction-create": (FINANCE, True, "GET"),
    "user-list": (VIEW_CLIENTS, False, "GET"),
    "user-detail": (VIEW_CLIENTS, False, "GET"),
    "staff-list": (MANAGE_STAFF, False, "GET"),
    "staff-create": (MANAGE_STAFF, False, "GET"),
    "staff-edit": (MANAGE_STAFF, False, "GET"),
    "staff-password-reset": (MANAGE_STAFF, False, "GET"),
    "staff-2fa-reset": (MANAGE_STAFF, False, "POST"),
    "role-create": (MANAGE_STAFF, False, "GET"),
    "role-edit": (MANAGE_STAFF, False, "GET"),
    "group-list": (SETTINGS, False, "GET"),
    "group-create": (SETTINGS, False, "GET"),
    "group-edit": (SETTINGS, False, "GET"),
    "group-delete": (SETTINGS, False, "POST"),
    "activity-log": (SETTINGS, False, "GET"),
    "account-2fa": (None, False, "GET"),
    "account-password": (None, False, "GET"),
    "account-language": (None, False, "POST"),
    "api-token-list": (None, False, "GET"),
    "api-token-revoke": (None, False, "POST"),
    "client-invoices": (VIEW_CLIENTS, True, "GET"),
    "add-funds": (FINANCE, True, "GET"),
    "proforma-create": (FINANCE, True, "GET"),
    "proforma-preview": (FINANCE, True, "POST"),
    "client-documents-zip": (VIEW_CLIENTS, True, "GET"),
    "client-invoices-export": (VIEW_CLIENTS, True, "GET"),
    "document-detail": (VIEW_CLIENTS, True, "GET"),
    "document-pay": (FINANCE, True, "GET"),
    "document-credit-note": (FINANCE, True, "GET"),
    "document-cancel": (FINANCE, True, "POST"),
    "document-gateway-refund-retry": (FINANCE, True, "POST"),
    "document-pdf": (VIEW_CLIENTS, True, "GET"),
    "document-einvoice": (VIEW_CLIENTS, True, "GET"),
    "document-einvoice-make": (FINANCE, True, "POST"),
    "document-einvoice-ksef-number": (FINANCE, True, "POST"),
    "document-einvoice-send": (FINANCE, True, "POST"),
    "document-einvoice-upo": (VIEW_CLIENTS, True, "GET"),
    "finance-vat-rates": (FINANCE, False, "GET"),
    "finance-vat-rates-fetch": (FINANCE, False, "POST"),
    "home-company-einvoice": (SETTINGS, False, "POST"),
    "finance-documents": (FINANCE, False, "GET"),
    "finance-transactions": (FINANCE, False, "GET"),
    "finance-documents-export": (FINANCE, False, "GET"),
    "finance-transactions-export": (FINANCE, False, "GET"),
    "finance-reports": (FINANCE, False, "GET"),
    **{f"finance-report-{report}{export}": (FINANCE, False, "GET")
       for report in ("revenue", "tax", "aging", "balances") for export in ("", "-export")},
    "home-company-list": (SETTINGS, False, "GET"),
    "home-company-create": (SETTINGS, False, "GET"),
    "home-company-edit": (SETTINGS, False, "GET"),
    "tax-rule-create": (SETTINGS, False, "GET"),
    "tax-rule-edit": (SETTINGS, False, "GET"),
    "tax-rule-delete": (SETTINGS, False, "POST"),
    "home-company-logo": (SETTINGS, False, "POST"),
    "tax-presets": (SETTINGS, False, "POST"),
    "gateway-account-add": (SETTINGS, False, "POST"),
    "client-payment-resolve": (FINANCE, True, "POST"),
    "gateway-account-edit": (SETTINGS, False, "POST"),
    "finance-bank-statements": (FINANCE, False, "GET"),
    "finance-bank-statement-upload": (FINANCE, False, "GET"),
    "finance-bank-statement": (FINANCE, False, "GET"),
    "finance-bank-statement-record": (FINANCE, False, "POST"),
    "finance-bank-line-choose": (FINANCE, False, "POST"),
    "finance-bank-line-ignore": (FINANCE, False, "POST"),
    "client-services": (VIEW_CLIENTS, True, "GET"),
    "service-add": (EDIT_CLIENTS, True, "GET"),
    "client-files": (VIEW_CLIENTS, True, "GET"),
    "client-file-upload": (EDIT_CLIENTS, True, "GET"),
    "client-file-download": (VIEW_CLIENTS, True, "GET"),
    "client-file-delete": (EDIT_CLIENTS, True, "POST"),
    "service-detail": (VIEW_CLIENTS, True, "GET"),
    "service-do": (EDIT_CLIENTS, True, "POST"),
    "product-list": (PRODUCTS, False, "GET"),
    "product-create": (PRODUCTS, False, "GET"),
    "product-edit": (PRODUCTS, False, "GET"),
    "price-add": (PRODUCTS, False, "POST"),
    "product-retire": (PRODUCTS, False, "POST"),
    "price-edit": (PRODUCTS, False, "GET"),
    "price-retire": (PRODUCTS, False, "POST"),
    "product-exchange-rates": (frozenset({PRODUCTS, SETTINGS}), False, "GET"),  # either area
    "product-exchange-rate-delete": (frozenset({PRODUCTS, SETTINGS}), False, "POST"),
    "add-funds-limits": (SETTINGS, False, "GET"),
    "add-funds-limit-remove": (SETTINGS, False, "POST"),
    "automation": (SETTINGS, False, "GET"),
    "automation-run": (SETTINGS, False, "POST"),
    "client-welcome-email": (EDIT_CLIENTS, True, "POST"),
    "client-emails": (VIEW_CLIENTS, True, "GET"),
    "email-detail": (VIEW_CLIENTS, True, "GET"),
    "email-resend": (EDIT_CLIENTS, True, "POST"),
    "email-log": (VIEW_CLIENTS, False, "GET"),
    "email-template-list": (SETTINGS, False, "GET"),
    "email-template-edit": (SETTINGS, False, "GET"),
    "user-verification-email": (EDIT_CLIENTS, False, "POST"),
    "client-login-as": ("area_impersonate", True, "POST"),
    "client-user-login-as": ("area_impersonate", True, "POST"),
    "webhook-list": (SETTINGS, False, "GET"),
    "webhook-create": (SETTINGS, False, "GET"),
    "webhook-detail": (SETTINGS, False, "GET"),
    "webhook-test": (SETTINGS, False, "POST"),
    "webhook-rotate": (SETTINGS, False, "POST"),
    "webhook-replay": (SETTINGS, False, "POST"),
    "webhook-delete": (SETTINGS, False, "POST"),
}
STATE_DEPENDENT = {("POST", "/invoices/{document_id}/credit-notes"), ("POST", "/invoices/{document_id}/cancel"),
                   ("POST", "/services/{service_id}/suspend"), ("POST", "/services/{service_id}/unsuspend"),
                   ("POST", "/services/{service_id}/terminate"), ("POST", "/services/{service_id}/retry"),
                   ("POST", "/webhooks/{webhook_id}/messages/{message_id}/replay")}
DOCUMENT_PAGES = {"document-detail", "document-pay", "document-credit-note", "document-cancel", "document-pdf",
                  "document-gateway-refund-retry", "document-einvoice", "document-einvoice-make",
                  "document-einvoice-ksef-number", "document-einvoice-send", "document-einvoice-upo"}
PUBLIC_PAGES = {"login", "logout", "login-verify"}
# A background task's page answers only the staff member who started it, whatever their roles
# (404 to anybody else): clientpanel/automation/tests/test_background.py.
OWN_PAGES = {"background-task", "background-task-progress",
             # A CSV import's pages: its starter's own (404 to others); backoffice/tests/test_client_import.py
             "client-import-map", "client-import-preview", "client-import-commit", "client-import-rejected"}

# API: (method, path) → scope needed
API = {
    ("GET", "/clients"): "clients:read",
    ("POST", "/clients"): "clients:write",
    ("GET", "/clients/{client_id}"): "clients:read",
    ("PATCH", "/clients/{client_id}"): "clients:write",
    ("GET", "/clients/{client_id}/addresses"): "clients:read",
    ("POST", "/clients/{client_id}/addresses"): "clients:write",
    ("PATCH", "/clients/{client_id}/addresses/{address_id}"): "clients:write",
    ("DELETE", "/clients/{client_id}/addresses/{address_id}"): "clients:write",
    ("GET", "/clients/{client_id}/users"): "users:read",
    ("POST", "/clients/{client_id}/users"): "users:write",
    ("PATCH", "/clients/{client_id}/users/{user_id}"): "users:write",
    ("DELETE", "/clients/{client_id}/users/{user_id}"): "users:write",
    ("GET", "/users"): "users:read",
    ("POST", "/users"): "users:write",
    ("GET", "/users/{user_id}"): "users:read",
    ("GET", "/groups"): "groups:read",
    ("POST", "/groups"): "groups:write",
    ("GET", "/clients/{client_id}/transactions"): "clients:read",
    ("POST", "/clients/{client_id}/transactions"): "finance:write",
    ("GET", "/clients/{client_id}/invoices"): "clients:read",
    ("POST", "/clients/{client_id}/invoices/add-funds"): "finance:write",
    ("POST", "/clients/{client_id}/invoices"): "finance:write",
    ("GET", "/invoices/{document_id}"): "clients:read",
    ("GET", "/invoices/{document_id}/pdf"): "clients:read",
    ("GET", "/invoices/{document_id}/xml"): "clients:read",
    ("GET", "/invoices/{document_id}/einvoice"): "clients:read",
    ("POST", "/invoices/{document_id}/payments"): "finance:write",
    ("POST", "/invoices/{document_id}/credit-notes"): "finance:write",
    ("POST", "/invoices/{document_id}/cancel"): "finance:write",
    ("GET", "/home-companies"): "finance:read",
    ("POST", "/home-companies"): "settings:write",
    ("GET", "/add-funds-limits"): "settings:write",
    ("PUT", "/add-funds-limits/{currency}"): "settings:write",
    ("DELETE", "/add-funds-limits/{currency}"): "settings:write",  # after PUT: it removes what PUT set
    ("GET", "/products"): "products:read",
    ("POST", "/products"): "products:write",
    ("PATCH", "/products/{product_id}/prices/{price_id}"): "products:write",
    ("GET", "/clients/{client_id}/services"): "clients:read",
    ("POST", "/clients/{client_id}/services"): "clients:write",
    ("GET", "/services/{service_id}"): "clients:read",
    ("POST", "/services/{service_id}/suspend"): "clients:write",
    ("POST", "/services/{service_id}/unsuspend"): "clients:write",
    ("POST", "/services/{service_id}/terminate"): "clients:write",
    ("POST", "/services/{service_id}/retry"): "clients:write",
    ("POST", "/imports/clients"): "clients:write",
    ("GET", "/imports/{import_id}"): "clients:write",
    ("GET", "/webhooks"): "settings:write",
    ("POST", "/webhooks"): "settings:write",
    ("GET", "/webhooks/{webhook_id}"): "settings:write",
    ("PATCH", "/webhooks/{webhook_id}"): "settings:write",
    ("POST", "/webhooks/{webhook_id}/rotate-secret"): "settings:write",
    ("POST", "/webhooks/{webhook_id}/test"): "settings:write",
    ("GET", "/webhooks/{webhook_id}/messages"): "settings:write",
    ("POST", "/webhooks/{webhook_id}/messages/{message_id}/replay"): "settings:write",
    ("DELETE", "/webhooks/{webhook_id}"): "settings:write",  # last: the calls above use the endpoint
}


def _flat(patterns) -> list[URLPattern]:
    """The pages of a URL list, those of its include()d lists too."""
    found = []
    for pattern in patterns:
        found += _flat(pattern.url_patterns) if isinstance(pattern, URLResolver) else [pattern]
    return found


def _backoffice_pages() -> list[URLPattern]:
    staff_panel = next(p for p in get_resolver().url_patterns
                       if isinstance(p, URLResolver) and p.namespace == "backoffice")
    return _flat(staff_panel.url_patterns)


def test_every_page_has_a_rule():
    assert {p.name for p in _backoffice_pages()} - PUBLIC_PAGES - OWN_PAGES == set(PAGES)


def test_every_page_view_declares_its_area():
    for p in _backoffice_pages():
        if p.name in PAGES:
            assert getattr(p.callback, "required_area", "missing") == PAGES[p.name][0], p.name


def test_every_api_endpoint_has_a_rule():
    schema = api.get_openapi_schema()
    found = {(method.upper(), path.removeprefix("/api/v1"))
             for path, methods in schema["paths"].items() for method in methods}
    assert found == set(API)


@pytest.fixture
def world():
    """Two clients, one assigned to the limited staff member; one extra linked user; a group."""
    mine = client_create(actor=None, data=client_data(company_name="Assigned Ltd"))
    theirs = client_create(actor=None, data=client_data(company_name="Hidden Ltd"))
    extra = client_user_link(actor=None, client_id=mine.pk, data={
        "email": "helper@example.com", "firstname": "H", "lastname": "E", "permissions": ["manage-services"]})
    client_user_link(actor=None, client_id=theirs.pk, data={
        "email": "other@example.com", "firstname": "O", "lastname": "T", "permissions": []})
    group = ClientGroup.objects.create(name="VIP")
    company = default_home_company()
    rule = tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT",
                                                                    "tax1_rate": "23"})
    product = Product.objects.create(key="vps", name="VPS", module="manual")
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("5"))
    for client in (mine, theirs):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
        # Who may fetch a document's e-invoice is what is checked here, not what it holds: a file
        # stands for the one an invoice would get (clientpanel/einvoices/tests make real ones).
        content = b"<?xml version='1.0'?><Faktura/>"
        EInvoice.objects.create(document=proforma, format="ksef_fa3", status="MADE", sha256=sha256(content).hexdigest(),
                                file_name=storages["documents"].save(f"{proforma.pk}.xml", ContentFile(content)),
                                upo_name=storages["documents"].save(f"{proforma.pk}.upo.xml", ContentFile(content)),
                                upo_sha256=sha256(content).hexdigest())
        client_file_upload(actor=None, client_id=client.pk, file=ContentFile(b"%PDF-1.4 signed", name="contract.pdf"))
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk,
                      allow_over_limit=True)
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Administrator"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=mine)
    token, _ = api_token_create(user=limited, name="limited's script")
    webhook, _secret = endpoint_create(actor=None, data={"url": "http://127.0.0.1:9/hooks"})
    return {"mine": mine, "theirs": theirs, "helper": extra.user, "group": group, "limited": limited,
            "company": company, "rule": rule, "product": product, "token": token, "webhook": webhook,
            "other": theirs.user_links.exclude(user=theirs.owner).get().user}


def _page_url(name: str, world, client) -> str:
    args = {
        "address-edit": lambda: [client.pk, client.addresses.get(type="BILLING").pk],
        "address-delete": lambda: [client.pk, client.addresses.get(type="BILLING").pk],
        "client-user-edit": lambda: [client.pk, client.user_links.exclude(user=client.owner).get().user_id],
        "client-user-remove": lambda: [client.pk, client.user_links.exclude(user=client.owner).get().user_id],
        "client-transfer-ownership": lambda: [client.pk, client.user_links.exclude(user=client.owner).get().user_id],
        **{name: (lambda: [client.pk, client.user_links.exclude(user=client.owner).get().user_id])
           for name in ("client-user-account", "client-user-verify-email", "client-user-2fa-reset",
                        "client-user-password-reset")},
        "user-detail": lambda: [client.owner_id],
        "staff-edit": lambda: [world["limited"].pk],
        "staff-password-reset": lambda: [world["limited"].pk],
        "staff-2fa-reset": lambda: [world["limited"].pk],
        "role-edit": lambda: [Group.objects.first().pk],
        "group-edit": lambda: [world["group"].pk],
        "group-delete": lambda: [world["group"].pk],
        "home-company-edit": lambda: [world["company"].pk],
        "tax-rule-create": lambda: [world["company"].pk],
        "tax-rule-edit": lambda: [world["company"].pk, world["rule"].pk],
        "tax-rule-delete": lambda: [world["company"].pk, world["rule"].pk],
        "home-company-logo": lambda: [world["company"].pk],
        "gateway-account-add": lambda: [world["company"].pk],
        "home-company-einvoice": lambda: [world["company"].pk],
        "client-payment-resolve": lambda: [client.pk, uuid.uuid4()],
        "gateway-account-edit": lambda: [world["company"].pk, GatewayAccount.objects.get_or_create(
            home_company=world["company"], gateway="test")[0].pk],
        "finance-bank-statement": lambda: [BankStatement.objects.get_or_create(
            file_name="m.csv", uploaded_by_label="x")[0].pk],
        "finance-bank-statement-record": lambda: [uuid.uuid4()],
        **{n: (lambda: [uuid.uuid4(), 1]) for n in ("finance-bank-line-choose", "finance-bank-line-ignore")},
        "tax-presets": lambda: [world["company"].pk],
        **{name: (lambda: [client.documents.first().pk]) for name in DOCUMENT_PAGES},
        "client-file-download": lambda: [client.pk, client.files.first().pk],
        "client-file-delete": lambda: [client.pk, client.files.first().pk],
        "service-detail": lambda: [client.services.first().pk],
        "service-do": lambda: [client.services.first().pk, "suspend"],
        "product-edit": lambda: [world["product"].pk],
        "price-add": lambda: [world["product"].pk],
        "product-retire": lambda: [world["product"].pk],
        "price-edit": lambda: [world["product"].pk, world["product"].prices.first().pk],
        "price-retire": lambda: [world["product"].pk, world["product"].prices.first().pk],
        "product-exchange-rate-delete": lambda: ["EUR"],
        "add-funds-limit-remove": lambda: ["EUR"],
        "automation-run": lambda: ["charge_services"],
        "api-token-revoke": lambda: [world["token"].pk],
        "email-detail": lambda: [EmailMessage.objects.filter(client_id=client.pk).first().pk],
        "email-resend": lambda: [EmailMessage.objects.filter(client_id=client.pk).first().pk],
        "email-template-edit": lambda: ["welcome", "en"],
        "user-verification-email": lambda: [client.owner_id],
        "client-user-login-as": lambda: [client.pk, client.owner_id],
        **{name: (lambda: [world["webhook"].pk]) for name in ("webhook-detail", "webhook-test", "webhook-rotate",
                                                              "webhook-delete")},
        "webhook-replay": lambda: [world["webhook"].pk, "msg_none"],
    }
    if name in args:
        return reverse(f"backoffice:{name}", args=args[name]())
    if PAGES[name][1]:
        return reverse(f"backoffice:{name}", args=[client.pk])
    return reverse(f"backoffice:{name}")


def _make_staff(role: str):
    roles = [] if role == "no role" else [role]
    return staff_create(email=f"{role.replace(' ', '-').lower()}@example.com", password="correct-horse-battery",
                        roles=roles)


def _reaches(area, held: set[str]) -> bool:
    """A page's area (None: any staff member; a frozenset: any one of them) against a role's areas."""
    if area is None:
        return True
    return not area.isdisjoint(held) if isinstance(area, frozenset) else area in held


@pytest.mark.parametrize("role", list(ROLES))
def test_pages_for_each_role(client, world, role):
    client.force_login(_make_staff(role))
    for name, (area, _, method) in PAGES.items():
        if method == "POST":
            continue  # posting changes data; the refusals are covered by the GET pages and the tests below
        response = client.get(_page_url(name, world, world["mine"]))
        expected = 200 if _reaches(area, ROLES[role]) else 403
        assert response.status_code == expected, (role, name, response.status_code)


@pytest.mark.parametrize("role", ["Read-only", "Accountant", "no role"])
def test_posts_are_refused_without_the_area(client, world, role):
    client.force_login(_make_staff(role))
    for name, (area, _, method) in PAGES.items():
        if method == "POST" and not _reaches(area, ROLES[role]):
            assert client.post(_page_url(name, world, world["mine"])).status_code == 403, name
    assert world["mine"].addresses.count() == 1 and ClientGroup.objects.filter(name="VIP").exists()


def test_limited_staff_reaches_only_assigned_clients_on_every_client_page(client, world):
    client.force_login(world["limited"])
    for name, (_, about_client, method) in PAGES.items():
        if not about_client:
            continue
        hidden = client.get(_page_url(name, world, world["theirs"])) if method == "GET" else client.post(
            _page_url(name, world, world["theirs"]))
        assert hidden.status_code == 404, name
        if method == "GET":
            assert client.get(_page_url(name, world, world["mine"])).status_code == 200, name
    directory = client.get(reverse("backoffice:client-list"), {"q": "ltd"}).content.decode()
    assert "Assigned Ltd" in directory and "Hidden Ltd" not in directory
    users = client.get(reverse("backoffice:user-list")).content.decode()
    assert "helper@example.com" in users and "other@example.com" not in users
    assert client.get(reverse("backoffice:user-detail", args=[world["other"].pk])).status_code == 404


def _api_call(http, token, method, path, world, client):
    link_user = client.user_links.exclude(user=client.owner).first()
    document = client.documents.filter(type="PROFORMA", status="UNPAID").first() or client.documents.first()
    if "/xml" in path or "/einvoice" in path:  # the world's document that has one
        document = client.documents.filter(einvoice__isnull=False).first()
    concrete = path.format(client_id=client.pk, address_id=client.addresses.get(type="BILLING").pk,
                           user_id=link_user.user_id if link_user else client.owner_id, document_id=document.pk,
                           service_id=client.services.first().pk, webhook_id=world["webhook"].pk,
                           message_id="msg_none", currency="USD", import_id=world.get("import_id", "0" * 32),
                           product_id=world["product"].pk, price_id=world["product"].prices.first().pk)
    bodies = {
        ("POST", "/clients"): client_data(),
        ("PATCH", "/clients/{client_id}"): {"admin_notes": "checked"},
        ("POST", "/clients/{client_id}/addresses"): {"type": "SHIPPING", "country": "PL", "address1": "Długa 1",
                                                     "city": "Gdańsk"},
        ("PATCH", "/clients/{client_id}/addresses/{address_id}"): {"city": "Łódź"},
        ("POST", "/clients/{client_id}/users"): {"email": f"new-{method}{len(path)}@example.com", "firstname": "N",
                                                 "lastname": "U", "permissions": []},
        ("PATCH", "/clients/{client_id}/users/{user_id}"): {"permissions": ["view-documents"]},
        ("POST", "/users"): {"email": "solo@example.com", "firstname": "S", "lastname": "O"},
        ("POST", "/groups"): {"name": "Resellers"},
        ("POST", "/clients/{client_id}/transactions"): {"amount": "10", "description": "Top-up"},
        ("POST", "/clients/{client_id}/invoices/add-funds"): {"net_amount": "5"},
        ("POST", "/clients/{client_id}/invoices"): {"items": [{"description": "Work", "unit_price": "5"}]},
        ("POST", "/invoices/{document_id}/payments"): {"amount": "1.00"},
        ("POST", "/invoices/{document_id}/credit-notes"): {"net_amount": "1.00"},
        ("POST", "/home-companies"): {"name": "Second Ltd", "country": "GB"},
        ("PUT", "/add-funds-limits/{currency}"): {"minimum": "5", "maximum": "500"},
        ("POST", "/products"): {"key": f"p-{len(path)}-{method.lower()}", "name": "P", "module": "manual",
                                "prices": [{"currency": "USD", "period": "MONTHLY", "amount": "1"}]},
        ("POST", "/webhooks"): {"url": "http://127.0.0.1:9/other-hooks"},
        ("PATCH", "/products/{product_id}/prices/{price_id}"): {"setup_fee": "1.00"},
        ("PATCH", "/webhooks/{webhook_id}"): {"description": "CRM"},
        ("POST", "/clients/{client_id}/services"): {"product": str(world["product"].pk),
                                                     "price": world["product"].prices.first().pk,
                                                     "allow_over_limit": True},
    }
    kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
    if (method, path) == ("POST", "/imports/clients"):  # a CSV upload (multipart); GET /imports/{id} reads it
        csv_file = SimpleUploadedFile("clients.csv", b"email,firstname,lastname,country\r\nimp@example.com,I,M,PL\r\n")
        response = http.post(f"/api/v1{concrete}", data={"file": csv_file}, **kwargs)
        if response.status_code == 202:
            world["import_id"] = response.json()["id"]
        return response
    if (method, path) in bodies:
        kwargs.update(data=json.dumps(bodies[(method, path)]), content_type="application/json")
    if method == "DELETE" and path.endswith("{address_id}"):
        return None  # the billing address cannot be deleted by anybody; covered in the API tests
    return getattr(http, method.lower())(f"/api/v1{concrete}", **kwargs)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "no role"])
def test_api_for_each_role(client, world, role):
    staff = _make_staff(role)
    _, token = api_token_create(user=staff)
    held = set().union(*(SCOPES_OF_AREA.get(a, set()) for a in ROLES[role]))
    for (method, path), scope in API.items():
        response = _api_call(client, token, method, path, world, world["mine"])
        if response is None:
            continue
        if scope in held and (method, path) in STATE_DEPENDENT:
            # Allowed in, but the document's state decides (a proforma is not a paid invoice).
            assert response.status_code not in (401, 403), (role, method, path, response.content)
        elif scope in held:
            assert response.status_code < 400, (role, method, path, response.content)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert response.json()["error"]["code"] == "missing_scope"


def test_api_token_of_limited_staff_is_limited_too(client, world):
    _, token = api_token_create(user=world["limited"])
    for (method, path), _scope in API.items():
        if "{client_id}" not in path:
            continue
        response = _api_call(client, token, method, path, world, world["theirs"])
        if response is not None:
            assert response.status_code == 404, (method, path, response.status_code)
    listed = client.get("/api/v1/clients", headers={"Authorization": f"Bearer {token}"}).json()
    assert [c["display_name"] for c in listed["results"]] == ["Assigned Ltd"]
    other = client.get(f"/api/v1/users/{world['other'].pk}", headers={"Authorization": f"Bearer {token}"})
    assert other.status_code == 404


def test_limited_staff_creates_no_unlinked_user_it_could_never_see(client, world):
    # It sees only its clients' users: the login would be out of its reach (and its linking) at once.
    _, token = api_token_create(user=world["limited"])
    body = {"email": "orphan@example.com", "firstname": "Orphan", "lastname": "Login"}
    response = client.post("/api/v1/users", body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert not User.objects.filter(email="orphan@example.com").exists()
    _, unlimited = api_token_create(user=_make_staff("Administrator"))
    response = client.post("/api/v1/users", body, content_type="application/json",
                           headers={"Authorization": f"Bearer {unlimited}"})
    assert response.status_code == 201, response.content


def test_token_loses_scopes_its_staff_member_lost(client, world):
    staff = _make_staff("Support")
    _, token = api_token_create(user=staff)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/clients", headers=headers).status_code == 200
    staff.groups.clear()
    assert client.get("/api/v1/clients", headers=headers).status_code == 403


def test_limited_staff_manager_reaches_only_staff_and_tokens_within_its_limits(client, world):
    """Issue 9: Settings → Staff and Settings → API tokens for the limited staff member of the world
    (Administrator role, one assigned client) next to an unlimited one."""
    outsider = _make_staff("Support")
    outsider_token, secret = api_token_create(user=outsider)
    client.force_login(world["limited"])
    assert "support@example.com" not in client.get(reverse("backoffice:staff-list")).content.decode()
    assert client.get(reverse("backoffice:staff-edit", args=[outsider.pk])).status_code == 404
    tokens = client.get(reverse("backoffice:api-token-list")).content.decode()
    assert world["token"].prefix in tokens and outsider_token.prefix not in tokens
    client.post(reverse("backoffice:api-token-revoke", args=[outsider_token.pk]))
    assert client.get("/api/v1/clients", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    own = client.get(reverse("backoffice:staff-edit", args=[world["limited"].pk]))
    assert own.status_code == 200 and "This is you" in own.content.decode()
