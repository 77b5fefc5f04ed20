"""A Polish company's invoice in a foreign currency states its VAT in złoty (art. 106e ust. 11 of
the Polish VAT act; the accountant's audit): its PDF prints, under the summary, the VAT per rate in
PLN and the NBP rate with its table and day — the very figures of its KSeF FA(3) file (P_14_xW,
KursWaluty); a credit note converts at its invoice's rate, as its file does. A PDF made before the
rate was entered prints no złoty figures (it never changes; the e-invoice waits for the rate)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import storages
from django.urls import reverse
from pypdf import PdfReader

from clientpanel.einvoices.configuration import vat_exchange_rate_save
from clientpanel.einvoices.models import EInvoice
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.invoicing.storage import stored_pdf

pytestmark = pytest.mark.django_db
NIP = "5260250995"
TABLE = "226/A/NBP/2026"
# Tuesday 2026-11-24 in Warsaw: the rate is Monday's, NBP table A of 2026-11-23.
ISSUED = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


def pdf_text(document: Document) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(stored_pdf(document))).pages)


def fa3(document: Document) -> bytes:
    with storages["documents"].open(EInvoice.objects.get(document=document).file_name, "rb") as handle:
        return handle.read()


def usd_invoice(make_client, *, language: str = "en", net: str = "333.33") -> Document:
    client = make_client(currency="USD", company_name="Klient sp. z o.o.", tax_id="7740001454", language=language)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=net)
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    assert proforma.related.type == DocumentType.INVOICE
    return proforma.related


def test_a_usd_invoice_and_its_credit_note_print_their_vat_in_zloty_as_their_ksef_files(
        polish_company, make_client, staff, settings):
    settings.PDF_IN_CLIENT_LANGUAGE = True
    with time_machine.travel(ISSUED, tick=False):
        vat_exchange_rate_save(actor=staff, currency="USD", day="2026-11-23", rate="3.9876", table=TABLE)
        invoice = usd_invoice(make_client)
    assert (invoice.net, invoice.tax) == (Decimal("333.33"), Decimal("76.67"))
    text = pdf_text(invoice)
    # 76.67 × 3.9876 = 305.729… → 305.73, the file's P_14_1W.
    assert "VAT amount in PLN" in text and "PLN 305.73" in text
    assert f"1 USD = 3.9876 PLN, NBP average exchange rate, table {TABLE} of 2026-11-23" in text
    assert b"<P_14_1W>305.73</P_14_1W>" in fa3(invoice)

    # A month later, with no December rate: the note converts at its invoice's rate (-23.00 → -91.71).
    with time_machine.travel(ISSUED + dt.timedelta(days=21), tick=False):
        note = credit_note_issue(actor=staff, invoice_id=invoice.pk, net_amount="100").note
    text = pdf_text(note)
    assert "-PLN 91.71" in text and f"table {TABLE} of 2026-11-23" in text


def test_a_polish_pdf_says_it_in_polish(polish_company, make_client, staff, settings):
    settings.PDF_IN_CLIENT_LANGUAGE = True
    with time_machine.travel(ISSUED, tick=False):
        vat_exchange_rate_save(actor=staff, currency="USD", day="2026-11-23", rate="3.9876", table=TABLE)
        invoice = usd_invoice(make_client, language="pl")
    text = pdf_text(invoice)
    assert "305,73\xa0zł" in text or "305,73 zł" in text
    assert "3,9876" in text and TABLE in text and "2026-11-23" in text


def test_a_pdf_made_before_the_rate_is_known_prints_no_zloty_figures(polish_company, make_client, staff):
    with time_machine.travel(ISSUED, tick=False):
        invoice = usd_invoice(make_client)
    assert EInvoice.objects.get(document=invoice).status == "FAILED"  # it asks staff for the rate
    text = pdf_text(invoice)
    assert "VAT amount in PLN" not in text and "NBP" not in text


def test_a_pln_invoice_prints_no_conversion(polish_company, make_client, staff):
    with time_machine.travel(ISSUED, tick=False):
        client = make_client(currency="PLN", company_name="Klient sp. z o.o.", tax_id="7740001454")
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
        proforma.refresh_from_db()
    assert "VAT amount in PLN" not in pdf_text(proforma.related) and "NBP" not in pdf_text(proforma)


def test_the_staff_document_page_shows_the_vat_in_zloty_too(polish_company, make_client, staff, staff_client):
    with time_machine.travel(ISSUED, tick=False):
        vat_exchange_rate_save(actor=staff, currency="USD", day="2026-11-23", rate="3.9876", table=TABLE)
        invoice = usd_invoice(make_client)
    page = staff_client.get(reverse("backoffice:document-detail", args=[invoice.pk])).content.decode()
    row = page.split('id="vat-in-tax-currency"')[1][:1200]
    assert "VAT amount in PLN" in row and "305.73" in row and "3.9876" in row and TABLE in row


def test_a_rate_corrected_after_the_e_invoice_changes_nothing_it_says(polish_company, make_client, staff,
                                                                       staff_client):
    with time_machine.travel(ISSUED, tick=False):
        vat_exchange_rate_save(actor=staff, currency="USD", day="2026-11-23", rate="3.9876", table=TABLE)
        invoice = usd_invoice(make_client)
        vat_exchange_rate_save(actor=staff, currency="USD", day="2026-11-23", rate="4.1000", table="227/A/NBP/2026")
    page = staff_client.get(reverse("backoffice:document-detail", args=[invoice.pk])).content.decode()
    row = page.split('id="vat-in-tax-currency"')[1][:1200]
    assert "305.73" in row and "3.9876" in row and "4.1" not in row  # the file's figures, not the new rate's
