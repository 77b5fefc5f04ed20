"""Money in the reader's language (issue 14, item 9): amounts shown by Babel in the staff member's
locale ("1 000,50" for Polish staff), and amounts, quantities and rates typed into the forms read
the same way ("1000,50" and "1 000,50" in Polish, "1000.50" in both) — exact Decimals, what was
typed kept when something is refused."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.clients.models import Client, ClientBalance
from clientpanel.invoicing.models import Document
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from clientpanel.ui.numbers import delocalize_number

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


@pytest.mark.parametrize("language, typed, read", [
    ("pl", "1000,50", "1000.50"), ("pl", "1 000,50", "1000.50"), ("pl", f"1{NBSP}000,50", "1000.50"),
    ("pl", "1\u202f000,50", "1000.50"), ("pl", "1000.50", "1000.50"), ("pl", "-12,3456", "-12.3456"),
    ("pl", "0,5", "0.5"), ("pl", " 2 ", "2"), ("en", "1000.50", "1000.50"), ("en", "1,000.50", "1000.50"),
    # Not a number as the language writes it: handed on as typed, for the service to refuse.
    ("en", "1000,50", "1000,50"), ("pl", "1,000.50", "1,000.50"), ("pl", "1 00,5", "1 00,5"), ("pl", "abc", "abc"),
    ("pl", "", ""),
    # Written out, never as "1E-7", which the services would not read as a number.
    ("pl", "0,0000001", "0.0000001"), ("en", "0.00000010", "0.00000010"),
    # An exponent and other scripts' digits are handed on as typed (Babel read "1e3" as 1000).
    ("en", "1e3", "1e3"), ("pl", "1E3", "1E3"), ("en", "١٢٣", "١٢٣"), ("pl", "1_000", "1_000"),
])
def test_a_typed_number_is_read_in_the_readers_language(language, typed, read):
    assert delocalize_number(typed, language) == read


def _reading(staff, language):
    User.objects.filter(pk=staff.pk).update(language=language)


def _profile(client, credit_limit):
    return {"firstname": client.firstname, "lastname": client.lastname, "language": "en", "currency": client.currency,
            "status": "NEW", "credit_limit": credit_limit}


@pytest.mark.parametrize("typed", ["1000,50", "1 000,50", f"1{NBSP}000,50", "1000.50"])
def test_polish_staff_type_a_credit_limit_with_a_decimal_comma(staff_client, staff, make_client, typed):
    _reading(staff, "pl")
    client = make_client(currency="PLN")
    response = staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), _profile(client, typed))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Client.objects.get(pk=client.pk).credit_limit == Decimal("1000.50")


@pytest.mark.parametrize("typed", ["1000.50", "1,000.50"])
def test_english_staff_type_a_decimal_point_and_may_group_with_commas(staff_client, make_client, typed):
    client = make_client()
    response = staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), _profile(client, typed))
    assert response.status_code == 302
    assert Client.objects.get(pk=client.pk).credit_limit == Decimal("1000.50")


def test_a_decimal_comma_in_english_is_refused_clearly_and_kept_as_typed(staff_client, make_client):
    client = make_client()
    response = staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), _profile(client, "1000,50"))
    page = response.content.decode()
    assert response.status_code == 200  # the form again, not a redirect
    assert 'value="1000,50"' in page and "Enter a number" in page
    assert Client.objects.get(pk=client.pk).credit_limit == Decimal("0")  # never 100050


def test_too_many_decimals_typed_the_polish_way_are_refused_in_the_currencys_words(staff_client, staff, make_client):
    _reading(staff, "pl")
    client = make_client(currency="PLN")
    response = staff_client.post(reverse("backoffice:client-profile", args=[client.pk]),
                                 _profile(client, "1 000,505"))
    page = response.content.decode()
    assert response.status_code == 200 and 'value="1 000,505"' in page and "miejsca po przecinku" in page
    assert Client.objects.get(pk=client.pk).credit_limit == Decimal("0")


def test_polish_staff_add_funds_and_read_the_amounts_in_polish(staff_client, staff, make_client):
    _reading(staff, "pl")
    client = make_client(currency="PLN")
    response = staff_client.post(reverse("backoffice:add-funds", args=[client.pk]), {"net_amount": "1 000,50"})
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    document = Document.objects.get(client=client)
    assert document.net == Decimal("1000.50")
    page = staff_client.get(reverse("backoffice:document-detail", args=[document.pk])).content.decode()
    assert f"1{NBSP}000,50{NBSP}zł" in page  # Babel's Polish grouping, decimal comma and sign


def test_polish_staff_see_balances_in_polish_and_english_staff_in_english(staff_client, staff, make_client):
    client = make_client(currency="PLN")
    ClientBalance.objects.filter(pk=client.pk).update(balance=Decimal("1000.5"))
    assert f"PLN{NBSP}1,000.50" in staff_client.get(reverse("backoffice:client-list")).content.decode()
    _reading(staff, "pl")
    assert f"1{NBSP}000,50{NBSP}zł" in staff_client.get(reverse("backoffice:client-list")).content.decode()


@pytest.fixture
def taxed(make_client):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"country": "PL"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return make_client(currency="PLN")


def test_the_proforma_grid_reads_polish_quantities_and_prices_and_shows_polish_totals(staff_client, staff, taxed):
    _reading(staff, "pl")
    grid = {"line-1-description": "Praca", "line-1-quantity": "1,5", "line-1-unit_price": "1 000,50"}
    preview = staff_client.post(f"/staff/clients/{taxed.pk}/invoices/new/preview/", grid,
                                headers={"HX-Request": "true"}).content.decode()
    assert f"1{NBSP}500,75{NBSP}zł" in preview and "23%" in preview
    done = staff_client.post(f"/staff/clients/{taxed.pk}/invoices/new/", grid)
    assert done.status_code == 302
    proforma = Document.objects.get()
    item = proforma.items.get()
    assert (item.quantity, item.unit_price, proforma.net) == (Decimal("1.5"), Decimal("1000.50"), Decimal("1500.75"))
    page = staff_client.get(reverse("backoffice:document-detail", args=[proforma.pk])).content.decode()
    assert ">1,5<" in page and "VAT 23%" in page and f"345,17{NBSP}zł" in page


def test_polish_staff_write_a_tax_rate_with_a_decimal_comma(staff_client, staff):
    from clientpanel.backoffice.forms.tax import TaxRuleForm

    with translation.override("pl"):
        form = TaxRuleForm({"country": "PL", "tax1_name": "VAT", "tax1_rate": "9,975", "priority": "0",
                            "applies_private": "on"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["tax1_rate"] == "9.975"


def _messages_after(staff_client, response, page_url) -> str:
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    return staff_client.get(page_url).content.decode()


def test_the_money_forms_say_what_they_posted_as_the_pages_show_amounts(staff_client, staff, make_client):
    """Add funds, a payment and a manual transaction said "1000.50 PLN" and "10.0000 PLN" to Polish
    staff: their confirmations write the amount as every page does."""
    _reading(staff, "pl")
    client = make_client(currency="PLN")
    invoices = reverse("backoffice:client-invoices", args=[client.pk])
    page = _messages_after(staff_client, staff_client.post(reverse("backoffice:add-funds", args=[client.pk]),
                                                           {"net_amount": "1 000,50"}), invoices)
    proforma = Document.objects.get(client=client)
    assert f"Wystawiono fakturę proforma {proforma.number}: 1{NBSP}000,50{NBSP}zł." in page
    paid = staff_client.post(reverse("backoffice:document-pay", args=[proforma.pk]),
                             {"amount": "200,25", "transaction_id": "bank-7", "method": "Przelew"})
    detail = reverse("backoffice:document-detail", args=[proforma.pk])
    assert f"Zaksięgowano wpłatę 200,25{NBSP}zł." in _messages_after(staff_client, paid, detail)
    again = staff_client.post(reverse("backoffice:document-pay", args=[proforma.pk]),
                              {"amount": "200,25", "transaction_id": "bank-7", "method": "Przelew"})
    assert f"Wpłata bank-7 na kwotę 200,25{NBSP}zł została już" in _messages_after(staff_client, again, detail)
    posted = staff_client.post(reverse("backoffice:client-transaction-create", args=[client.pk]),
                               {"amount": "10,5", "description": "Rekompensata"})
    transactions = reverse("backoffice:client-transactions", args=[client.pk])
    assert f": 10,50{NBSP}zł." in _messages_after(staff_client, posted, transactions)
    _reading(staff, "en")
    posted = staff_client.post(reverse("backoffice:client-transaction-create", args=[client.pk]),
                               {"amount": "-2.5", "description": "Correction"})
    assert f"posted: -PLN{NBSP}2.50." in _messages_after(staff_client, posted, transactions)


def test_a_clients_header_says_which_figure_is_the_balance_and_which_the_credit_limit(staff_client, staff,
                                                                                     make_client):
    """It read "1,00 / 0,00 €": a number without its currency beside one with it, neither named."""
    client = make_client(currency="PLN")
    ClientBalance.objects.filter(pk=client.pk).update(balance=Decimal("1000.5"))
    Client.objects.filter(pk=client.pk).update(credit_limit=Decimal("250"))
    _reading(staff, "pl")
    page = staff_client.get(reverse("backoffice:client-summary", args=[client.pk])).content.decode()
    header = page.split('id="client-money">')[1].split("</span></span>")[0]
    words = re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", "", header)).strip()
    assert words == f"Saldo 1{NBSP}000,50{NBSP}zł · Limit kredytowy 250,00{NBSP}zł"


def test_the_credit_note_dialog_says_what_is_left_to_refund_and_refuses_more_by_name(staff_client, staff,
                                                                                     make_client):
    """The dialog read "Do zwrotu (netto): 100,00 − 0,00 PLN" (a subtraction without its result) and
    a refusal "Najwyżej 70.0000 PLN.": it names what is left as pages write money, keeping the input."""
    from clientpanel.core.money import display_amount
    from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
    _reading(staff, "pl")
    client = make_client(currency="PLN")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=proforma.pk).related
    url = reverse("backoffice:document-credit-note", args=[invoice.pk])
    dialog = staff_client.get(url).content.decode()
    assert f"Pozostało do zwrotu (netto): 100,00{NBSP}zł z 100,00{NBSP}zł;" in dialog and "−" not in dialog
    staff_client.post(url, {"net_amount": "30", "reason": "Przestój"})
    assert f"70,00{NBSP}zł z 100,00{NBSP}zł" in staff_client.get(url).content.decode()
    refused = staff_client.post(url, {"net_amount": "70,01", "reason": "Przestój"}).content.decode()
    assert f"Do zwrotu pozostało najwyżej 70,00{NBSP}zł netto." in refused and 'value="70,01"' in refused
    assert Document.objects.filter(type="CREDIT_NOTE").count() == 1
    overpaid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    refused = staff_client.post(reverse("backoffice:document-pay", args=[overpaid.pk]),
                                {"amount": "1000", "method": "Przelew"}).content.decode()
    due = display_amount(overpaid.total, "PLN", "pl")
    assert f"Do zapłaty pozostało najwyżej {due}." in refused and "0000" not in due
    _reading(staff, "en")
    assert f"Left to refund (net): PLN{NBSP}70.00 of PLN{NBSP}100.00;" in staff_client.get(url).content.decode()
