"""seed_demo's living demo (issue 14): a year of a hosting business, written by the real services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models.functions import TruncMonth

from clientpanel.client_services.models import Service
from clientpanel.clients.models import Client
from clientpanel.invoicing.models import Document, Payment
from clientpanel.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_a_year_of_history_with_the_seeds_shapes(settings):
    """The living demo (issue 14): months of payments, a credit note, manual transactions, unpaid
    proformas (one overdue), hourly charges with their per-hour descriptions, and services active,
    suspended for lack of funds and failed to provision — and a second run adds nothing. The login
    it prints points where the panel is served (`WEB_BIND=… make run` sets CLIENTPANEL_BASE_URL)."""
    settings.CLIENTPANEL_BASE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("seed_demo", "--clients", "60", stdout=out)
    assert "→  http://127.0.0.1:8123/staff/" in out.getvalue() and ":8000" not in out.getvalue()
    months = Payment.objects.annotate(month=TruncMonth("paid_at")).values("month").distinct().count()
    assert months >= 10
    assert Document.objects.filter(type="CREDIT_NOTE").count() == 1
    assert Document.objects.filter(type="PROFORMA", status="UNPAID").count() == 2
    assert Document.objects.filter(type="PROFORMA", status="INVOICED").count() == Payment.objects.count()
    assert LedgerEntry.objects.filter(type="ADJUSTMENT").count() == 2
    assert LedgerEntry.objects.filter(type="CHARGE", description__contains="1h × 0.1042 per hour").count() >= 70
    statuses = set(Service.objects.values_list("status", "provision_status"))
    assert {("ACTIVE", "COMPLETED"), ("SUSPENDED", "COMPLETED"), ("PENDING", "ERROR")} <= statuses
    assert Service.objects.get(provision_status="ERROR").provision_error == "Post install script failed"
    assert Service.objects.filter(status="SUSPENDED", suspension_reason="Insufficient funds").exists()
    assert Client.objects.dates("created_at", "month").count() >= 10
    counts = (Payment.objects.count(), LedgerEntry.objects.count(), Document.objects.count())
    call_command("seed_demo", "--clients", "60")
    assert (Payment.objects.count(), LedgerEntry.objects.count(), Document.objects.count()) == counts


def test_the_demos_polish_company_issues_ksef_e_invoices_from_now_on():
    from clientpanel.einvoices.models import EInvoice, VatExchangeRate
    from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
    from clientpanel.reports.models import UnconvertedTaxDocument

    call_command("seed_demo", "--clients", "30")
    assert not EInvoice.objects.exists()  # the year of history was issued before
    # A rate for every working day of the year of history: the tax report has the VAT of every
    # invoice in euros or dollars in PLN, none waiting for its rate.
    assert VatExchangeRate.objects.filter(currency="EUR").count() == 260
    assert not UnconvertedTaxDocument.objects.exists()

    def invoice_for(client: Client) -> Document:
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
        proforma.refresh_from_db()
        return proforma.related

    business = Client.objects.filter(billing_country="PL", status="ACTIVE").exclude(tax_id="").first()
    einvoice = EInvoice.objects.get(document=invoice_for(business))
    assert (einvoice.format, einvoice.status, einvoice.error) == ("ksef_fa3", "MADE", "")
    consumer = Client.objects.filter(tax_id="", company_name="", status="ACTIVE").exclude(
        billing_country__in=["US", "CA"]).first()
    consumers_invoice = invoice_for(consumer)
    assert consumers_invoice.company_snapshot["country"] == "PL"
    assert not EInvoice.objects.filter(document=consumers_invoice).exists()  # KSeF is between businesses
