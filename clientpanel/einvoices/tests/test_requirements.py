"""What a format asks of the seller (requirements.py), said before any invoice fails: EN 16931 (UBL,
CII, Factur-X) names the seller by its VAT or tax number — a US company's EIN, a Canadian one's
GST/HST number are written as that — and has one VAT rate per line. A format the company cannot
meet is refused at save under the format, saying which field to fill; one it no longer meets (its
number cleared, a stacked rule added) is said on the settings card and on each document, whose
page offers no button that would only fail. Found when a US and a Canadian company saved UBL and
CII ("saved") and every e-invoice of theirs then failed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import etree

from clientpanel.core.errors import ValidationFailed
from clientpanel.einvoices import rules
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.models import EInvoice, EInvoiceProfile, EInvoiceStatus
from clientpanel.einvoices.rules import einvoice_makeable
from clientpanel.einvoices.storage import einvoice_content
from clientpanel.einvoices.tests.test_en16931 import CII_SCHEMATRON, UBL_SCHEMATRON, schematron_errors
from clientpanel.invoicing.models import DocumentType
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.tax.services import home_company_save, tax_rule_save

pytestmark = pytest.mark.django_db

ADDRESS = {"address1": "1 Market Street", "city": "San Francisco", "postcode": "94105"}
UBL = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
UBL_BASIC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


def company(**fields):
    return home_company_save(actor=None, data={"name": "Seller", **ADDRESS, **fields})


def rule(company_, country: str, region: str = "", *taxes: tuple[str, str]):
    data = {"country": country, "region": region, "priority": 5}
    for number, (name, rate) in enumerate(taxes, start=1):
        data |= {f"tax{number}_name": name, f"tax{number}_rate": rate}
    tax_rule_save(actor=None, company_id=company_.pk, data=data)


def invoice_for(make_client, company_, *, country: str, region: str = "", currency: str):
    client = make_client(currency=currency, company_name="Buyer Ltd.",
                         billing_address={"country": country, "region": region, "city": "Town", "postcode": "1"})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    invoice = proforma.related
    assert invoice.type == DocumentType.INVOICE and invoice.home_company_id == company_.pk
    return invoice


def refusal(company_, format_key: str) -> str:
    with pytest.raises(ValidationFailed) as refused:
        einvoice_profile_save(actor=None, company_id=company_.pk, format_key=format_key)
    assert list(refused.value.fields) == ["format"]
    assert refused.value.fields["format"] == [refused.value.message]
    return refused.value.message


def made(document) -> bytes:
    einvoice = EInvoice.objects.get(document=document)
    assert einvoice.status == EInvoiceStatus.MADE, einvoice.error
    return einvoice_content(einvoice)


def page(staff_client, document) -> str:
    return staff_client.get(reverse("backoffice:document-detail", args=[document.pk])).content.decode()


def settings_card(staff_client, company_) -> str:
    return staff_client.get(reverse("backoffice:home-company-edit", args=[company_.pk])).content.decode()


def test_a_us_company_writes_ubl_with_its_ein_and_one_without_an_ein_is_refused(make_client, staff_client):
    us = company(country="US", region="California", us_ein="12-3456789")
    rule(us, "US")  # no sales tax: EN 16931's "not subject to VAT"
    einvoice_profile_save(actor=None, company_id=us.pk, format_key="ubl")
    xml = made(invoice_for(make_client, us, country="US", region="TX", currency="USD"))
    seller = etree.fromstring(xml).find(f"{UBL}AccountingSupplierParty/{UBL}Party")
    assert seller.findtext(f"{UBL}PartyLegalEntity/{UBL_BASIC}CompanyID") == "12-3456789"
    assert schematron_errors(xml, UBL_SCHEMATRON) == []

    bare = company(country="US", name="No EIN Inc.")
    assert "enter its US EIN under Settings → Home companies" in refusal(bare, "ubl")
    assert "US EIN" in refusal(bare, "facturx")


def test_a_canadian_company_writes_cii_with_its_gst_hst_number_in_ontario(make_client):
    canadian = company(country="CA", region="Ontario", ca_bn="123456789", ca_gst_hst="123456789RT0001")
    rule(canadian, "CA", "CA-ON", ("HST", "13"))
    einvoice_profile_save(actor=None, company_id=canadian.pk, format_key="cii")
    xml = made(invoice_for(make_client, canadian, country="CA", region="CA-ON", currency="CAD"))
    seller = etree.fromstring(xml).find(f".//{RAM}SellerTradeParty")
    assert [(node.get("schemeID"), node.text) for node in seller.iter(f"{RAM}ID")
            if node.getparent().tag == f"{RAM}SpecifiedTaxRegistration"] == [("FC", "123456789RT0001")]
    assert schematron_errors(xml, CII_SCHEMATRON) == []

    without_numbers = company(country="CA", name="No numbers Ltd.")
    assert "enter its GST/HST number (or its Canadian BN)" in refusal(without_numbers, "cii")


def test_a_company_whose_rules_stack_taxes_cannot_choose_an_en16931_format(make_client):
    quebec = company(country="CA", region="Quebec", ca_gst_hst="123456789RT0001", ca_pst_qst="1234567890TQ0001")
    rule(quebec, "CA", "CA-ON", ("HST", "13"))
    rule(quebec, "CA", "CA-QC", ("GST", "5"), ("QST", "9.975"))
    message = refusal(quebec, "cii")
    assert "one VAT rate per line" in message and "CA/CA-QC: GST 5% + QST 9.975%" in message
    assert "CA-ON" not in message
    assert not EInvoiceProfile.objects.filter(home_company=quebec).exclude(format="").exists()


def test_rules_that_stack_later_are_said_on_the_settings_card_and_the_document_before_any_button(
        make_client, staff_client):
    canadian = company(country="CA", region="Ontario", ca_gst_hst="123456789RT0001")
    rule(canadian, "CA", "CA-ON", ("HST", "13"))
    einvoice_profile_save(actor=None, company_id=canadian.pk, format_key="cii")
    assert 'id="einvoice-unmet"' not in settings_card(staff_client, canadian)
    rule(canadian, "CA", "CA-QC", ("GST", "5"), ("QST", "9.975"))  # added after CII was chosen
    card = settings_card(staff_client, canadian)
    assert 'id="einvoice-unmet"' in card and "GST 5% + QST 9.975%" in card

    quebec_invoice = invoice_for(make_client, canadian, country="CA", region="CA-QC", currency="CAD")
    failed = EInvoice.objects.get(document=quebec_invoice)
    assert failed.status == EInvoiceStatus.FAILED and "stacked taxes (GST, QST)" in failed.error
    makeable = einvoice_makeable(quebec_invoice)
    assert makeable.refusal == rules.UNMET and "never changes" in makeable.reason
    shown = page(staff_client, quebec_invoice)
    assert "stacked taxes (GST, QST)" in shown and "never changes" in shown
    assert reverse("backoffice:document-einvoice-make", args=[quebec_invoice.pk]) not in shown
    # Ontario's documents go on being made.
    made(invoice_for(make_client, canadian, country="CA", region="CA-ON", currency="CAD"))


def test_an_eu_company_without_a_vat_or_tax_number_is_refused_saying_which_field(make_client):
    german = company(country="DE", name="Hosting GmbH", city="Berlin")
    for format_key in ("ubl", "cii", "facturx"):
        assert "enter its EU VAT ID or Local tax ID under Settings → Home companies" in refusal(german, format_key)


def test_an_eu_company_with_a_vat_id_writes_ubl(make_client):
    german = company(country="DE", name="Hosting GmbH", city="Berlin", eu_vat_id="DE811907980")
    rule(german, "DE", "", ("VAT", "19"))
    einvoice_profile_save(actor=None, company_id=german.pk, format_key="ubl")
    xml = made(invoice_for(make_client, german, country="DE", currency="EUR"))
    assert b"DE811907980" in xml and schematron_errors(xml, UBL_SCHEMATRON) == []


def test_a_vat_id_cleared_after_choosing_ubl_is_said_before_any_invoice_fails(make_client, staff_client, api):
    german = company(country="DE", name="Hosting GmbH", city="Berlin", eu_vat_id="DE811907980")
    rule(german, "DE", "", ("VAT", "19"))
    einvoice_profile_save(actor=None, company_id=german.pk, format_key="ubl")
    home_company_save(actor=None, company_id=german.pk, data={"eu_vat_id": ""})
    card = settings_card(staff_client, german)
    assert 'id="einvoice-unmet"' in card and "enter its EU VAT ID or Local tax ID" in card

    invoice = invoice_for(make_client, german, country="DE", currency="EUR")
    failed = EInvoice.objects.get(document=invoice)
    assert failed.status == EInvoiceStatus.FAILED and "had no VAT or tax number" in failed.error
    assert not einvoice_makeable(invoice) and einvoice_makeable(invoice).refusal == rules.UNMET
    shown = page(staff_client, invoice)
    assert "had no VAT or tax number" in shown
    assert reverse("backoffice:document-einvoice-make", args=[invoice.pk]) not in shown
    assert api.get(f"/invoices/{invoice.pk}/einvoice").json()["error_code"] == "en_document_identifier"


def test_the_settings_page_shows_the_refusal_under_the_format_and_keeps_the_choice(staff_client):
    us = company(country="US", name="No EIN Inc.")
    answer = staff_client.post(reverse("backoffice:home-company-einvoice", args=[us.pk]),
                               {"format": "ubl", "ksef_environment": "OFFLINE"})
    shown = answer.content.decode()
    assert answer.status_code == 422 and 'id="einvoice-format-errors"' in shown
    assert "enter its US EIN under Settings" in shown and '<option value="ubl" selected>' in shown
    assert not EInvoiceProfile.objects.filter(home_company=us).exclude(format="").exists()


def test_ksef_fa3_is_refused_to_a_polish_company_without_a_nip():
    polish = company(country="PL", name="Bez NIP sp. z o.o.", city="Warszawa", eu_vat_id="")
    assert "no valid NIP" in refusal(polish, "ksef_fa3")
