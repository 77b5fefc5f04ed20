"""Details a Polish-speaking owner found on the staff panel's pages: the dashboard's refunds beside
the month they were taken off, an e-mail's language by its name, a prefilled amount written as the
page writes numbers (and read back either way), and flash messages ending in one full stop when a
name ending in one closes the sentence."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from clientpanel.accounts.models import User
from clientpanel.backoffice.feedback import one_full_stop
from clientpanel.backoffice.forms import add_funds_limits, clients, finance, services, tax
from clientpanel.backoffice.forms.common import LocalizedNumbersMixin, typed_number
from clientpanel.clients.models import Client
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.notifications.models import EmailMessage
from clientpanel.reports.dashboard import month_starts
from clientpanel.reports.figures import ALL, Dashboard, Month, figures_to_json
from clientpanel.reports.models import DashboardSnapshot
from clientpanel.ui.numbers import LocalizedNumberField

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def _reading(staff, language: str) -> None:
    User.objects.filter(pk=staff.pk).update(language=language)


def _words(html: str) -> str:
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- the dashboard: each month's refunds beside its own revenue -----------------------------------

def test_the_dashboard_puts_each_months_refunds_beside_that_months_revenue(staff_client, staff):
    now = timezone.now()
    months = month_starts(now)
    revenue = [Month(start, Decimal(0), Decimal(0)) for start in months[:-2]]
    revenue += [Month(months[-2], Decimal("190.00"), Decimal("5.50")),   # last month: 184,50 after 5,50 back
                Month(months[-1], Decimal("369.62"), Decimal("24.60"))]  # this month: 345,02 after 24,60 back
    figures = Dashboard(now=now, months=months, revenue={"PLN": revenue})
    DashboardSnapshot.objects.create(key=ALL, computed_at=now, figures=figures_to_json(figures))
    _reading(staff, "pl")
    page = staff_client.get(reverse("backoffice:dashboard")).content.decode()
    card = _words(page.split('id="card-revenue"')[1].split('id="card-owing"')[0])
    assert f"345,02{NBSP}zł · zwroty 24,60{NBSP}zł" in card
    assert f"w zeszłym miesiącu 184,50{NBSP}zł · zwroty 5,50{NBSP}zł" in card


def test_a_month_without_refunds_names_none(staff_client):
    now = timezone.now()
    months = month_starts(now)
    figures = Dashboard(now=now, months=months, revenue={
        "USD": [Month(start, Decimal("10"), Decimal(0)) for start in months]})
    DashboardSnapshot.objects.create(key=ALL, computed_at=now, figures=figures_to_json(figures))
    card = staff_client.get(reverse("backoffice:dashboard")).content.decode().split('id="card-revenue"')[1]
    assert "refunds" not in card.split('id="card-owing"')[0]


# --- an e-mail's language by its name ------------------------------------------------------------

@pytest.mark.parametrize("reader, name", [("pl", "Polski"), ("en", "Polish")])
def test_an_emails_page_names_its_language(staff_client, staff, reader, name):
    moment = timezone.now() - dt.timedelta(minutes=1)
    email = EmailMessage.objects.create(created_at=moment, next_attempt_at=moment, template="welcome", language="pl",
                                        recipient="jan@example.com", subject="Witamy", body_text="Dzień dobry")
    _reading(staff, reader)
    page = staff_client.get(reverse("backoffice:email-detail", args=[email.pk])).content.decode()
    assert re.search(r'<th scope="row">(?:Language|Język)</th><td[^>]*>([^<]*)<', page)[1] == name


# --- a prefilled amount as the page writes numbers, read back either way ---------------------------

@pytest.fixture
def proforma(make_client) -> Document:
    client = make_client(currency="PLN")
    return proforma_add_funds(actor=None, client_id=client.pk, net_amount="123.62")


def _prefilled(staff_client, proforma) -> str:
    dialog = staff_client.get(reverse("backoffice:document-pay", args=[proforma.pk])).content.decode()
    return re.search(r'<input type="text" name="amount" value="([^"]*)"', dialog)[1]


def test_the_payment_dialog_prefills_the_amount_due_as_the_page_writes_it(staff_client, staff, proforma):
    assert proforma.amount_due == Decimal("123.62")
    assert _prefilled(staff_client, proforma) == "123.62"
    _reading(staff, "pl")
    assert _prefilled(staff_client, proforma) == "123,62"


@pytest.mark.parametrize("reader, typed", [("pl", "123,62"), ("pl", "123.62"), ("en", "123.62")])
def test_the_payment_is_read_with_either_mark_on_a_polish_page(staff_client, staff, proforma, reader, typed):
    _reading(staff, reader)
    response = staff_client.post(reverse("backoffice:document-pay", args=[proforma.pk]), {"amount": typed})
    assert response.status_code in (200, 302) and b"is-invalid" not in response.content
    assert Document.objects.get(pk=proforma.pk).amount_due == 0


def test_the_profiles_credit_limit_is_prefilled_the_polish_way(staff_client, staff, make_client):
    client = make_client(currency="PLN")
    Client.objects.filter(pk=client.pk).update(credit_limit=Decimal("1250.5"))
    _reading(staff, "pl")
    page = staff_client.get(reverse("backoffice:client-profile", args=[client.pk])).content.decode()
    assert 'name="credit_limit" value="1250,50"' in page


@pytest.mark.parametrize("language, value, shown", [
    ("pl", "123.62", "123,62"), ("pl", Decimal("-0.5000"), "-0,5000"), ("pl", 48, "48"), ("en", "123.62", "123.62"),
    ("pl", "1,5", "1,5"), ("pl", "", ""), ("pl", None, None), ("pl", "abc", "abc"), ("pl", "1e3", "1e3"),
])
def test_a_number_given_to_a_form_is_written_as_the_reader_types_it(language, value, shown):
    with translation.override(language):
        assert typed_number(value) == shown


def test_every_staff_form_with_a_number_field_prefills_it_as_the_page_writes_numbers():
    """The rule, not one dialog: each of the panel's forms that holds a LocalizedNumberField."""
    found = [form for module in (add_funds_limits, clients, finance, services, tax) for form in vars(module).values()
             if isinstance(form, type) and issubclass(form, forms.BaseForm)
             and any(isinstance(field, LocalizedNumberField) for field in form.base_fields.values())]
    assert len(found) >= 8
    # (Its method, not BaseForm's: a mixin placed after BaseForm in a form's order would do nothing.)
    assert [form.__name__ for form in found
            if form.get_initial_for_field is not LocalizedNumbersMixin.get_initial_for_field] == []


# --- one full stop after a name that ends in one --------------------------------------------------

@pytest.mark.parametrize("message, shown", [
    ("Dodano klienta 0061 Nowak Hosting sp. z o.o..", "Dodano klienta 0061 Nowak Hosting sp. z o.o."),
    ("x@example.com is now linked to Acme Inc..", "x@example.com is now linked to Acme Inc."),
    ("Client 0061 Acme Inc. created.", "Client 0061 Acme Inc. created."), ("Saved.", "Saved."),
    ("Sending...", "Sending..."), ("Linked to Wait....", "Linked to Wait..."), ("", ""),
])
def test_a_message_ends_in_one_full_stop(message, shown):
    assert one_full_stop(message) == shown


def test_a_flash_message_naming_a_client_whose_name_ends_in_a_full_stop_ends_in_one(staff_client, staff):
    """In Polish the name closes the sentence: "Dodano klienta 0061 Nowak Hosting sp. z o.o."."""
    _reading(staff, "pl")
    response = staff_client.post(reverse("backoffice:client-create"), {
        "email": "jan.nowak@example.com", "firstname": "Jan", "lastname": "Nowak",
        "company_name": "Nowak Hosting sp. z o.o.", "status": "NEW", "billing_country": "PL"}, follow=True)
    page = response.content.decode()
    client = Client.objects.get(owner__email="jan.nowak@example.com")
    alert = _words(page.split('role="alert">')[1].split("</div>")[0])
    assert alert == f"Dodano klienta {client.number} Nowak Hosting sp. z o.o."
    assert "o.o.." not in page


def test_a_tax_rate_that_is_no_number_asks_for_a_percentage_in_the_page_s_notation():
    from django.utils import translation

    from clientpanel.backoffice.forms.tax import TaxRuleForm

    with translation.override("pl"):
        form = TaxRuleForm({"tax1_name": "VAT", "tax1_rate": "23%"})
        form.is_valid()
        assert [str(e) for e in form.errors["tax1_rate"]] == ["Wpisz wartość procentową, np. 23 lub 9,975."]
