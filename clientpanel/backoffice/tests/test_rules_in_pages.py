"""Pages offer exactly the actions the domain's rules allow (issue 10): a fully refunded invoice
offers no credit note, a partly paid proforma a cancel that asks first, an ended service no buttons."""

import pytest

from clientpanel.clients.services import client_create
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from conftest import client_data

pytestmark = pytest.mark.django_db


def test_a_fully_refunded_invoice_offers_no_credit_note(staff_client):
    client = client_create(actor=None, data=client_data())
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    proforma.refresh_from_db()
    invoice = proforma.related
    page = staff_client.get(f"/staff/documents/{invoice.pk}/").content.decode()
    assert f"/staff/documents/{invoice.pk}/credit-note/" in page
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="20")
    page = staff_client.get(f"/staff/documents/{invoice.pk}/").content.decode()
    assert f"/staff/documents/{invoice.pk}/credit-note/" not in page


def test_a_partly_paid_proforma_offers_payment_and_a_cancel_that_asks_first(staff_client):
    client = client_create(actor=None, data=client_data())
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    page = staff_client.get(f"/staff/documents/{proforma.pk}/").content.decode()
    assert f"/staff/documents/{proforma.pk}/cancel/" in page and 'id="cancel-partly-paid"' not in page
    proforma_pay(actor=None, document_id=proforma.pk, amount="1.00")
    page = staff_client.get(f"/staff/documents/{proforma.pk}/").content.decode()
    # Cancel opens a dialog naming what stays on the balance, instead of cancelling at once.
    assert f"/staff/documents/{proforma.pk}/pay/" in page and 'id="cancel-partly-paid"' in page
    assert f'hx-get="/staff/documents/{proforma.pk}/cancel/"' in page
