"""A payment's method in the reader's language: what the system writes (a bank statement's transfer,
a gateway's payment) keeps a code beside its English text and shows translated on the staff
document page (and in the privacy export: privacy/tests/test_payment_method_export.py), while what
staff type shows exactly as typed. Rows from before the codes are recognised by their exact
wording, in English or Polish."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clientpanel.accounts.models import User
from clientpanel.invoicing.models import Payment
from clientpanel.invoicing.payment_methods import BANK_TRANSFER, method_columns
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.payments.bank import bank_statement_record, bank_statement_upload
from clientpanel.payments.models import GatewayAccount
from clientpanel.payments.services import payment_start
from clientpanel.tax.selectors import default_home_company

from .bank_fixtures import company_fixture, make_proforma_fixture, pln, statement_file  # noqa: F401 — fixtures
from .test_gateway_payments import notify

pytestmark = pytest.mark.django_db


def _shown(payment: Payment, language: str) -> str:
    with translation.override(language):
        return payment.reader_method


def test_a_bank_statements_payment_keeps_its_english_and_code_and_reads_in_polish(staff, make_proforma):
    proforma = make_proforma("10.00")
    statement = bank_statement_upload(actor=staff, name="november.csv", data=statement_file(
        (f"{timezone.localdate()}", pln(proforma), proforma.number, "REF-1")))
    bank_statement_record(actor=staff, statement_id=statement.pk)
    payment = Payment.objects.get(document=proforma)
    assert (payment.method, payment.method_code) == ("bank transfer", "bank_transfer")  # the record, as before
    assert (_shown(payment, "en"), _shown(payment, "pl")) == ("Bank transfer", "Przelew bankowy")


def test_a_gateway_payment_from_a_polish_request_is_stored_in_english_with_its_code(make_client):
    account = GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    payer = make_client(currency="USD", language="pl")
    proforma = proforma_add_funds(actor=None, client_id=payer.pk, net_amount="20")
    attempt, _checkout = payment_start(actor=None, document_ids=[proforma.pk], account_id=None,
                                       return_url=lambda a: "/portal/")
    with translation.override("pl"):  # the payer's request, or the job, speaking Polish
        notify({"account": account}, attempt)
    payment = Payment.objects.get(document=proforma)
    assert (payment.method, payment.method_code) == ("Test gateway (no real money)", "gateway:test")
    assert _shown(payment, "pl") == "Bramka testowa (bez prawdziwych pieniędzy)"
    assert _shown(payment, "en") == "Test gateway (no real money)"


@pytest.mark.parametrize(("stored", "english", "polish"), [
    ("bank transfer", "Bank transfer", "Przelew bankowy"),  # bank statements and the demo, before the codes
    ("Karta (Stripe)", "Card (Stripe)", "Karta (Stripe)"),  # a gateway's title written by a Polish request
    ("Card (Stripe)", "Card (Stripe)", "Karta (Stripe)"),
    ("Bramka testowa (bez prawdziwych pieniędzy)", "Test gateway (no real money)",
     "Bramka testowa (bez prawdziwych pieniędzy)"),
])
def test_rows_from_before_the_codes_are_recognised_by_their_exact_wording(make_client, stored, english, polish):
    client = make_client(currency="PLN")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10.00")
    payment = proforma_pay(actor=None, document_id=proforma.pk, amount=proforma.total, method=stored).payment
    assert payment.method_code == ""
    assert (_shown(payment, "en"), _shown(payment, "pl")) == (english, polish)


@pytest.mark.parametrize("typed", ["przelew ING", "Bank Transfer ", "cash at the desk", "Card (Stripe) — refunded"])
def test_what_staff_type_shows_exactly_as_typed_in_both_languages(make_client, typed):
    client = make_client(currency="PLN")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10.00")
    payment = proforma_pay(actor=None, document_id=proforma.pk, amount=proforma.total, method=typed).payment
    assert _shown(payment, "en") == _shown(payment, "pl") == payment.method


def _paid_twice(make_client, **client_fields):
    """A proforma paid by a bank statement's transfer and the rest by a method staff typed."""
    client = make_client(currency="PLN", **client_fields)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount="50.00", transaction_id="A",
                 **method_columns(BANK_TRANSFER))
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total - 50), transaction_id="B",
                 method="wpłata w kasie")
    return client, proforma


def test_polish_staff_read_the_transfer_in_polish_on_the_document_page(staff_client, staff, make_client):
    _client, proforma = _paid_twice(make_client)
    User.objects.filter(pk=staff.pk).update(language="pl")
    page = staff_client.get(reverse("backoffice:document-detail", args=[proforma.pk])).content.decode()
    assert "Przelew bankowy A" in page and "bank transfer" not in page
    assert "wpłata w kasie B" in page  # typed: as typed


def test_english_staff_read_the_transfer_in_english_on_the_document_page(staff_client, make_client):
    _client, proforma = _paid_twice(make_client)
    page = staff_client.get(reverse("backoffice:document-detail", args=[proforma.pk])).content.decode()
    assert "Bank transfer A" in page and "Przelew bankowy" not in page
    assert "wpłata w kasie B" in page
