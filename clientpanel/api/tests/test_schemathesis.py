"""schemathesis over every operation of /api/v1/ (issue 9): no 5xx, and every answer as declared.

A bounded run with a fixed seed on the real app (Django's WSGI handler, every middleware) against
the test database of this run (SQLite, then PostgreSQL in the PostgreSQL pass of make test), with
a token holding every scope. Positive and negative data, in three phases: the schema's examples,
coverage (boundary values, wrong types, missing and unexpected parameters, unexpected methods) and
fuzzing. Path ids that are valid UUIDs are pointed at real objects, so requests reach the services
and not only the 404 of an unknown id. A run takes about a minute; SCHEMATHESIS_MAX_EXAMPLES
changes the number of fuzzed cases per operation (default 25).
"""

from __future__ import annotations

import os
import uuid

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections

from clientpanel.accounts.services import api_token_create
from clientpanel.catalog.services import price_save, product_save
from clientpanel.client_services.services import service_order, service_provision
from clientpanel.clients.services import address_create, client_create, client_user_link, group_save
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

SEED = 20260509
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "generation": {
            "mode": "all",
            "max-examples": int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")),
            "deterministic": True,
            "no-shrink": True,
            "database": "none",
        },
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    })


class World:
    """Real objects for the path ids: a taxed client with a second user and a shipping address, a
    proforma to pay, one to cancel, an invoice to refund, a service, a group."""

    def __init__(self, staff):
        company = default_home_company()
        home_company_save(actor=None, company_id=company.pk, data={"country": "PL"})
        tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
        self.client = client_create(actor=None, data=client_data(currency="PLN", credit_limit="1000"))
        self.address = address_create(actor=None, client_id=self.client.pk,
                                      data={"type": "SHIPPING", "country": "PL", "city": "Kraków",
                                            "address1": "Rynek 1"})
        self.user = client_user_link(actor=None, client_id=self.client.pk, data={
            "email": "second@example.com", "firstname": "Second", "lastname": "User",
            "permissions": ["manage-invoices"]}).user
        self.to_pay = proforma_add_funds(actor=None, client_id=self.client.pk, net_amount="100.00")
        self.to_cancel = proforma_add_funds(actor=None, client_id=self.client.pk, net_amount="10.00")
        paid = proforma_add_funds(actor=None, client_id=self.client.pk, net_amount="50.00")
        proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total), transaction_id="world-1")
        self.invoice = Document.objects.get(client=self.client, type=DocumentType.INVOICE)
        product = product_save(actor=None, data={"key": "vps", "name": "VPS"})
        price = price_save(actor=None, product_id=product.pk, data={"currency": "PLN", "period": "MONTHLY",
                                                                    "amount": "10.00"})
        self.service = service_order(actor=None, client_id=self.client.pk, product_id=product.pk, price_id=price.pk)
        service_provision(service_id=self.service.pk)  # active, so suspend and the others have work to do
        group_save(actor=None, data={"name": "Resellers"})
        _, self.token = api_token_create(user=staff)

    def path_id(self, path: str, name: str):
        documents = {"/payments": self.to_pay, "/cancel": self.to_cancel}
        if name == "client_id":
            return self.client.pk
        if name == "address_id":
            return self.address.pk
        if name == "user_id":
            return self.user.pk if path.startswith("/clients/") else self.client.owner_id
        if name == "service_id":
            return self.service.pk
        if name == "document_id":
            return next((d.pk for end, d in documents.items() if path.endswith(end)), self.invoice.pk)
        return None


@pytest.fixture
def world(staff) -> World:
    return World(staff)


@pytest.fixture(autouse=True)
def requests_keep_the_test_connection():
    # Django's test client keeps the test's connection (and its transaction) open across requests;
    # the plain WSGI handler would close it at the end of each request, so do as the client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The schema as the app serves it (no database needed for that), with the run's settings.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler(), config=_config())


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@pytest.mark.django_db
@schema.parametrize()
def test_every_operation_answers_as_declared_and_never_5xx(case, world):
    path = case.operation.path.removeprefix("/api/v1")
    for name, value in list((case.path_parameters or {}).items()):
        real = world.path_id(path, name)
        if real is not None and _is_uuid(value):
            case.path_parameters[name] = str(real)
    case.call_and_validate(headers={"Authorization": f"Bearer {world.token}"})
