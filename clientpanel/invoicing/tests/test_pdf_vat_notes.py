"""Why a document charges no VAT, on its PDF (the accountant's audit; Art. 226(11)/(11a) of Directive
2006/112/EC, art. 106e ust. 1 pkt 18–19 of the Polish VAT act): an exempt sale names the legal basis
of the exemption the home company had at issue, a reverse-charge sale says so, a taxed sale says
neither — in the document's language; a credit note keeps its invoice's basis whatever the
settings say later."""

import pytest
from django.db import DatabaseError, transaction
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create, client_update
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.invoicing.vat_notes import NoVatReason
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.services import tax_rule_save
from conftest import client_data

from . import test_pdf
from .test_pdf import pdf_text, pln_client

polish_company = test_pdf.polish_company  # the fixture: a Polish seller, VAT 23% in Poland

pytestmark = pytest.mark.django_db
ART_113 = "art. 113 ust. 1 ustawy o VAT"
ART_43 = "art. 43 ust. 1 pkt 37 ustawy o VAT"
NOTES = ["VAT exempt", "Zwolnienie z VAT", "Reverse charge", "Odwrotne obciążenie"]


@pytest.fixture(autouse=True)
def client_language(settings):
    settings.PDF_IN_CLIENT_LANGUAGE = True


def set_basis(company, basis: str) -> None:
    """Staff enter it on the company's settings page (einvoices.configuration, tested there)."""
    HomeCompany.objects.filter(pk=company.pk).update(vat_exemption_basis=basis)


def exempt(client: Client) -> Client:
    return client_update(actor=None, client_id=client.pk, data={"tax_exempt": True})


def issue(client: Client, amount: str = "100") -> Document:
    return proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": amount}])


def paid_invoice(client: Client) -> Document:
    proforma = issue(client)
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    return Document.objects.get(pk=proforma.pk).related


def german_company_client(language: str) -> Client:
    german = client_create(actor=None, data=client_data(currency="EUR", company_name="Beispiel GmbH",
                                                        tax_id="DE136695976", language=language,
                                                        billing_address={"country": "DE", "region": ""}))
    Client.objects.filter(pk=german.pk).update(vies_status="VALID")
    return german


@pytest.mark.parametrize(("language", "note", "other"), [
    ("en", f"VAT exempt: {ART_113}", "Zwolnienie"),
    ("pl", f"Zwolnienie z VAT: {ART_113}", "VAT exempt"),
])
def test_an_exempt_clients_document_names_the_basis_of_the_exemption(polish_company, language, note, other):
    set_basis(polish_company, ART_113)
    proforma = issue(exempt(pln_client(language=language)))
    assert (proforma.no_vat_reason, proforma.vat_exemption_basis, proforma.tax) == (
        NoVatReason.EXEMPT_CLIENT, ART_113, 0)
    text = pdf_text(proforma)
    assert note in text and other not in text
    assert "23%" not in text and "Reverse" not in text and "Odwrotne" not in text


@pytest.mark.parametrize(("language", "note"), [
    ("en", "Reverse charge — Art. 196 of Directive 2006/112/EC"),
    ("pl", "Odwrotne obciążenie — art. 196 dyrektywy 2006/112/WE"),
])
def test_a_reverse_charge_document_says_so_and_names_no_exemption(polish_company, language, note):
    set_basis(polish_company, ART_113)  # an exemption basis entered: it is not a reverse charge's
    tax_rule_save(actor=None, company_id=polish_company.pk, data={"country": "DE", "tax1_name": "VAT",
                                                                   "tax1_rate": "19"})
    proforma = issue(german_company_client(language))
    assert (proforma.reverse_charge, proforma.no_vat_reason, proforma.vat_exemption_basis) == (
        True, NoVatReason.REVERSE_CHARGE, "")
    text = pdf_text(proforma)
    assert note in text
    assert "VAT exempt" not in text and "Zwolnienie" not in text and ART_113 not in text


@pytest.mark.parametrize("language", ["en", "pl"])
def test_a_taxed_sale_prints_no_note(polish_company, language):
    set_basis(polish_company, ART_113)
    proforma = issue(pln_client(language=language))
    assert (proforma.no_vat_reason, proforma.vat_exemption_basis) == (NoVatReason.TAXED, "")
    text = pdf_text(proforma)
    assert "23%" in text or "23 %" in text
    for note in [*NOTES, ART_113]:
        assert note not in text, note


@pytest.mark.parametrize(("language", "note"), [("en", f"VAT exempt: {ART_113}"),
                                                ("pl", f"Zwolnienie z VAT: {ART_113}")])
def test_a_credit_note_keeps_its_invoices_basis_after_the_setting_changed(polish_company, language, note):
    set_basis(polish_company, ART_113)
    client = exempt(pln_client(language=language))
    invoice = paid_invoice(client)
    set_basis(polish_company, ART_43)
    credit = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20").note
    assert (credit.no_vat_reason, credit.vat_exemption_basis) == (NoVatReason.EXEMPT_CLIENT, ART_113)
    text = pdf_text(credit)
    assert note in text and ART_43 not in text
    assert note in pdf_text(invoice)
    # A document issued now records the basis of now.
    assert issue(client).vat_exemption_basis == ART_43


def test_a_sale_no_rule_taxes_is_exempt_and_without_a_basis_says_so_plainly(polish_company):
    # No rule for Germany, and a German company whose VAT number is not checked: no VAT, no reverse charge.
    german = client_create(actor=None, data=client_data(currency="EUR", company_name="Beispiel GmbH",
                                                        tax_id="DE136695976",
                                                        billing_address={"country": "DE", "region": ""}))
    proforma = issue(german)
    assert (proforma.no_vat_reason, proforma.vat_exemption_basis) == (NoVatReason.UNTAXED, "")
    text = pdf_text(proforma)
    assert "VAT exempt" in text and "VAT exempt:" not in text


def test_a_sale_to_a_buyer_outside_the_eu_is_not_called_exempt(polish_company):
    set_basis(polish_company, ART_113)
    american = exempt(client_create(actor=None, data=client_data(
        currency="USD", billing_address={"country": "US", "region": "US-NY"})))
    proforma = issue(american)
    assert proforma.no_vat_reason == NoVatReason.EXEMPT_CLIENT  # recorded all the same
    text = pdf_text(proforma)
    for note in [*NOTES, ART_113]:
        assert note not in text, note


def test_the_staff_page_shows_the_note_in_the_readers_language(polish_company, staff_client):
    set_basis(polish_company, ART_113)
    proforma = issue(exempt(pln_client()))
    page = staff_client.get(reverse("backoffice:document-detail", args=[proforma.pk])).content.decode()
    assert f"VAT exempt: {ART_113}" in page
    unbased = issue(client_create(actor=None, data=client_data(
        currency="EUR", company_name="Beispiel GmbH", tax_id="DE136695976",
        billing_address={"country": "DE", "region": ""})))
    set_basis(polish_company, "")
    page = staff_client.get(reverse("backoffice:document-detail", args=[unbased.pk])).content.decode()
    assert "No legal basis of the exemption was entered" not in page  # it had one at issue
    later = issue(exempt(pln_client()))
    page = staff_client.get(reverse("backoffice:document-detail", args=[later.pk])).content.decode()
    assert "VAT exempt" in page and "No legal basis of the exemption was entered" in page


def test_an_issued_documents_reason_and_basis_never_change(polish_company):
    set_basis(polish_company, ART_113)
    proforma = issue(exempt(pln_client()))
    for change in ({"vat_exemption_basis": ART_43}, {"no_vat_reason": NoVatReason.TAXED}):
        with pytest.raises(DatabaseError), transaction.atomic():
            Document.objects.filter(pk=proforma.pk).update(**change)
    proforma.refresh_from_db()
    assert (proforma.no_vat_reason, proforma.vat_exemption_basis) == (NoVatReason.EXEMPT_CLIENT, ART_113)


def test_the_api_and_the_portal_say_why_no_vat_is_charged(polish_company, api):
    set_basis(polish_company, ART_113)
    client = exempt(client_create(actor=None, data=client_data(currency="PLN", language="pl",
                                                                password="portal-owner-passphrase")))
    proforma = issue(client)
    answer = api.get(f"/invoices/{proforma.pk}").json()
    assert (answer["no_vat_reason"], answer["vat_exemption_basis"]) == ("EXEMPT_CLIENT", ART_113)
    taxed = api.get(f"/invoices/{issue(pln_client()).pk}").json()
    assert (taxed["no_vat_reason"], taxed["vat_exemption_basis"]) == ("", "")
    browser = Browser()
    browser.post(reverse("portal:login"), {"email": client.owner.email, "password": "portal-owner-passphrase"})
    page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
    assert f"Zwolnienie z VAT: {ART_113}" in page
