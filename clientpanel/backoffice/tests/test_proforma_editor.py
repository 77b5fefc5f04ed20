"""The proforma editor (issue 14, item 6): a grid of lines priced as staff type, issued by the same
service and validation as the API's, refused by line without losing what was typed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from clientpanel.accounts.services import staff_create
from clientpanel.catalog.models import Price, Product
from clientpanel.invoicing.models import Document
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed(make_client):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"country": "PL"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    product = Product.objects.create(key="mini", name="MINI", module="manual")
    Price.objects.create(product=product, currency="PLN", period="MONTHLY", amount=Decimal("35.00"))
    Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("8.50"))
    return make_client(currency="PLN")


def lines(*rows):
    data = {}
    for n, (description, quantity, price, *top_up) in enumerate(rows, start=1):
        data |= {f"line-{n}-description": description, f"line-{n}-quantity": quantity, f"line-{n}-unit_price": price}
        if top_up:
            data[f"line-{n}-top_up"] = "on"
    return data


def test_the_editor_offers_the_products_priced_in_the_clients_currency(staff_client, taxed):
    page = staff_client.get(f"/staff/clients/{taxed.pk}/invoices/new/").content.decode()
    assert 'name="line-1-description"' in page and "proforma-line-template" in page
    assert 'data-price="35"' in page and "8.5" not in page  # PLN only


def test_the_preview_prices_each_line_and_the_tax_per_rate_as_staff_type(staff_client, taxed):
    response = staff_client.post(f"/staff/clients/{taxed.pk}/invoices/new/preview/",
                                 lines(("Maintenance", "2", "45.00"), ("Domain", "1", "12.3456"),
                                       ("", "", "")), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "102.35" in html and "23.54" in html and "125.89" in html  # 90.00 + 12.35; VAT 23 %
    assert 'id="line-1-net" hx-swap-oob="true">PLN\xa090.00' in html
    bad = staff_client.post(f"/staff/clients/{taxed.pk}/invoices/new/preview/", lines(("Work", "0", "1")),
                            headers={"HX-Request": "true"}).content.decode()
    assert "Use a quantity above 0" in bad and "proforma-summary" not in bad
    # An exponent is no quantity: "1e1" was read as ten.
    typo = staff_client.post(f"/staff/clients/{taxed.pk}/invoices/new/preview/", lines(("Work", "1e1", "1")),
                             headers={"HX-Request": "true"}).content.decode()
    assert "Use a quantity above 0" in typo and "proforma-summary" not in typo


def test_issuing_from_the_grid_writes_the_lines_and_a_refused_line_keeps_what_was_typed(staff_client, taxed):
    refused = staff_client.post(f"/staff/clients/{taxed.pk}/invoices/new/",
                                lines(("Maintenance", "2", "45.00"), ("Domain", "1", "12.34567")))
    assert refused.status_code == 400 and not Document.objects.exists()
    html = refused.content.decode()
    assert 'value="12.34567"' in html and 'value="Maintenance"' in html and "is-invalid" in html
    done = staff_client.post(f"/staff/clients/{taxed.pk}/invoices/new/",
                             lines(("Maintenance", "2", "45.00"), ("", "1", "100.00", True)))
    assert done.status_code == 302
    proforma = Document.objects.get()
    assert (proforma.net, proforma.tax, proforma.total) == (Decimal("190.00"), Decimal("43.70"), Decimal("233.70"))
    items = list(proforma.items.order_by("position"))
    first = items[0]
    assert (first.description, first.quantity, first.unit_price, first.is_topup) == (
        "Maintenance", Decimal("2"), Decimal("45.00"), False)
    assert items[1].is_topup and items[1].net == Decimal("100.00")


def test_the_editor_needs_the_finance_area_and_a_csrf_token(taxed, staff):
    support = staff_create(email="support@example.com", password="correct-horse-battery", firstname="S",
                           lastname="S", roles=["Support"])
    browser = HttpClient()
    browser.force_login(support)
    assert browser.get(f"/staff/clients/{taxed.pk}/invoices/new/").status_code == 403
    assert browser.post(f"/staff/clients/{taxed.pk}/invoices/new/preview/", lines(("A", "1", "1"))).status_code == 403
    strict = HttpClient(enforce_csrf_checks=True)
    strict.force_login(staff)
    assert strict.post(f"/staff/clients/{taxed.pk}/invoices/new/", lines(("A", "1", "1"))).status_code == 403
    assert not Document.objects.exists()
