"""A document's page in the portal adds up as the PDF does: net, each tax with its rate, total;
a partly paid proforma says what was received and what is still due; an invoiced proforma links
its invoice; reverse charge is said; bank transfer is offered only to an account the company gave."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.clients.models import Client as ClientModel
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAID_AT = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 1 December, 00:30 in Warsaw


def _page(client, document) -> str:
    browser = Client()
    browser.post(reverse("portal:login"), {"email": client.owner.email, "password": PASSWORD})
    return re.sub(r"\s+", " ", browser.get(reverse("portal:document", args=[document.pk])).content.decode())


def test_a_partly_paid_taxed_proforma_shows_its_tax_what_was_received_and_what_is_due(make_client):
    tax_rule_save(actor=None, company_id=default_home_company().pk, data={
        "country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    client = make_client(currency="USD", company_name="Taxed Ltd", password=PASSWORD)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="23.00", method="bank transfer")
    page = _page(client, proforma)
    assert re.search(r'id="document-net">\$100\.00<', page)
    assert re.search(r'class="document-tax"><th[^>]*>VAT 23(\.0+)?%</th><td[^>]*>\$23\.00<', page)
    assert re.search(r'id="document-total">\$123\.00<', page)
    assert re.search(r'id="amount-due">\$100\.00<', page)

    proforma_pay(actor=None, document_id=proforma.pk, amount="100.00", method="bank transfer")
    invoice = Document.objects.get(pk=proforma.pk).related
    page = _page(client, proforma)
    assert 'id="amount-due"' not in page
    assert f'href="{reverse("portal:document", args=[invoice.pk])}" id="related-link">{invoice.number}<' in page


def test_reverse_charge_is_said_on_the_page_in_the_users_language(make_client):
    home_company_save(actor=None, company_id=default_home_company().pk, data={
        "name": "PUQ sp. z o.o.", "country": "PL", "eu_vat_id": "PL5260250995"})
    client = make_client(currency="EUR", company_name="Reverse GmbH", password=PASSWORD, language="pl",
                         tax_id="DE136695976", billing_address={"country": "DE", "region": ""})
    ClientModel.objects.filter(pk=client.pk).update(vies_status="VALID")  # what the VIES job records
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="50")
    assert proforma.reverse_charge
    with translation.override("pl"):
        expected = translation.gettext("Reverse charge — Art. 196 of Directive 2006/112/EC")
    assert expected != "Reverse charge — Art. 196 of Directive 2006/112/EC"
    assert expected in _page(client, proforma)


def test_bank_transfer_is_offered_only_to_the_account_the_home_company_gave(world):
    GatewayAccount.objects.all().delete()  # no online payment either: only what staff arrange
    company = default_home_company()
    company.bank_details = ""
    company.save(update_fields=["bank_details"])
    browser = Client()
    browser.post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD})
    form = browser.get(reverse("portal:add-funds")).content.decode()
    assert "contact us to arrange the payment" in form and "bank transfer" not in form
    issued = browser.post(reverse("portal:add-funds"), {"amount": "20"}, follow=True).content.decode()
    proforma = Document.objects.filter(client=world["mine"]).order_by("-issue_date", "-number").first()
    assert f"Proforma {proforma.number} is issued." in issued and "bank transfer" not in issued
    assert 'id="ask-how-to-pay"' in issued and 'id="transfer-title"' not in issued
    company.bank_details = "PL61 1090 1014 0000 0712 1981 2874"
    company.save(update_fields=["bank_details"])
    later = browser.post(reverse("portal:add-funds"), {"amount": "20"}, follow=True).content.decode()
    assert "pay it by bank transfer with its number" in later and 'id="transfer-title"' in later
    assert "PL61 1090 1014" in later and 'id="ask-how-to-pay"' not in later


def test_the_dashboard_lists_a_partly_paid_proforma_by_what_is_still_due(world):
    proforma = proforma_add_funds(actor=None, client_id=world["mine"].pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount="40", transaction_id="dashboard-part")
    browser = Client()
    browser.post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD})
    page = browser.get(reverse("portal:dashboard")).content.decode()
    row = re.search(rf"<tr><td[^>]*><a [^>]*>{re.escape(proforma.number)}</a>(.*?)</tr>", page, re.S).group(1)
    assert "$60.00" in row and "$100.00" not in row


def test_the_dashboard_names_the_days_its_charges_cover_in_polish(world):
    User.objects.filter(pk=world["mine"].owner_id).update(language="pl")
    browser = Client()
    browser.post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD})
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert "Opłaty w ciągu najbliższych 30 dni" in page  # it read "Opłaty z najbliższych dni: 30"


def test_each_document_of_a_sale_links_the_others_and_a_paid_one_says_when_and_how_much(world):
    """An invoice's page linked neither its credit notes nor the proforma it came from, and said
    nothing of its payment; a credit note linked its invoice only. Each page of the sale now lists
    the proforma, the invoice and the credit notes, each a link — never another client's document."""
    home_company_save(actor=None, company_id=default_home_company().pk, data={"time_zone": "Europe/Warsaw"})
    proforma = proforma_add_funds(actor=None, client_id=world["mine"].pk, net_amount="40")
    with time_machine.travel(PAID_AT, tick=False):
        proforma_pay(actor=None, document_id=proforma.pk, amount="40.00", method="bank transfer")
    invoice = Document.objects.get(pk=proforma.pk).related
    note = credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="10", reason="Discount").note
    # Another client's document pointing at the invoice (no service makes one): never shown.
    Document.objects.filter(pk=world["their_doc"].pk).update(related=invoice)
    sale = [proforma, invoice, note]
    for shown in sale:
        page = _page(world["mine"], shown)
        related = page.split('id="related-documents"')[1].split("</ul>")[0]
        found = [related.index(f">{d.number}<") for d in sale]
        assert found == sorted(found)  # proforma → invoice → credit notes
        for other in sale:
            link = f'href="{reverse("portal:document", args=[other.pk])}"'
            assert (link in related) == (other.pk != shown.pk)
        assert world["their_doc"].number not in page
    # Paid at 23:30 UTC on 30 November: 1 December in Warsaw, as on the invoice's PDF.
    for paid in (proforma, invoice):
        page = _page(world["mine"], paid)
        assert re.search(r'id="document-paid">Paid: 2026-12-01 · <span[^>]*>\$40\.00</span>', page), page
    assert 'id="document-paid"' not in _page(world["mine"], note)


def test_a_proforma_not_invoiced_lists_no_related_documents(world):
    assert 'id="related-documents"' not in _page(world["mine"], world["mine_doc"])
