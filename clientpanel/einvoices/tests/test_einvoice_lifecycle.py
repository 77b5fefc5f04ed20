"""E-invoices made at issue (issue 16): a Polish company's invoice and credit note get their KSeF
FA(3) file once, beside the PDF, with its SHA-256; a foreign-currency one waits for the NBP rate of
the last working day and is made once staff enter it; staff record the KSeF number; the file is
downloaded in the panel, the portal and the API by whoever may see the document — and by nobody else."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.core.errors import Conflict, PermissionDenied, ValidationFailed
from clientpanel.einvoices.configuration import einvoice_profile_save, vat_exchange_rate_save
from clientpanel.einvoices.exporters import get_exporter
from clientpanel.einvoices.models import EInvoice, EInvoiceStatus, VatExchangeRate
from clientpanel.einvoices.rates import previous_working_day
from clientpanel.einvoices.reasons import error_columns, said
from clientpanel.einvoices.services import einvoice_ksef_number_record, einvoice_make_again
from clientpanel.invoicing.models import DocumentType
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save

pytestmark = pytest.mark.django_db

NIP = "5260250995"
PASSWORD = "portal-owner-passphrase"


def paid_invoice(make_client, amount: str = "100", currency: str = "PLN", **client_fields):
    client = make_client(currency=currency, company_name="Klient sp. z o.o.", tax_id="7740001454",
                         password=PASSWORD, **client_fields)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=amount)
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    assert proforma.related.type == DocumentType.INVOICE
    return proforma.related


def stored(einvoice: EInvoice) -> bytes:
    with storages["documents"].open(einvoice.file_name, "rb") as handle:
        return handle.read()


def test_the_last_working_day_skips_weekends_and_polish_holidays():
    assert previous_working_day(dt.date(2026, 11, 23)) == dt.date(2026, 11, 20)  # Monday → Friday
    assert previous_working_day(dt.date(2026, 11, 12)) == dt.date(2026, 11, 10)  # after Independence Day
    assert previous_working_day(dt.date(2026, 4, 7)) == dt.date(2026, 4, 3)  # after Easter Monday
    assert previous_working_day(dt.date(2026, 6, 5)) == dt.date(2026, 6, 3)  # after Corpus Christi
    assert previous_working_day(dt.date(2026, 12, 28)) == dt.date(2026, 12, 23)  # Christmas Eve is off too
    assert previous_working_day(dt.date(2027, 1, 7)) == dt.date(2027, 1, 5)  # after Epiphany


def test_an_invoice_of_a_polish_company_gets_its_ksef_file_once_at_issue(polish_company, make_client):
    invoice = paid_invoice(make_client)
    einvoice = EInvoice.objects.get(document=invoice)
    assert (einvoice.format, einvoice.status) == ("ksef_fa3", EInvoiceStatus.MADE)
    content = stored(einvoice)
    assert hashlib.sha256(content).hexdigest() == einvoice.sha256
    assert get_exporter("ksef_fa3").validate(content) == []
    assert invoice.number.encode() in content and NIP.encode() in content
    assert not EInvoice.objects.exclude(document=invoice).exists()  # the proforma has none
    with pytest.raises(Conflict):
        einvoice_make_again(actor=None, document_id=invoice.pk)  # made: never made again


def test_a_company_without_a_format_makes_none(make_client):
    invoice = paid_invoice(make_client)
    assert not EInvoice.objects.exists()
    assert invoice.number


def test_a_euro_invoice_waits_for_the_nbp_rate_then_is_made_with_it(polish_company, make_client, staff_client):
    invoice = paid_invoice(make_client, amount="100", currency="EUR")
    einvoice = EInvoice.objects.get(document=invoice)
    day = previous_working_day(invoice.issue_date.astimezone(zoneinfo.ZoneInfo("Europe/Warsaw")).date())
    assert einvoice.status == EInvoiceStatus.FAILED and "EUR" in einvoice.error and day.isoformat() in einvoice.error
    page = staff_client.get(reverse("backoffice:document-detail", args=[invoice.pk])).content.decode()
    assert "Make the e-invoice again" in page and day.isoformat() in page

    entered = staff_client.post(reverse("backoffice:finance-vat-rates"),
                                {"currency": "eur", "day": day.isoformat(), "rate": "4,2345", "table": "225/A/NBP"})
    assert entered.status_code == 302
    assert VatExchangeRate.objects.get().rate == Decimal("4.2345")
    einvoice.refresh_from_db()  # made as soon as the rate it waited for was entered
    assert einvoice.status == EInvoiceStatus.MADE, einvoice.error
    content = stored(einvoice)
    assert b"4.2345" in content and get_exporter("ksef_fa3").validate(content) == []


def test_tax_exchange_rates_are_checked_before_they_are_kept(staff):
    for fields, field in ((dict(currency="EURO"), "currency"), (dict(currency="PLN"), "currency"),
                          (dict(day="20.11.2026"), "day"), (dict(day="2999-01-01"), "day"),
                          (dict(rate="0"), "rate"), (dict(rate="-4"), "rate"), (dict(rate="4.1234567"), "rate"),
                          (dict(rate="NaN"), "rate"), (dict(rate="1e9"), "rate"),
                          (dict(rate="42345e-4"), "rate"), (dict(rate="٤٫٢"), "rate"), (dict(table="x" * 41), "table")):
        values = {"currency": "EUR", "day": "2026-11-20", "rate": "4.2345", "table": ""} | fields
        with pytest.raises(ValidationFailed) as refused:
            vat_exchange_rate_save(actor=staff, **values)
        assert field in refused.value.fields, fields
    assert not VatExchangeRate.objects.exists()
    vat_exchange_rate_save(actor=staff, currency="EUR", day="2026-11-20", rate="4.2345")
    vat_exchange_rate_save(actor=staff, currency="EUR", day="2026-11-20", rate="4.2400")  # a correction
    assert VatExchangeRate.objects.get().rate == Decimal("4.24")


def seller_day(document) -> str:
    """The day of the document's issue in the seller's time zone, as a KSeF number writes it (a
    fixed or UTC day fails an hour of every day, or every other day)."""
    return f"{document.issue_date.astimezone(document.home_company.zone):%Y%m%d}"


def test_the_ksef_number_is_checked_and_a_credit_note_names_it(polish_company, make_client, staff):
    invoice = paid_invoice(make_client)
    day = seller_day(invoice)
    for wrong in ("", "123", f"{NIP}-20261322-0100A0B1C2D3-4F", f"1111111111-{day}-0100A0B1C2D3-4F",
                  f"{NIP}-{day}-0100A0B1C2DZ-4F"):
        with pytest.raises(ValidationFailed):
            einvoice_ksef_number_record(actor=staff, document_id=invoice.pk, ksef_number=wrong)
    number = f"{NIP}-{day}-0100A0B1C2D3-4F"
    einvoice_ksef_number_record(actor=staff, document_id=invoice.pk, ksef_number=number.lower())
    einvoice = EInvoice.objects.get(document=invoice)
    assert (einvoice.status, einvoice.ksef_number) == (EInvoiceStatus.ACCEPTED, number)
    other = paid_invoice(make_client)
    with pytest.raises(ValidationFailed, match="Another document"):
        einvoice_ksef_number_record(actor=staff, document_id=other.pk, ksef_number=number)

    note = credit_note_issue(actor=staff, invoice_id=invoice.pk, net_amount="10", reason="Za długi okres").note
    made = EInvoice.objects.get(document=note)
    content = stored(made)
    assert made.status == EInvoiceStatus.MADE and number.encode() in content
    assert invoice.number.encode() in content and get_exporter("ksef_fa3").validate(content) == []


def test_downloads_in_the_panel_the_portal_and_the_api_and_nowhere_else(polish_company, make_client, staff_client,
                                                                          api):
    invoice = paid_invoice(make_client)
    einvoice = EInvoice.objects.get(document=invoice)
    content = stored(einvoice)
    panel = staff_client.get(reverse("backoffice:document-einvoice", args=[invoice.pk]))
    assert panel.status_code == 200 and panel.content == content and "ksef_fa3.xml" in panel["Content-Disposition"]

    answer = api.get(f"/invoices/{invoice.pk}/xml")
    assert answer.status_code == 200 and answer.content == content and answer["X-Content-SHA256"] == einvoice.sha256
    assert api.get(f"/invoices/{invoice.pk}/xml", format="ubl").status_code == 404
    status = api.get(f"/invoices/{invoice.pk}/einvoice").json()
    assert status["status"] == "MADE" and status["format"] == "ksef_fa3" and status["sha256"] == einvoice.sha256

    owner = Client()
    assert owner.post(reverse("portal:login"), {"email": invoice.client.owner.email,
                                                 "password": PASSWORD}).status_code == 302
    assert owner.get(reverse("portal:document-einvoice", args=[invoice.pk])).content == content
    assert "Download e-invoice" in owner.get(reverse("portal:document", args=[invoice.pk])).content.decode()
    stranger_invoice = paid_invoice(make_client)
    assert owner.get(reverse("portal:document-einvoice", args=[stranger_invoice.pk])).status_code == 404

    # A file changed behind the application's back is not served.
    storages["documents"].delete(einvoice.file_name)
    storages["documents"].save(einvoice.file_name, ContentFile(content.replace(b"<", b" <", 1)))
    refused = staff_client.get(reverse("backoffice:document-einvoice", args=[invoice.pk]), follow=True)
    assert "no longer matches" in refused.content.decode()


def test_staff_without_finance_cannot_make_or_record_and_posts_need_csrf(polish_company, make_client, client):
    invoice = paid_invoice(make_client, currency="EUR")
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    with pytest.raises(PermissionDenied):
        einvoice_make_again(actor=support, document_id=invoice.pk)
    with pytest.raises(PermissionDenied):
        vat_exchange_rate_save(actor=support, currency="EUR", day="2026-11-20", rate="4.2")
    with pytest.raises(PermissionDenied):
        einvoice_profile_save(actor=support, company_id=polish_company.pk, format_key="")
    client.force_login(support)
    assert client.post(reverse("backoffice:document-einvoice-make", args=[invoice.pk])).status_code == 403
    assert client.get(reverse("backoffice:finance-vat-rates")).status_code == 403
    admin = staff_create(email="admin2@example.com", password="correct-horse-battery", roles=["Administrator"])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin)
    assert strict.post(reverse("backoffice:finance-vat-rates"), {"currency": "EUR", "day": "2026-11-20",
                                                                 "rate": "4.2"}).status_code == 403
    assert not VatExchangeRate.objects.exists()


def test_a_home_company_chooses_its_format_on_its_settings_page(polish_company, staff_client):
    page = staff_client.get(reverse("backoffice:home-company-edit", args=[polish_company.pk])).content.decode()
    assert 'id="einvoice-card"' in page and 'value="ksef_fa3" selected' in page
    staff_client.post(reverse("backoffice:home-company-einvoice", args=[polish_company.pk]), {"format": "nonsense"})
    staff_client.post(reverse("backoffice:home-company-einvoice", args=[polish_company.pk]), {"format": ""})
    from clientpanel.einvoices.selectors import einvoice_format_of

    assert einvoice_format_of(polish_company) == ""


def test_an_exporter_that_breaks_never_stops_the_invoice_being_issued(polish_company, make_client, monkeypatch):
    def broken(self, data, *, pdf=None):
        raise RuntimeError("a bug in the exporter")

    monkeypatch.setattr(type(get_exporter("ksef_fa3")), "export", broken)
    invoice = paid_invoice(make_client)
    assert invoice.number and invoice.pdf_sha256  # issued, with its PDF
    einvoice = EInvoice.objects.get(document=invoice)
    assert einvoice.status == EInvoiceStatus.FAILED and "error on our side" in einvoice.error


def test_the_rate_is_of_the_working_day_before_the_issue_day_in_the_companys_time_zone(
        polish_company, make_client, staff):
    # Tuesday 2026-11-24 00:30 in Warsaw is still Monday in UTC: the rate needed is Monday's, not Friday's.
    with time_machine.travel(dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC), tick=False):
        vat_exchange_rate_save(actor=staff, currency="EUR", day="2026-11-20", rate="4.1000")
        vat_exchange_rate_save(actor=staff, currency="EUR", day="2026-11-23", rate="4.2345")
        invoice = paid_invoice(make_client, currency="EUR")
    einvoice = EInvoice.objects.get(document=invoice)
    assert (einvoice.status, einvoice.rate, einvoice.rate_day) == ("MADE", Decimal("4.2345"), dt.date(2026, 11, 23))
    content = stored(einvoice)
    assert b"<P_1>2026-11-24</P_1>" in content and b"4.2345" in content


def test_a_credit_note_converts_at_its_invoices_rate_and_waits_for_its_ksef_number(polish_company, make_client,
                                                                                   staff):
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC), tick=False):
        vat_exchange_rate_save(actor=staff, currency="EUR", day="2026-11-20", rate="4.2345")
        invoice = paid_invoice(make_client, currency="EUR")
    assert EInvoice.objects.get(document=invoice).status == "MADE"
    # A month later, with no rate entered for December: the note converts at the invoice's rate.
    with time_machine.travel(dt.datetime(2026, 12, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        note = credit_note_issue(actor=staff, invoice_id=invoice.pk, net_amount="10").note
        waiting = EInvoice.objects.get(document=note)
        assert waiting.status == "FAILED" and invoice.number in waiting.error
        assert "not accepted by KSeF" in waiting.error
        einvoice_ksef_number_record(actor=staff, document_id=invoice.pk,
                                    ksef_number=f"{NIP}-20261123-0100A0B1C2D3-4F")
    made = EInvoice.objects.get(document=note)
    assert (made.status, made.rate, made.rate_day) == ("MADE", Decimal("4.2345"), dt.date(2026, 11, 20))
    content = stored(made)
    assert f"{NIP}-20261123-0100A0B1C2D3-4F".encode() in content and b"<NrKSeFN>" not in content


def test_a_database_error_while_making_the_file_never_stops_the_invoice(polish_company, make_client, monkeypatch):
    from django.db import connection

    from clientpanel.einvoices import making

    def broken_lookup(**_kwargs):
        with connection.cursor() as cursor:  # on PostgreSQL this poisons the transaction it runs in
            cursor.execute("SELECT * FROM no_such_table_here")

    monkeypatch.setattr(making, "vat_rate_for", broken_lookup)
    invoice = paid_invoice(make_client, currency="EUR")
    invoice.refresh_from_db()
    assert invoice.number and invoice.pdf_sha256
    assert EInvoice.objects.get(document=invoice).status == "FAILED"


def test_a_company_exempt_from_vat_names_its_legal_basis(make_client, staff):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Mała Firma", "country": "PL", "local_tax_id": NIP, "address1": "ul. Prosta 1", "city": "Warszawa",
        "postcode": "00-001"})
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")
    invoice = paid_invoice(make_client)  # no tax rule: no VAT
    failed = EInvoice.objects.get(document=invoice)
    assert failed.status == "FAILED" and "legal basis" in failed.error
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3",
                          vat_exemption_basis="art. 113 ust. 1 ustawy o VAT")
    einvoice_make_again(actor=staff, document_id=invoice.pk)
    made = EInvoice.objects.get(document=invoice)
    assert made.status == "MADE" and b"art. 113 ust. 1" in stored(made)


def test_a_polish_company_issuing_ubl_also_needs_the_rate(polish_company, make_client):
    einvoice_profile_save(actor=None, company_id=polish_company.pk, format_key="ubl")
    invoice = paid_invoice(make_client, currency="EUR")
    failed = EInvoice.objects.get(document=invoice)
    assert (failed.format, failed.status) == ("ubl", "FAILED") and "EUR" in failed.error


def test_settings_refuse_what_would_never_work(polish_company, staff):
    from clientpanel.tax.services import home_company_save as save_company

    for day in ("2026-11-21", "2026-11-11"):  # a Saturday, Independence Day
        with pytest.raises(ValidationFailed) as refused:
            vat_exchange_rate_save(actor=staff, currency="EUR", day=day, rate="4.2")
        assert "weekend or a public holiday" in refused.value.fields["day"][0]
    german = save_company(actor=None, data={"name": "Hosting GmbH", "country": "DE", "address1": "Hauptstraße 1",
                                            "city": "Berlin", "postcode": "10115"})
    with pytest.raises(ValidationFailed, match="Polish companies"):
        einvoice_profile_save(actor=staff, company_id=german.pk, format_key="ksef_fa3")
    with pytest.raises(ValidationFailed) as refused:
        einvoice_profile_save(actor=staff, company_id=polish_company.pk, format_key="ksef_fa3",
                              ksef_environment="TEST", ksef_token_env="NO_SUCH_VARIABLE_HERE")
    assert "ksef_token_env" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        einvoice_profile_save(actor=staff, company_id=polish_company.pk, format_key="ubl", ksef_environment="TEST",
                              ksef_token_env="PATH")
    assert "ksef_environment" in refused.value.fields


def test_a_missing_stored_file_is_said_in_words_not_a_server_error(polish_company, make_client, staff_client, api):
    invoice = paid_invoice(make_client)
    einvoice = EInvoice.objects.get(document=invoice)
    storages["documents"].delete(einvoice.file_name)
    page = staff_client.get(reverse("backoffice:document-einvoice", args=[invoice.pk]), follow=True)
    assert page.status_code == 200 and "missing; restore it from a backup" in page.content.decode()
    answer = api.get(f"/invoices/{invoice.pk}/xml")
    assert answer.status_code == 409 and "missing" in answer.json()["error"]["message"]


def test_a_missing_stored_pdf_is_said_in_words_not_a_server_error(make_client, staff_client):
    invoice = paid_invoice(make_client)
    storages["documents"].delete(invoice.pdf_name)
    page = staff_client.get(reverse("backoffice:document-pdf", args=[invoice.pk]), follow=True)
    assert page.status_code == 200 and "is missing; restore the file from a backup" in page.content.decode()


def test_invoices_above_15000_zloty_are_marked_for_split_payment_when_the_company_says_so(
        polish_company, make_client):
    einvoice_profile_save(actor=None, company_id=polish_company.pk, format_key="ksef_fa3", split_payment=True)
    large = EInvoice.objects.get(document=paid_invoice(make_client, amount="12195.13"))  # 15,000.01 gross
    small = EInvoice.objects.get(document=paid_invoice(make_client, amount="12195.12"))  # 15,000.00: not above
    assert b"<P_18A>1</P_18A>" in stored(large) and b"<P_18A>2</P_18A>" in stored(small)
    einvoice_profile_save(actor=None, company_id=polish_company.pk, format_key="ksef_fa3", split_payment=False)
    assert b"<P_18A>2</P_18A>" in stored(EInvoice.objects.get(document=paid_invoice(make_client, amount="20000")))


def test_finance_lists_the_documents_whose_einvoice_is_not_yet_accepted(polish_company, make_client, staff,
                                                                         staff_client):
    waiting_rate = paid_invoice(make_client, currency="EUR")  # could not be made
    not_sent = paid_invoice(make_client)  # made, not accepted
    accepted = paid_invoice(make_client)
    einvoice_ksef_number_record(actor=staff, document_id=accepted.pk,
                                ksef_number=f"{NIP}-{seller_day(accepted)}-0100A0B1C2D3-4F")
    page = staff_client.get(reverse("backoffice:finance-documents"), {"einvoice": "awaiting"}).content.decode()
    assert waiting_rate.number in page and not_sent.number in page and accepted.number not in page
    assert "einvoice=awaiting" in page  # kept by the CSV export link
    exported = b"".join(staff_client.get(reverse("backoffice:finance-documents-export"),
                                         {"einvoice": "awaiting"}).streaming_content).decode("utf-8-sig")
    assert waiting_rate.number in exported and not_sent.number in exported and accepted.number not in exported


def test_the_exemption_basis_is_one_line_of_text(polish_company):
    for bad in ("art. 113 \x00ust. 1", "line one\nline two", "x" * 201):
        with pytest.raises(ValidationFailed) as refused:
            einvoice_profile_save(actor=None, company_id=polish_company.pk, format_key="ksef_fa3",
                                  vat_exemption_basis=bad)
        assert "vat_exemption_basis" in refused.value.fields


def test_a_ksef_number_recorded_by_hand_clears_the_refusal_it_answers(polish_company, make_client, staff):
    # KSeF refused the file the job sent; staff sent a corrected one themselves and type its number.
    invoice = paid_invoice(make_client)
    EInvoice.objects.filter(document=invoice).update(status=EInvoiceStatus.REJECTED, **error_columns(
        said("request_refused", status=400, reason="Błąd weryfikacji semantyki dokumentu")))
    number = f"{NIP}-{seller_day(invoice)}-0100A0B1C2D3-4F"
    einvoice_ksef_number_record(actor=staff, document_id=invoice.pk, ksef_number=number)
    einvoice = EInvoice.objects.get(document=invoice)
    assert (einvoice.status, einvoice.ksef_number) == (EInvoiceStatus.ACCEPTED, number)
    assert (einvoice.error, einvoice.error_code, einvoice.error_params, einvoice.reader_error) == ("", "", None, "")
