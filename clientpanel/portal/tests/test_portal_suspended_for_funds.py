"""A service suspended for insufficient funds says, on the dashboard, its own page and Add Funds,
what the client must add to bring it back — what its next charge needs beyond the balance and
credit limit, the rule the credit job unsuspends by — with Add Funds asking for that amount (at
least Add Funds' minimum); an order refused for want of funds links to Add Funds too. Only for a
user who sees the balance and adds funds (Manage Invoices)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import INSUFFICIENT_FUNDS, Service, ServiceStatus
from clientpanel.client_services.services import job_enforce_credit, service_order
from clientpanel.clients import permissions as keys
from clientpanel.invoicing.services.add_funds_limits import add_funds_limit_save
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

from .conftest import PASSWORD
from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db
ADD_FUNDS = reverse("portal:add-funds")


def _product(key: str, amount: str) -> Product:
    product = Product.objects.create(key=key, name=key.upper(), module="sample")
    Price.objects.create(product=product, currency="PLN", period="MONTHLY", amount=Decimal(amount))
    return product


def _suspended(client, product: Product, top_up: str) -> Service:
    """Ordered 40 days ago with `top_up` more than its month costs, charged then; suspended for
    insufficient funds when its second month found only `top_up`."""
    price = product.prices.get()
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=price.amount + Decimal(top_up),
               description="Top-up")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    now = timezone.now()
    call_command("run_automation", "--at", (now - dt.timedelta(days=40)).isoformat())
    call_command("run_automation", "--at", (now - dt.timedelta(minutes=5)).isoformat())
    service.refresh_from_db()
    assert (service.status, service.suspension_reason) == (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)
    return service


@pytest.fixture
def polish(make_client):
    client = make_client(currency="PLN", language="pl", password=PASSWORD)
    client.owner.language = "pl"
    client.owner.save(update_fields=["language"])
    return client


def test_the_dashboard_and_the_service_page_say_what_brings_the_service_back(polish):
    service = _suspended(polish, _product("vps", "29.99"), "10.52")
    link = f"{ADD_FUNDS}?amount=19.47"
    browser = _signed_in(polish.owner.email)
    dashboard = browser.get(reverse("portal:dashboard")).content.decode()
    assert 'id="funds-shortfall"' in dashboard
    assert "19,47\xa0zł" in dashboard and "29,99\xa0zł" in dashboard and "10,52\xa0zł" in dashboard
    assert f'href="{link}"' in dashboard
    assert reverse("portal:service", args=[service.pk]) in dashboard
    page = browser.get(reverse("portal:service", args=[service.pk])).content.decode()
    assert 'id="service-shortfall"' in page and "19,47\xa0zł" in page and f'href="{link}"' in page
    add_funds = browser.get(link).content.decode()
    assert 'name="amount" value="19.47"' in add_funds and 'id="funds-shortfall"' in add_funds
    # Straight to Add Funds, the form starts with it too; an amount a link asks for wins.
    assert 'name="amount" value="19.47"' in browser.get(ADD_FUNDS).content.decode()
    assert 'name="amount" value="25.00"' in browser.get(f"{ADD_FUNDS}?amount=25").content.decode()
    assert 'name="amount" value="19.47"' in browser.get(f"{ADD_FUNDS}?amount=-3").content.decode()

    # The amount is the credit job's: a grosz less leaves the service suspended, the amount brings it back.
    entry_post(client_id=polish.pk, type=EntryType.ADJUSTMENT, net=Decimal("19.46"), description="Top-up")
    job_enforce_credit(now=timezone.now())
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.SUSPENDED
    assert "0,01\xa0zł" in browser.get(reverse("portal:service", args=[service.pk])).content.decode()
    entry_post(client_id=polish.pk, type=EntryType.ADJUSTMENT, net=Decimal("0.01"), description="Top-up")
    job_enforce_credit(now=timezone.now())
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.ACTIVE
    assert 'id="funds-shortfall"' not in browser.get(reverse("portal:dashboard")).content.decode()


def test_add_funds_is_asked_for_at_least_its_minimum_and_the_credit_limit_counts(polish):
    service = _suspended(polish, _product("vps", "29.99"), "10.52")
    add_funds_limit_save(actor=None, currency="PLN", minimum="50", maximum="1000")
    page = _signed_in(polish.owner.email).get(reverse("portal:service", args=[service.pk])).content.decode()
    assert "19,47\xa0zł" in page and f'href="{ADD_FUNDS}?amount=50.00"' in page
    polish.credit_limit = Decimal("19.00")
    polish.save(update_fields=["credit_limit"])
    page = _signed_in(polish.owner.email).get(reverse("portal:service", args=[service.pk])).content.decode()
    assert "0,47\xa0zł" in page and "29,52\xa0zł" in page  # funds: 10.52 + 19.00


def test_two_suspended_services_say_what_each_lacks_and_what_all_lack(polish):
    first = _suspended(polish, _product("vps", "29.99"), "10.52")
    second = _suspended(polish, _product("mail", "15.00"), "0")
    page = _signed_in(polish.owner.email).get(reverse("portal:dashboard")).content.decode()
    assert page.count('class="d-flex flex-wrap align-items-center column-gap-2 row-gap-1 mb-2 shortfall"') == 2
    assert reverse("portal:service", args=[first.pk]) in page and reverse("portal:service", args=[second.pk]) in page
    # 29.99 + 15.00 against 10.52 (the second service's first month was charged from its own top-up).
    assert 'id="all-shortfall"' in page and "34,47\xa0zł" in page and f'{ADD_FUNDS}?amount=34.47' in page


def test_only_a_user_who_adds_funds_is_told_and_only_one_who_sees_services_gets_their_links(polish):
    service = _suspended(polish, _product("vps", "29.99"), "10.52")
    services_only = _signed_in(_member(polish, keys.MANAGE_SERVICES, email="tech@example.com"))
    assert 'id="service-shortfall"' not in services_only.get(
        reverse("portal:service", args=[service.pk])).content.decode()
    assert 'id="funds-shortfall"' not in services_only.get(reverse("portal:dashboard")).content.decode()
    invoices_only = _signed_in(_member(polish, keys.MANAGE_INVOICES, email="books@example.com"))
    dashboard = invoices_only.get(reverse("portal:dashboard")).content.decode()
    assert 'id="funds-shortfall"' in dashboard and f"{ADD_FUNDS}?amount=19.47" in dashboard
    assert f"VPS {service.label}" in dashboard and reverse("portal:service", args=[service.pk]) not in dashboard


def test_an_order_refused_for_want_of_funds_links_to_add_funds_with_what_it_lacks(polish):
    entry_post(client_id=polish.pk, type=EntryType.ADJUSTMENT, net=Decimal("10.52"), description="Top-up")
    price = _product("big", "39.99").prices.get()
    page = _signed_in(polish.owner.email).post(reverse("portal:order"), {"price": str(price.pk)}).content.decode()
    assert "39,99\xa0zł" in page and 'id="order-shortfall"' in page and "29,47\xa0zł" in page
    assert f'href="{ADD_FUNDS}?amount=29.47"' in page
    orders_only = _signed_in(_member(polish, keys.MANAGE_ORDERS, email="buyer@example.com"))
    refused = orders_only.post(reverse("portal:order"), {"price": str(price.pk)}).content.decode()
    assert "39,99\xa0zł" in refused and 'id="order-shortfall"' not in refused
