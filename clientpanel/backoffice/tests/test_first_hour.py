"""What a newcomer tripped over in the first hour with the demo (an office manager's walk from a
product to a credit note): each kept by a test that fails if it comes back."""

import pytest
from django.urls import reverse

from clientpanel.catalog.services import price_save, product_save
from clientpanel.client_services.services import service_order

pytestmark = pytest.mark.django_db


def test_a_service_row_says_which_badge_is_the_provisioning_one(staff_client, make_client):
    """Two badges both reading PENDING side by side: the second is provisioning's, and says so."""
    product = product_save(actor=None, data={"key": "web", "name": "Web"})
    price = price_save(actor=None, product_id=product.pk, data={"currency": "USD", "period": "MONTHLY",
                                                               "amount": "10.00"})
    client = make_client()
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk,
                            allow_over_limit=True)
    tab = staff_client.get(reverse("backoffice:client-services", args=[client.pk])).content.decode()
    assert "PROVISIONING: PENDING" in tab
    detail = staff_client.get(reverse("backoffice:service-detail", args=[service.pk])).content.decode()
    assert "PROVISIONING: PENDING" in detail


def test_a_document_writes_the_seller_and_buyer_addresses_whole_and_in_the_readers_language(staff_client,
                                                                                          make_client):
    """The seller read 'ul. Marszałkowska 1 Warszawa PL' (no postcode, the country's code) beside a
    buyer 'Main Street 1, 02-454 Warszawa, Mazowieckie, Poland'; on a Polish page both said Poland."""
    from clientpanel.invoicing.services.proformas import proforma_add_funds
    from clientpanel.tax.models import HomeCompany

    HomeCompany.objects.filter(is_default=True).update(address1="ul. Marszałkowska 1", postcode="00-624",
                                                       city="Warszawa", country="PL")
    client = make_client(currency="PLN")
    document = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10.00")
    url = reverse("backoffice:document-detail", args=[document.pk])
    page = staff_client.get(url).content.decode()
    assert "ul. Marszałkowska 1, 00-624 Warszawa, Poland" in page
    assert "Main Street 1, 02-454 Warszawa, Mazowieckie, Poland" in page
    staff_client.post(reverse("backoffice:account-language"), {"language": "pl", "next": url})
    polish = staff_client.get(url).content.decode()
    assert "ul. Marszałkowska 1, 00-624 Warszawa, Polska" in polish
    assert "Main Street 1, 02-454 Warszawa, Mazowieckie, Polska" in polish and "Poland" not in polish
    summary = staff_client.get(reverse("backoffice:client-summary", args=[client.pk])).content.decode()
    assert "02-454 Warszawa, Mazowieckie, Polska" in summary and "Poland" not in summary


def test_a_documents_list_dates_each_document_in_its_home_companys_zone_as_its_page_does(staff_client,
                                                                                        make_client):
    """The Invoices tab said 'issued 01:53' (UTC) for a proforma its page and PDF date 02:53
    Europe/Warsaw; an invoice issued at 00:30 in Warsaw on 1 December read as 30 November."""
    import datetime as dt

    import time_machine

    from clientpanel.invoicing.services.proformas import proforma_add_funds
    from clientpanel.tax.models import HomeCompany

    HomeCompany.objects.filter(is_default=True).update(time_zone="Europe/Warsaw")
    client = make_client(currency="PLN")
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC), tick=False):
        document = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10.00")
    tab = staff_client.get(reverse("backoffice:client-invoices", args=[client.pk])).content.decode()
    page = staff_client.get(reverse("backoffice:document-detail", args=[document.pk])).content.decode()
    assert "2026-12-01 00:30" in page
    assert "2026-12-01 00:30" in tab and "2026-11-30 23:30" not in tab
    listed = staff_client.get(reverse("backoffice:finance-documents")).content.decode()
    assert "2026-12-01 00:30" in listed


def test_an_address_nobody_named_is_named_in_the_readers_language(staff_client, make_client):
    """A Polish client's portal headed its billing address 'Default' (the name the service stores)."""
    from django.test import Client as Browser

    from clientpanel.clients.services import address_create

    polish = make_client(language="pl", password="correct-horse-battery")
    address_create(actor=None, client_id=polish.pk, data={"type": "SHIPPING", "address1": "Polna 2",
                                                          "city": "Kraków", "country": "PL"})
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": polish.owner.email,
                                                  "password": "correct-horse-battery"}).status_code == 302
    portal = browser.get(reverse("portal:addresses")).content.decode()
    assert ">Domyślny</h2>" in portal and ">Adres dostawy</h2>" in portal and ">Default<" not in portal
    assert "Usunąć adres „Adres dostawy”?" in portal
    profile = staff_client.get(reverse("backoffice:client-profile", args=[polish.pk])).content.decode()
    assert '"cp-card-head">Default <span' in profile and '"cp-card-head">Shipping address <span' in profile  # English


def test_the_tax_report_writes_a_rate_as_a_percentage_in_the_readers_way_and_the_csv_as_a_number():
    """The Tax collected page wrote a rate as '25.5' (no %, an English point on a Polish page)."""
    from decimal import Decimal

    from django.utils import translation

    from clientpanel.backoffice.views.report_tables import Rate, Table, csv_cell

    table = Table("rates", "Tax per rate", [("Rate", True)], rows=[[Rate(Decimal("25.500"))], [Rate(Decimal("23"))]])
    with translation.override("en"):
        assert ">25.5%</td>" in table.body_html and ">23%</td>" in table.body_html
    with translation.override("pl"):
        assert ">25,5%</td>" in table.body_html
    assert csv_cell(Rate(Decimal("25.500"))) == "25.5" and csv_cell(Rate(Decimal("23.000"))) == "23"


def test_the_tax_reports_rate_column_is_the_tax_rate_not_an_exchange_rate_in_polish(staff_client):
    """The Polish column read 'Kurs' (an exchange rate) above 23%: 'Stawka'."""
    from django.utils import translation

    with translation.override("pl"):
        staff_client.post(reverse("backoffice:account-language"), {"language": "pl", "next": "/staff/"})
        page = staff_client.get(reverse("backoffice:finance-report-tax")).content.decode()
    assert ">Stawka</th>" in page and ">Kurs</th>" not in page


def test_products_name_their_module_by_its_title_not_its_key(staff_client):
    """The Products list's Module column read 'manual' and 'sample' (the registry's keys), also in Polish."""
    product_save(actor=None, data={"key": "web", "name": "Web", "module": "manual"})
    product_save(actor=None, data={"key": "vps", "name": "VPS", "module": "sample"})
    page = staff_client.get(reverse("backoffice:product-list")).content.decode()
    assert '"Module">Manual</td>' in page and '"Module">Sample (can fail or hang)</td>' in page
    assert ">manual</td>" not in page
    staff_client.post(reverse("backoffice:account-language"), {"language": "pl", "next": "/staff/"})
    polish = staff_client.get(reverse("backoffice:product-list")).content.decode()
    assert '"Moduł">Ręczny</td>' in polish


def test_a_companys_tax_rules_name_the_country_and_set_each_kind_of_client_apart(staff_client):
    """The rules read 'private company company+tax ID' ('osoby prywatne firmy firmy z NIP' in
    Polish): which words go together could not be told. The country's code keeps its name at hand."""
    from clientpanel.tax.models import HomeCompany
    from clientpanel.tax.services import tax_presets_apply

    company = HomeCompany.objects.get(is_default=True)
    tax_presets_apply(actor=None, company_id=company.pk, preset="EU")
    page = staff_client.get(reverse("backoffice:home-company-edit", args=[company.pk])).content.decode()
    assert '<abbr title="Austria">AT</abbr>' in page
    assert ">private, company, company+tax ID</td>" in page
