"""The rate column and summary of a sale charging no VAT say why, never "0%" (the accountant's audit:
"0%" reads as a zero-rated supply): a reverse charge "RC" ("np." in Polish), an exempt sale
"exempt" ("zw."), a Polish seller's sale to a buyer outside the EU "out of scope" ("np."); a
zero-rated sale keeps its 0%; a seller outside the EU charging nothing prints no rate column."""

import pytest

from clientpanel.clients.services import client_create
from clientpanel.invoicing.vat_notes import NoVatReason
from clientpanel.tax.models import TaxRule
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

from . import test_pdf
from .test_pdf import pdf_text, pln_client
from .test_pdf_vat_notes import exempt, german_company_client, issue

polish_company = test_pdf.polish_company  # the fixture: a Polish seller, VAT 23% in Poland

pytestmark = pytest.mark.django_db


def words(text: str) -> list[str]:
    return text.split()


def joined(text: str) -> str:
    """The text with a cell's wrapped words put back on one line."""
    return " ".join(words(text))


def test_a_reverse_charge_sale_prints_rc_not_zero_percent(polish_company):
    proforma = issue(german_company_client("en"), amount="200")
    assert (proforma.reverse_charge, proforma.tax_lines) == (True, [])
    text = pdf_text(proforma)
    assert "0%" not in text
    assert words(text).count("RC") == 2  # the item's rate and the summary's
    assert "Reverse charge" in text


def test_an_exempt_sale_prints_exempt_in_the_rate_column(polish_company):
    proforma = issue(exempt(pln_client()))
    assert proforma.no_vat_reason == NoVatReason.EXEMPT_CLIENT
    text = pdf_text(proforma)
    assert "0%" not in text and "VAT rate" in text
    assert words(text).count("exempt") == 2 + 1  # the item's rate, the summary's, and the note "VAT exempt"


def test_a_sale_outside_the_eu_prints_out_of_scope(polish_company):
    american = client_create(actor=None, data=client_data(currency="USD",
                                                          billing_address={"country": "US", "region": "US-NY"}))
    proforma = issue(american)
    assert proforma.tax_lines == []
    text = pdf_text(proforma)
    assert joined(text).count("out of scope") == 2 and "0%" not in text and "exempt" not in text


def test_a_zero_rated_sale_keeps_its_zero_percent(polish_company):
    tax_rule_save(actor=None, company_id=polish_company.pk, data={"country": "PL", "tax1_name": "VAT",
                                                                   "tax1_rate": "0"},
                  rule_id=TaxRule.objects.get(home_company=polish_company).pk)
    text = pdf_text(issue(pln_client()))
    assert "0%" in text and "RC" not in words(text) and "exempt" not in text


def test_a_seller_outside_the_eu_charging_nothing_prints_no_rate_column(polish_company):
    home_company_save(actor=None, company_id=polish_company.pk, data={"country": "US", "region": "US-DE",
                                                                      "name": "Hosting Inc.", "city": "Dover"})
    american = client_create(actor=None, data=client_data(currency="USD",
                                                          billing_address={"country": "US", "region": "US-NY"}))
    text = pdf_text(issue(american))
    assert "Tax rate" not in text and "out of scope" not in text and "exempt" not in text
