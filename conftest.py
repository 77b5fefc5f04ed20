"""Shared fixtures: staff, API tokens, and clients made through the real services."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.clients.services import client_create
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from clientpanel.tax.tests.fake_vies import vies  # noqa: F401 — the fake VIES server, for every test that needs it
from tests.smtp import SmtpServer

_counter = itertools.count(1)


def pytest_configure(config):
    _allow_flush_between_tests()


def _allow_flush_between_tests() -> None:
    """Between transactional tests Django wipes the PostgreSQL database with TRUNCATE, which the
    ledger and document tables refuse (ledger 0005, invoicing 0003) unless the session says it
    wipes on purpose: say so, for the test database only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET LOCAL clientpanel.allow_truncate = 'on'", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass of make test"))


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language: a request of a staff member reading Polish
    activates Polish in the test's thread and nothing deactivates it after the response."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def staff(db):
    return staff_create(email="staff@example.com", password="correct-horse-battery", firstname="Sam",
                        lastname="Staff", roles=["Administrator"])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def api_token(staff):
    _, secret = api_token_create(user=staff)
    return secret


class Api:
    """A small JSON client for /api/v1/ carrying a Bearer token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body=None, **params):
        kwargs = {"headers": self.headers}
        if body is not None:
            import json

            kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, body):
        return self._call("post", path, body)

    def patch(self, path, body):
        return self._call("patch", path, body)

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture
def api(client, api_token) -> Api:
    return Api(client, api_token)


def client_data(**overrides) -> dict:
    n = next(_counter)
    data = {
        "email": f"owner{n}@example.com",
        "firstname": "Ruslan",
        "lastname": f"Polovyi{n}",
        "company_name": "",
        "language": "en",
        "currency": "USD",
        "billing_address": {"address1": "Main Street 1", "city": "Warszawa", "postcode": "02-454",
                            "country": "PL", "region": "Mazowieckie"},
    }
    billing = overrides.pop("billing_address", None)
    data.update(overrides)
    if billing:
        data["billing_address"] = {**data["billing_address"], **billing}
    return data


@pytest.fixture
def make_client(db):
    def make(**overrides):
        return client_create(actor=None, data=client_data(**overrides))

    return make


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) the mail backend talks to for the test (tests/smtp.py)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


POLISH_NIP = "5260250995"


@pytest.fixture
def polish_company(db):
    """The default home company as a Polish VAT payer sending KSeF FA(3) e-invoices (VAT 23%)."""
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting Polska sp. z o.o.", "country": "PL", "local_tax_id": POLISH_NIP,
        "eu_vat_id": f"PL{POLISH_NIP}", "address1": "ul. Prosta 1", "city": "Warszawa", "postcode": "00-001",
        "time_zone": "Europe/Warsaw", "bank_details": "PKO BP PL61 1090 1014 0000 0712 1981 2874"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")
    return company
