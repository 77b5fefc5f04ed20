"""What an issued document's PDF holds (issue 14): the logo as it was at issue, each line's rate, net
and (EU) gross, net/tax/gross per rate, every seller registration, addresses, how to pay a
proforma, the invoice a credit note corrects and why, in the document's language."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from pypdf import PdfReader

from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.core.errors import ValidationFailed
from clientpanel.files.logos import home_company_logo_set
from clientpanel.files.tests.helpers import use_media_root
from clientpanel.invoicing.models import Document, DocumentItem
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.invoicing.storage import stored_pdf
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db
IBAN = "PL61 1090 1014 0000 0712 1981 2874"


def logo_png(width=300, height=100) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (20, 80, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_text(document) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(stored_pdf(document))).pages)


@pytest.fixture
def media(settings, tmp_path):
    return use_media_root(settings, tmp_path / "media")


@pytest.fixture
def polish_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "PUQ sp. z o.o.", "country": "PL", "address1": "ul. Przykładowa 5", "postcode": "00-001",
        "city": "Warszawa", "eu_vat_id": "PL5260250995", "local_tax_id": "5260250995",
        "registration_number": "KRS 0000012345", "bank_details": f"mBank S.A.\n{IBAN}"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return HomeCompany.objects.get(pk=company.pk)


@pytest.fixture
def quebec_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Érable Hosting Inc.", "country": "CA", "region": "QC", "city": "Montréal", "ca_bn": "123456789",
        "ca_gst_hst": "123456789RT0001", "ca_pst_qst": "1234567890TQ0001"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "CA", "region": "QC", "tax1_name": "GST",
                                                            "tax1_rate": "5", "tax2_name": "QST",
                                                            "tax2_rate": "9.975"})
    return HomeCompany.objects.get(pk=company.pk)


def pln_client(**extra) -> Client:
    return client_create(actor=None, data=client_data(currency="PLN", company_name="Kowalski sp. z o.o.",
                                                      tax_id="PL5260250995", **extra))


def test_a_23_percent_pln_invoice_prints_rate_net_and_gross_per_line_and_a_summary_per_rate(polish_company):
    proforma = proforma_issue(actor=None, client_id=pln_client().pk, items=[
        {"description": "Hosting, May", "quantity": "1", "unit_price": "100.00"},
        {"description": "Consulting (hours)", "quantity": "3", "unit_price": "12.3456"}])
    text = pdf_text(proforma)
    # Lines: the 4-decimal unit price as it is, each line's rate, net (3 × 12.3456 = 37.0368 → 37.04) and gross.
    for expected in ["PLN 12.3456", "PLN 37.04", "PLN 45.56", "PLN 100.00", "PLN 123.00", "VAT rate", "Gross"]:
        assert expected in text, expected
    assert text.count("23%") >= 3 and "23.000" not in text
    # Per rate: the net, the tax on it and the gross; then what to pay.
    assert "VAT 23%" in text and "PLN 137.04" in text and "PLN 31.52" in text and "PLN 168.56" in text
    assert "To pay: PLN 168.56" in text
    # The seller's registrations and the buyer's billing address.
    for expected in ["VAT: PL5260250995", "Tax ID: 5260250995", "KRS 0000012345", "Main Street 1", "02-454 Warszawa",
                     "Poland", "Tax ID: PL5260250995"]:
        assert expected in text, expected


def test_a_stacked_quebec_document_prints_gst_and_qst_and_both_numbers(quebec_company):
    client = client_create(actor=None, data=client_data(currency="CAD", billing_address={"country": "CA",
                                                                                         "region": "QC"}))
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Managed server", "quantity": "2", "unit_price": "49.99"}])
    text = pdf_text(proforma)
    # 99.98 net; GST 5% = 5.00, QST 9.975% = 9.97 (9.973…), each on the whole net: taxes add.
    for expected in ["GST 5%", "QST 9.975%", "CA$99.98", "CA$5.00", "CA$9.97", "CA$114.95", "Tax rate",
                     "GST/HST: 123456789RT0001", "QST: 1234567890TQ0001", "BN: 123456789", "Montréal, QC"]:
        assert expected in text, expected
    assert "9.975000" not in text and "5.000%" not in text


def test_a_proforma_shows_how_to_pay_and_when(polish_company):
    proforma = proforma_issue(actor=None, client_id=pln_client().pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "10"}])
    text = pdf_text(proforma)
    due = f"{proforma.due_date.astimezone(polish_company.zone):%Y-%m-%d}"
    assert IBAN in text and "mBank S.A." in text and f"Transfer title: {proforma.number}" in text
    assert f"Due date: {due}" in text


def test_a_credit_note_names_the_invoice_it_corrects_and_why(polish_company):
    proforma = proforma_issue(actor=None, client_id=pln_client().pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "100"}])
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=proforma.pk).related
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20",
                             reason="  Hosting cancelled on 20 May ").note
    assert note.reason == "Hosting cancelled on 20 May"
    text = pdf_text(note)
    issued = f"{invoice.issue_date.astimezone(polish_company.zone):%Y-%m-%d}"
    assert f"Corrects invoice {invoice.number} of {issued}" in text
    assert "Reason for the correction: Hosting cancelled on 20 May" in text
    assert "-PLN 20.00" in text and "-PLN 4.60" in text and "To refund: PLN 24.60" in text


@pytest.mark.parametrize("reason", ["x" * 201, "two\nlines", "nul\x00"])
def test_a_credit_note_reason_is_one_bounded_line(polish_company, reason):
    proforma = proforma_issue(actor=None, client_id=pln_client().pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "100"}])
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=proforma.pk).related
    with pytest.raises(ValidationFailed) as refused:
        credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20", reason=reason)
    assert "reason" in refused.value.fields
    assert not Document.objects.filter(type="CREDIT_NOTE").exists()


def test_a_polish_document_reads_polish(polish_company, settings):
    settings.PDF_IN_CLIENT_LANGUAGE = True
    proforma = proforma_issue(actor=None, client_id=pln_client(language="pl").pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "1234.5"}])
    text = pdf_text(proforma)
    for words in ["Faktura proforma", "Sprzedawca", "Nabywca", "Netto", "Brutto", "Termin płatności", "NIP UE",
                  "Razem", "Dane do przelewu", "1 234,50 zł", "Polska"]:
        assert words in text, words
    for english in ["Seller", "Buyer", "Due date", "Gross", "Poland"]:
        assert english not in text, english


def test_the_logo_of_the_moment_of_issue_is_embedded(polish_company, media):
    client = pln_client()
    items = [{"description": "Hosting", "quantity": "1", "unit_price": "10"}]
    without = proforma_issue(actor=None, client_id=client.pk, items=items)
    home_company_logo_set(actor=None, company_id=polish_company.pk, file=ContentFile(logo_png(), name="logo.png"))
    with_logo = proforma_issue(actor=None, client_id=client.pk, items=items)
    assert len(PdfReader(io.BytesIO(stored_pdf(without))).pages[0].images) == 0
    assert len(PdfReader(io.BytesIO(stored_pdf(with_logo))).pages[0].images) == 1


def test_a_document_issued_before_the_change_still_opens(polish_company):
    """A document of before: no PDF kept yet, an address snapshot of one line, no reason; its PDF is
    made on first download, without today's logo, and served as stored after."""
    client = pln_client()
    document = Document.objects.create(
        client=client, home_company=polish_company, type="INVOICE", status="PAID", number="INV/2024/01/1",
        currency="PLN", language="en", net="100", tax="23", total="123", issue_date=client.created_at,
        paid_date=client.created_at,
        tax_lines=[{"name": "VAT", "rate": "23.000", "amount": "23.00"}],
        client_snapshot={"display_name": "Old Client"}, company_snapshot={"name": "PUQ sp. z o.o."},
        billing_address={"one_line": "Old Street 1, Kraków"})
    DocumentItem.objects.create(document=document, position=1, description="Hosting", unit_price="100", net="100")
    document = Document.objects.get(pk=document.pk)
    text = pdf_text(document)
    assert "INV/2024/01/1" in text and "Old Street 1, Kraków" in text and "VAT 23%" in text
    document.refresh_from_db()
    assert document.pdf_sha256 and pdf_text(document) == text


def test_a_buyer_address_with_only_a_country_prints_the_countrys_name_in_the_documents_language(polish_company):
    client = pln_client(language="pl", billing_address={
        "address1": "", "city": "", "postcode": "", "country": "PL", "region": ""})
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "10"}])
    assert proforma.billing_address["country"] == "PL" and not proforma.billing_address.get("city")
    text = pdf_text(proforma)
    assert "Polska" in text and "Poland" not in text


def test_the_reason_of_an_issued_credit_note_never_changes(polish_company):
    from django.db import DatabaseError, transaction

    proforma = proforma_issue(actor=None, client_id=pln_client().pk, items=[
        {"description": "Hosting", "quantity": "1", "unit_price": "100"}])
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=proforma.pk).related
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20", reason="Downtime").note
    with pytest.raises(DatabaseError), transaction.atomic():  # the trigger of migration 0004
        Document.objects.filter(pk=note.pk).update(reason="Something else")
    assert Document.objects.get(pk=note.pk).reason == "Downtime"


# --- the PST/QST number is named after what it is, not after the seller's province ---------------

@pytest.fixture
def ontario_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Maple Hosting Inc.", "country": "CA", "region": "ON", "city": "Toronto", "ca_bn": "123456789",
        "ca_gst_hst": "123456789RT0001", "ca_pst_qst": "1234567890TQ0001"})
    for region, taxes in [("QC", {"tax1_name": "GST", "tax1_rate": "5", "tax2_name": "QST", "tax2_rate": "9.975"}),
                          ("BC", {"tax1_name": "GST", "tax1_rate": "5", "tax2_name": "PST", "tax2_rate": "7"}),
                          ("ON", {"tax1_name": "HST", "tax1_rate": "13"})]:
        tax_rule_save(actor=None, company_id=company.pk, data={"country": "CA", "region": region, **taxes})
    return HomeCompany.objects.get(pk=company.pk)


def canadian_invoice_text(region: str) -> str:
    client = client_create(actor=None, data=client_data(currency="CAD", billing_address={"country": "CA",
                                                                                         "region": region}))
    return pdf_text(proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Managed server", "quantity": "1", "unit_price": "100"}]))


def test_an_ontario_seller_charging_qst_to_a_quebec_buyer_prints_its_qst_number(ontario_company):
    text = canadian_invoice_text("QC")
    assert "QST 9.975%" in text and "QST: 1234567890TQ0001" in text and "GST/HST: 123456789RT0001" in text
    assert "PST:" not in text


def test_a_buyer_charged_pst_sees_the_sellers_pst_number_as_pst(ontario_company):
    home_company_save(actor=None, company_id=ontario_company.pk, data={"ca_pst_qst": "PST-1234-5678"})
    text = canadian_invoice_text("BC")
    assert "PST 7%" in text and "PST: PST-1234-5678" in text and "QST:" not in text


def test_a_qst_number_keeps_its_name_where_no_provincial_tax_is_charged(ontario_company):
    # HST in Ontario: no provincial tax on the document; the number is Revenu Québec's all the same.
    text = canadian_invoice_text("ON")
    assert "HST 13%" in text and "QST: 1234567890TQ0001" in text and "PST:" not in text


@pytest.mark.parametrize(("number", "region", "taxes", "label"), [
    ("1234567890 TQ 0001", "ON", [], "QST"),
    ("7654321", "ON", [("GST", "5"), ("QST", "9.975")], "QST"),
    ("7654321", "ON", [("TPS", "5"), ("TVQ", "9.975")], "QST"),
    ("7654321", "QC", [("GST", "5"), ("PST", "6")], "PST"),
    ("123456-7", "ON", [("GST", "5"), ("RST", "7")], "RST"),
    ("7654321", "QC", [("HST", "15")], "QST"),  # nothing provincial charged: the seller's province
    ("7654321", "BC", [("GST", "5"), ("PST", "0")], "PST"),
])
def test_the_provincial_label_follows_the_number_then_the_tax_charged(number, region, taxes, label):
    from clientpanel.invoicing.pdf.registrations import provincial_label

    tax_lines = [{"name": name, "rate": rate, "amount": "1.00"} for name, rate in taxes]
    assert provincial_label({"ca_pst_qst": number, "region": region}, tax_lines) == label
