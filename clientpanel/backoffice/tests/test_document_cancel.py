"""The staff page's way out of a partly paid proforma: Cancel opens a dialog naming what was paid and
what stays on the client's balance; confirming it cancels once, and a payment that arrived meanwhile
sends staff back to the dialog with the new amount."""

from decimal import Decimal

import pytest

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client
from clientpanel.invoicing.models import Document, DocumentStatus
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import tax_rule_save

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def partly_paid(make_client):
    """A PLN proforma of 100.00 net without tax, 40.00 of it paid."""
    client = make_client(currency="PLN", billing_address={"country": "US", "region": ""})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    return proforma


def cancel_url(document) -> str:
    return f"/staff/documents/{document.pk}/cancel/"


def text(response) -> str:
    return " ".join(response.content.decode().replace("\xa0", " ").split())


def test_the_dialog_says_what_was_paid_stays_on_the_balance(staff_client, partly_paid):
    dialog = text(staff_client.get(cancel_url(partly_paid), headers=HTMX))
    assert "PLN 40.00 already paid stays on the client's balance as credit." in dialog
    assert 'name="confirm_paid" value="40.0000"' in dialog and 'id="cancel-confirm"' in dialog


def test_the_dialog_in_polish(staff_client, staff, partly_paid):
    User.objects.filter(pk=staff.pk).update(language="pl")
    dialog = text(staff_client.get(cancel_url(partly_paid), headers=HTMX))
    assert "Wpłacone już 40,00 zł zostaje na saldzie klienta jako środki do wykorzystania." in dialog
    assert "Anuluj fakturę proforma" in dialog and 'value="40.0000"' in dialog  # the amount sent stays unlocalised


def test_with_tax_the_dialog_names_the_net_part_kept(staff_client, staff, make_client):
    company = default_home_company()
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    client = make_client(currency="PLN")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40.00")
    dialog = text(staff_client.get(cancel_url(proforma), headers=HTMX))
    assert ("PLN 40.00 already paid stays with the client: its net part, PLN 32.5203, is on the client's balance "
            "as credit") in dialog
    User.objects.filter(pk=staff.pk).update(language="pl")
    dialog = text(staff_client.get(cancel_url(proforma), headers=HTMX))
    assert "Wpłacone już 40,00 zł zostaje przy kliencie: jego część netto, 32,5203 zł, jest na saldzie" in dialog


def test_confirming_cancels_once_and_keeps_the_balance(staff_client, partly_paid):
    response = staff_client.post(cancel_url(partly_paid), {"confirm_paid": "40.0000"}, headers=HTMX)
    assert response.headers["HX-Redirect"] == f"/staff/documents/{partly_paid.pk}/"
    assert Document.objects.get(pk=partly_paid.pk).status == DocumentStatus.CANCELLED
    assert Client.objects.get(pk=partly_paid.client_id).balance == Decimal("40")
    page = text(staff_client.get(f"/staff/documents/{partly_paid.pk}/"))
    assert f"Proforma {partly_paid.number} cancelled." in page and 'id="cancel-partly-paid"' not in page
    again = staff_client.post(cancel_url(partly_paid), {"confirm_paid": "40.0000"}, headers=HTMX)  # sent twice
    assert again.status_code == 200 and "HX-Redirect" in again.headers
    assert f"Proforma {partly_paid.number} was already cancelled." in text(
        staff_client.get(f"/staff/documents/{partly_paid.pk}/"))
    assert AuditEvent.objects.filter(action="document.cancel").count() == 1


def test_a_payment_that_arrived_meanwhile_sends_staff_back_to_the_dialog(staff_client, partly_paid):
    dialog = text(staff_client.get(cancel_url(partly_paid), headers=HTMX))
    assert 'value="40.0000"' in dialog
    proforma_pay(actor=None, document_id=partly_paid.pk, amount="20.00")
    refused = text(staff_client.post(cancel_url(partly_paid), {"confirm_paid": "40.0000"}, headers=HTMX))
    assert "The proforma has received PLN 60.00, not PLN 40.00" in refused
    assert "PLN 60.00 already paid stays on the client's balance as credit." in refused
    assert 'value="60.0000"' in refused
    assert Document.objects.get(pk=partly_paid.pk).status == DocumentStatus.UNPAID


def test_staff_without_finance_see_no_cancel_and_cannot_post_one(client, partly_paid):
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", firstname="Rea",
                          lastname="Der", roles=["Read-only"])
    client.force_login(reader)
    page = client.get(f"/staff/documents/{partly_paid.pk}/").content.decode()
    assert cancel_url(partly_paid) not in page
    assert client.get(cancel_url(partly_paid), headers=HTMX).status_code == 403
    assert client.post(cancel_url(partly_paid), {"confirm_paid": "40.0000"}, headers=HTMX).status_code == 403
    assert Document.objects.get(pk=partly_paid.pk).status == DocumentStatus.UNPAID


def test_an_invoiced_proforma_offers_no_cancel_and_refuses_one(staff_client, partly_paid):
    proforma_pay(actor=None, document_id=partly_paid.pk, amount="60.00")
    page = staff_client.get(f"/staff/documents/{partly_paid.pk}/").content.decode()
    assert cancel_url(partly_paid) not in page
    dialog = text(staff_client.get(cancel_url(partly_paid), headers=HTMX))
    assert "This proforma is invoiced; it cannot be cancelled." in dialog and 'id="cancel-confirm"' not in dialog
    refused = text(staff_client.post(cancel_url(partly_paid), {"confirm_paid": "100.0000"}, headers=HTMX))
    assert "this one is invoiced" in refused
    assert Document.objects.get(pk=partly_paid.pk).status == DocumentStatus.INVOICED
    # The invoice's own cancel URL, typed by hand: no "this proforma", the way out named instead.
    invoice = Document.objects.get(pk=partly_paid.pk).related
    on_invoice = text(staff_client.get(cancel_url(invoice), headers=HTMX))
    assert "Only a proforma can be cancelled: an issued invoice is corrected with a credit note." in on_invoice
    assert "proforma is" not in on_invoice and "Cancel proforma" not in on_invoice
