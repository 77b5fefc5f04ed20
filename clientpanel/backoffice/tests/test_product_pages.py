"""The Products pages (issue 14): a price edited, retired and brought back; exchange rates set and
removed by staff holding Products or Settings; derived prices shown as such; Add Service offering
only products priced (explicitly or derived) in the client's currency."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.roles import SETTINGS
from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.models import ExchangeRate, Price
from clientpanel.catalog.services import exchange_rate_save, price_save, product_save
from clientpanel.client_services.models import Service
from clientpanel.client_services.services import service_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def vps():
    made = product_save(actor=None, data={"key": "vps", "name": "VPS", "derive_prices": True})
    price_save(actor=None, product_id=made.pk, data={"currency": "USD", "period": "MONTHLY", "amount": "20.00"})
    return made


def staff_with(*areas: str):
    role = Group.objects.create(name="+".join(areas) or "nothing")
    role.permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename__in=areas))
    return staff_create(email=f"{role.name.replace('+', '-')}@example.com", password="correct-horse-battery",
                        roles=[role.name])


def test_a_price_is_edited_on_its_page_and_the_service_keeps_its_price(staff_client, vps, make_client):
    monthly = vps.prices.get()
    service = service_order(actor=None, client_id=make_client().pk, product_id=vps.pk, price_id=monthly.pk,
                            allow_over_limit=True)
    url = reverse("backoffice:price-edit", args=[vps.pk, monthly.pk])
    page = staff_client.get(url).content.decode()
    assert 'value="20.00"' in page and "keep the amount and setup fee" in page
    bad = staff_client.post(url, {"amount": "-5", "setup_fee": "0"})
    assert bad.status_code == 200 and "The amount cannot be negative." in bad.content.decode()
    assert 'value="-5"' in bad.content.decode()  # what was typed stays
    too_fine = staff_client.post(url, {"amount": "20.005", "setup_fee": ""}).content.decode()
    assert "USD amounts have at most 2 decimal places." in too_fine
    saved = staff_client.post(url, {"amount": "24.00", "setup_fee": "2.50"}, follow=True).content.decode()
    assert "Monthly - $24.00" in saved
    monthly.refresh_from_db()
    service.refresh_from_db()
    assert (monthly.amount, monthly.setup_fee) == (Decimal("24.00"), Decimal("2.50"))
    assert (service.amount, service.setup_fee) == (Decimal("20.00"), Decimal("0"))
    assert AuditEvent.objects.filter(action="price.update").count() == 1


def test_a_price_is_retired_and_brought_back_from_the_product_page(staff_client, vps, make_client):
    monthly = vps.prices.get()
    retire = reverse("backoffice:price-retire", args=[vps.pk, monthly.pk])
    page = staff_client.post(retire, {"retired": "1"}, follow=True).content.decode()
    assert "RETIRED" in page and "Bring back" in page
    add = reverse("backoffice:service-add", args=[make_client().pk])
    assert "VPS (vps)" not in staff_client.get(add).content.decode()  # no price on sale: not offered
    staff_client.post(retire, {"retired": "0"})
    monthly.refresh_from_db()
    assert monthly.retired is False and "VPS (vps)" in staff_client.get(add).content.decode()
    other = product_save(actor=None, data={"key": "other", "name": "Other"})
    assert staff_client.post(reverse("backoffice:price-retire", args=[other.pk, monthly.pk])).status_code == 404
    assert staff_client.get(reverse("backoffice:price-edit", args=[other.pk, monthly.pk])).status_code == 404


def test_exchange_rates_page_sets_refuses_and_removes_a_rate(staff_client, vps):
    url = reverse("backoffice:product-exchange-rates")
    for rate, message in [("-1", "A rate is greater than zero."), ("1.1234567", "Use at most 6 decimal places."),
                          ("1e400", "Enter a number"), ("1000000000", "The rate is too large"),
                          ("abc", "Enter a number")]:
        answer = staff_client.post(url, {"currency": "PLN", "rate": rate})
        assert answer.status_code == 200 and message in answer.content.decode(), rate
    assert staff_client.post(url, {"currency": "XYZ", "rate": "1"}).status_code == 200  # not a choice
    assert not ExchangeRate.objects.exists()
    page = staff_client.post(url, {"currency": "PLN", "rate": "4.3127"}, follow=True).content.decode()
    assert "1 USD = 4.3127 PLN" in page
    product_page = staff_client.get(reverse("backoffice:product-edit", args=[vps.pk])).content.decode()
    assert "Monthly - PLN\u00a086.25" in product_page and "DERIVED" in product_page
    assert "Monthly - PLN\u00a086.25" in staff_client.get(reverse("backoffice:product-list")).content.decode()
    staff_client.post(reverse("backoffice:product-exchange-rate-delete", args=["PLN"]))
    assert not ExchangeRate.objects.exists()
    assert staff_client.post(reverse("backoffice:product-exchange-rate-delete", args=["PLN"])).status_code == 404


def test_staff_with_settings_only_may_set_rates_but_not_edit_prices(client, vps):
    client.force_login(staff_with(SETTINGS))
    monthly = vps.prices.get()
    assert client.get(reverse("backoffice:product-exchange-rates")).status_code == 200
    client.post(reverse("backoffice:product-exchange-rates"), {"currency": "EUR", "rate": "0.9"})
    assert ExchangeRate.objects.get().rate == Decimal("0.9")
    assert client.get(reverse("backoffice:price-edit", args=[vps.pk, monthly.pk])).status_code == 403
    assert client.post(reverse("backoffice:price-retire", args=[vps.pk, monthly.pk])).status_code == 403
    client.force_login(staff_with())
    assert client.post(reverse("backoffice:product-exchange-rates"), {"currency": "EUR", "rate": "1"}).status_code \
        == 403
    assert ExchangeRate.objects.get().rate == Decimal("0.9")


def test_posts_without_a_csrf_token_are_refused(staff, vps):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    monthly = vps.prices.get()
    assert strict.post(reverse("backoffice:price-edit", args=[vps.pk, monthly.pk]),
                       {"amount": "1.00"}).status_code == 403
    assert strict.post(reverse("backoffice:price-retire", args=[vps.pk, monthly.pk])).status_code == 403
    assert strict.post(reverse("backoffice:product-exchange-rates"), {"currency": "PLN", "rate": "4"}).status_code \
        == 403
    monthly.refresh_from_db()
    assert (monthly.amount, monthly.retired) == (Decimal("20.00"), False) and not ExchangeRate.objects.exists()


def test_add_service_lists_only_products_priced_in_the_clients_currency(staff_client, vps, make_client):
    usd_only = product_save(actor=None, data={"key": "usd-only", "name": "USD only"})  # derives nothing
    price_save(actor=None, product_id=usd_only.pk, data={"currency": "USD", "period": "MONTHLY", "amount": "5"})
    exchange_rate_save(actor=None, currency="PLN", rate="4.3127")
    client = make_client(currency="PLN")
    url = reverse("backoffice:service-add", args=[client.pk])
    page = staff_client.get(url).content.decode()
    assert "VPS (vps)" in page and "USD only" not in page
    options = staff_client.get(url, {"product": str(vps.pk)}, headers={"HX-Request": "true"}).content.decode()
    assert "Monthly - PLN\u00a086.25 (derived at 4.3127)" in options
    monthly = vps.prices.get()
    refused = staff_client.post(url, {"product": str(usd_only.pk), "price": "1"})
    assert refused.status_code == 200 and not Service.objects.exists()
    staff_client.post(url, {"product": str(vps.pk), "price": str(monthly.pk), "allow_over_limit": "on"})
    service = Service.objects.get()
    assert (service.currency, service.amount) == ("PLN", Decimal("86.25"))
    explicit = Price.objects.create(product=vps, currency="PLN", period="MONTHLY", amount=Decimal("79"))
    options = staff_client.get(url, {"product": str(vps.pk)}, headers={"HX-Request": "true"}).content.decode()
    assert "Monthly - PLN\u00a079.00" in options and "derived" not in options and str(explicit.pk) in options


def test_a_price_the_service_refuses_names_the_field_by_its_label_not_its_key(staff_client, vps):
    """'49,00' typed on an English page: the service refuses it, and the message says 'Amount: …'
    instead of 'Some fields are not valid: amount. amount: …'."""
    url = reverse("backoffice:price-add", args=[vps.pk])
    page = staff_client.post(url, {"currency": "PLN", "period": "MONTHLY", "amount": "49,00", "setup_fee": "0"},
                             follow=True).content.decode()
    assert "Check the price: Amount: Enter a number, e.g. 12.50." in page
    assert "not valid: amount" not in page and "amount: Enter" not in page
    assert not vps.prices.filter(currency="PLN").exists()


def test_a_refused_price_comes_back_as_typed(staff_client, vps):
    """After a refusal the form fell back to USD, One time and an empty amount: the currency,
    period and amount typed are chosen again, to be corrected rather than typed anew."""
    url = reverse("backoffice:price-add", args=[vps.pk])
    page = staff_client.post(url, {"currency": "PLN", "period": "MONTHLY", "amount": "49,00", "setup_fee": "5"},
                             follow=True).content.decode()
    assert '<option value="PLN" selected>' in page and '<option value="MONTHLY" selected>' in page
    assert 'id="id_price_amount" class="form-control form-control-sm" value="49,00"' in page
    assert 'id="id_price_setup" class="form-control form-control-sm" value="5"' in page
    added = staff_client.post(url, {"currency": "PLN", "period": "MONTHLY", "amount": "49.00", "setup_fee": "0"},
                              follow=True)
    assert added.redirect_chain[-1][0] == reverse("backoffice:product-edit", args=[vps.pk])  # nothing carried
    assert "Price added." in added.content.decode() and vps.prices.filter(currency="PLN").exists()


def test_module_settings_nested_too_deeply_are_a_field_error(staff_client, vps):
    # json.loads raises RecursionError (not a ValueError) on them: the form's save was a 500.
    response = staff_client.post(reverse("backoffice:product-edit", args=[vps.pk]), {
        "key": "vps", "name": "VPS", "module": "manual", "module_settings": "[" * 3000,
        "termination_delay_hours": 48, "cancellation_delay_hours": 48})
    assert response.status_code == 200 and "Enter a JSON object" in response.content.decode()
    vps.refresh_from_db()
    assert vps.module_settings == {}
