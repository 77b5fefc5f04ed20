"""The portal's Services: the client's own services only, ordering what is on show within the
client's funds, and requesting a cancellation — each refusal shown on the form, keeping the choice."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import Service, ServiceStatus
from clientpanel.client_services.services import CANCEL_AT_PERIOD_END, service_cancellation_request
from clientpanel.clients import permissions as keys

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def _product(key, amount, hidden=False, retired=False, currency="USD"):
    product = Product.objects.create(key=key, name=key.title(), module="manual", hidden=hidden, retired=retired)
    return product, Price.objects.create(product=product, currency=currency, period="MONTHLY",
                                         amount=Decimal(amount))


def test_services_list_and_detail_show_the_clients_own_services_only(world):
    browser = _signed_in(world["mine"].owner.email)
    listed = browser.get(reverse("portal:services")).content.decode()
    assert world["mine_service"].label in listed and world["their_service"].label not in listed
    assert "VPS Small" in listed and "Pending" in listed
    mine = browser.get(reverse("portal:service", args=[world["mine_service"].pk]))
    assert mine.status_code == 200 and 'id="service-status"' in mine.content.decode()
    assert browser.get(reverse("portal:service", args=[world["their_service"].pk])).status_code == 404
    assert browser.get(reverse("portal:service-cancel", args=[world["their_service"].pk])).status_code == 404
    assert browser.post(reverse("portal:service-cancel", args=[world["their_service"].pk]),
                        {"when": "now"}).status_code == 404
    assert Service.objects.get(pk=world["their_service"].pk).status == ServiceStatus.PENDING


def test_the_order_form_offers_products_on_show_in_the_clients_currency(world):
    _product("hidden-box", "1", hidden=True)
    _product("retired-box", "1", retired=True)
    _product("euro-box", "1", currency="EUR")
    page = _signed_in(world["mine"].owner.email).get(reverse("portal:order")).content.decode()
    assert "VPS Small" in page
    assert "Hidden-Box" not in page and "Retired-Box" not in page and "Euro-Box" not in page


def test_ordering_a_hidden_product_is_refused(world):
    _hidden, price = _product("hidden-box", "1", hidden=True)
    browser = _signed_in(world["mine"].owner.email)
    refused = browser.post(reverse("portal:order"), {"price": str(price.pk)})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    assert not Service.objects.filter(product=_hidden).exists()


def test_ordering_beyond_balance_plus_credit_limit_is_refused_and_keeps_the_choice(world):
    _expensive, price = _product("big-box", "500")
    browser = _signed_in(world["mine"].owner.email)
    refused = browser.post(reverse("portal:order"), {"price": str(price.pk)}).content.decode()
    assert "do not cover the first charge" in refused and "Not enough funds." in refused
    assert f'<option value="{price.pk}" selected>' in refused
    assert not Service.objects.filter(product=_expensive).exists()


def test_ordering_within_funds_adds_a_pending_service_for_the_client(world):
    browser = _signed_in(world["mine"].owner.email)
    ordered = browser.post(reverse("portal:order"), {"price": str(world["price"].pk)})
    assert ordered.status_code == 302
    service = Service.objects.filter(client=world["mine"]).order_by("-created_at").first()
    assert ordered["Location"] == reverse("portal:service", args=[service.pk])
    assert service.status == ServiceStatus.PENDING and service.currency == "USD"
    assert AuditEvent.objects.filter(action="service.order", object_id=str(service.pk)).exists()


def test_a_cancellation_request_is_recorded_and_shown(world):
    email = _member(world["mine"], keys.MANAGE_ORDERS, keys.MANAGE_SERVICES)
    browser = _signed_in(email)
    url = reverse("portal:service-cancel", args=[world["mine_service"].pk])
    page = browser.get(url).content.decode()
    assert 'value="now"' in page and 'value="period_end"' not in page  # pending: nothing paid to wait for
    assert "invalid-feedback" in browser.post(url, {"when": "period_end"}).content.decode()
    done = browser.post(url, {"when": "now"})
    assert done.status_code == 302
    assert Service.objects.get(pk=world["mine_service"].pk).status == ServiceStatus.CANCELLED
    event = AuditEvent.objects.get(action="service.cancel", object_id=str(world["mine_service"].pk))
    assert event.actor_label == email
    assert 'id="cancel-impossible"' in browser.get(url).content.decode()


def test_a_requested_cancellation_is_said_with_its_date_and_offers_keeping_not_another_request(world):
    service = world["mine_service"]
    service.status, service.billed_until = "ACTIVE", service.order_date.replace(year=service.order_date.year + 1)
    service.save()
    service_cancellation_request(actor=None, service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    ends = service.billed_until.date().isoformat()
    cancel_url = reverse("portal:service-cancel", args=[service.pk])
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:service", args=[service.pk])).content.decode()
    assert f"Cancellation requested: the service ends on {ends}." in page
    assert reverse("portal:service-keep", args=[service.pk]) in page and cancel_url not in page
    asked_again = browser.get(cancel_url).content.decode()
    assert 'id="withdraw-box"' in asked_again and 'id="cancel-form"' not in asked_again
    assert 'id="cancel-impossible"' not in asked_again
    refused = browser.post(cancel_url, {"when": "now"}).content.decode()
    assert f"Its cancellation is already requested: the service ends on {ends}." in refused
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE and service.cancel_requested
    # Suspended meanwhile, it still ends then and can still be kept; a user who may not cancel
    # (Manage Services only) reads the same, without the button.
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.SUSPENDED)
    page = browser.get(reverse("portal:service", args=[service.pk])).content.decode()
    assert 'id="cancellation-notice"' in page and reverse("portal:service-keep", args=[service.pk]) in page
    viewer = _signed_in(_member(world["mine"], keys.MANAGE_SERVICES, email="viewer@example.com"))
    seen = viewer.get(reverse("portal:service", args=[service.pk])).content.decode()
    assert f"Cancellation requested: the service ends on {ends}." in seen
    assert reverse("portal:service-keep", args=[service.pk]) not in seen
    assert "ends with its period" in viewer.get(reverse("portal:services")).content.decode()


def test_a_setup_fee_is_offered_as_money_and_cancelling_a_service_never_set_up_says_it_is_given_back(world):
    """The order form wrote the setup fee as an amount typed in a form ("5.00 USD"); cancelling a
    service whose module never made it gives back what it was charged (client_services' ending), and
    the choice and the message said "time already paid is not refunded" and nothing."""
    _product_made, price = _product("setup-box", "10")
    price.setup_fee = Decimal("5")
    price.save()
    browser = _signed_in(world["mine"].owner.email)
    assert "$5.00 setup fee" in browser.get(reverse("portal:order")).content.decode()
    url = reverse("portal:service-cancel", args=[world["mine_service"].pk])
    offered = browser.get(url).content.decode()
    assert "it was never set up: what it was charged is given back" in offered
    assert "time already paid is not refunded" not in offered
    done = browser.post(url, {"when": "now"}, follow=True).content.decode()
    assert "what it was charged is given back to your balance" in done
    assert Service.objects.get(pk=world["mine_service"].pk).status == ServiceStatus.CANCELLED


def _order(world, product_key: str, module: str = "manual", module_settings=None):
    product, price = _product(product_key, "5")
    Product.objects.filter(pk=product.pk).update(module=module, module_settings=module_settings or {})
    browser = _signed_in(world["mine"].owner.email)
    page = browser.post(reverse("portal:order"), {"price": str(price.pk)}, follow=True).content.decode()
    return Service.objects.get(product=product), page


WAITING = "it is set up as soon as provisioning runs"


@pytest.mark.django_db(transaction=True)
def test_an_order_provisioned_at_once_is_said_to_be_active(world):
    """Provisioning is queued when the order commits and ran at once here (the page showed Active),
    yet the message said the service would be set up as soon as provisioning runs."""
    service, page = _order(world, "instant-box")
    assert service.status == ServiceStatus.ACTIVE
    assert f"Service {service.label} is ordered and active." in page and WAITING not in page


@pytest.mark.django_db(transaction=True)
def test_an_order_whose_set_up_failed_says_so(world):
    service, page = _order(world, "broken-box", module="sample", module_settings={"fail": "create"})
    assert service.status == ServiceStatus.PENDING
    assert f"Service {service.label} is ordered, but setting it up failed; our staff will try again." in page
    assert WAITING not in page


def test_an_order_waiting_for_provisioning_says_it_waits(world):
    service, page = _order(world, "queued-box")  # the test's transaction never commits: nothing ran
    assert service.status == ServiceStatus.PENDING
    assert f"Service {service.label} is ordered; {WAITING}." in page


def test_a_requested_cancellation_is_said_once_on_the_page_it_lands_on(world):
    service = world["mine_service"]
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.ACTIVE,
                                                 billed_until=service.order_date.replace(year=2099))
    browser = _signed_in(world["mine"].owner.email)
    landed = browser.post(reverse("portal:service-cancel", args=[service.pk]), {"when": "period_end"},
                          follow=True).content.decode()
    assert landed.count("Cancellation requested: the service ends on 2099-") == 1
    assert 'id="cancellation-notice"' in landed
