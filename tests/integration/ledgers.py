"""A client whose ledger holds every kind of entry the system writes, for the tests that read
ledgers in the reader's language (test_ledger_descriptions, test_ledger_search)."""

import datetime as dt
from decimal import Decimal

from django.core.management import call_command

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order
from clientpanel.clients.services import client_create
from clientpanel.invoicing.services import credit_note_issue, proforma_issue, proforma_pay
from clientpanel.ledger.services import manual_transaction_create
from conftest import client_data

BILLED_AT = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)
MANUAL = "Rabat za awarię / outage credit"


def client_with_every_entry(*, password: str, credit: str, monthly: str) -> dict:
    """A Polish client (signing in with `password`) with a manual credit of `credit` typed by staff,
    a monthly VPS at `monthly` billed at BILLED_AT (its setup fee of 5.00, then the first month), a
    proforma of 100.00 paid in full and a credit note of 40.00 of its invoice."""
    client = client_create(actor=None, data=client_data(currency="PLN", language="pl", password=password))
    manual_transaction_create(actor=None, client_id=client.pk, amount=credit, description=MANUAL)
    product = Product.objects.create(key="vps", name="VPS", module="sample")
    price = Price.objects.create(product=product, currency="PLN", period="MONTHLY", amount=Decimal(monthly),
                                 setup_fee=Decimal("5.00"))
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    call_command("run_automation", "--at", BILLED_AT.isoformat())
    proforma = proforma_issue(actor=None, client_id=client.pk, items=[
        {"description": "Wdrożenie", "quantity": "1", "unit_price": "100.00"}])
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    invoice = proforma.related
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="40.00").note
    return {"client": client, "service": service, "proforma": proforma, "invoice": invoice, "note": note}
