"""The staff service page and the API after a service's status change (SPEC §9): Unsuspend on a
service suspended for insufficient funds is refused while the funds do not cover its next charge
(no success, no unsuspend-then-suspend), the message after an action tells the state the service
is in then, the provisioning log names its steps, and every charge can be reached, a page at a time."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import (
    INSUFFICIENT_FUNDS,
    ChargeKind,
    ProvisioningEvent,
    Service,
    ServiceCharge,
    ServiceStatus,
)
from clientpanel.client_services.services import service_order, service_suspend
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db
T = dt.datetime(2027, 9, 2, 8, 18, 41, tzinfo=dt.UTC)


def at(moment: dt.datetime) -> None:
    call_command("run_automation", "--at", moment.isoformat())


def hourly_service(make_client, funds: str) -> Service:
    client = make_client(currency="USD")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal(funds), description="Top-up")
    product = Product.objects.create(key=f"vps-{client.number}", name="VPS", module="sample")
    price = Price.objects.create(product=product, currency="USD", period="HOURLY", amount=Decimal("0.9271"))
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    return service


def suspended_for_funds(make_client, top_up: str) -> Service:
    """Suspended when its second hour found 0.0729 USD; then `top_up` added."""
    service = hourly_service(make_client, "1.00")
    at(T + dt.timedelta(hours=1, minutes=5))
    service.refresh_from_db()
    assert (service.status, service.suspension_reason) == (ServiceStatus.SUSPENDED, INSUFFICIENT_FUNDS)
    entry_post(client_id=service.client_id, type=EntryType.ADJUSTMENT, net=Decimal(top_up), description="Top-up")
    return service


@pytest.fixture
def later(monkeypatch, staff_client, staff):
    """Staff act on the real clock: the test's actions happen `hours` after T (signed in again then,
    as a session from the real now has expired by that time)."""

    def move(hours: float = 2) -> None:
        monkeypatch.setattr(timezone, "now", lambda: T + dt.timedelta(hours=hours))
        staff_client.force_login(staff)

    return move


def unsuspend(staff_client, service):
    response = staff_client.post(reverse("backoffice:service-do", args=[service.pk, "unsuspend"]), follow=True)
    assert response.status_code == 200
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_unsuspend_without_funds_for_the_next_charge_is_refused_on_the_page(make_client, staff_client, later):
    service = suspended_for_funds(make_client, "0.7908")  # 0.8637 USD against an hour of 0.9271
    later()
    shown = unsuspend(staff_client, service)
    assert len(shown) == 1 and shown[0][0] == "error", shown
    assert "$0.9271" in shown[0][1] and "$0.8637" in shown[0][1] and "add funds" in shown[0][1]
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.SUSPENDED
    assert not ProvisioningEvent.objects.filter(service=service, action="unsuspend").exists()
    # The page offers no Unsuspend that can only be refused: its reason stands in the button's place.
    page = staff_client.get(reverse("backoffice:service-detail", args=[service.pk])).content.decode()
    assert reverse("backoffice:service-do", args=[service.pk, "unsuspend"]) not in page
    assert 'id="unsuspend-waits"' in page and "$0.9271" in page


def test_unsuspend_with_funds_for_the_next_charge_says_the_service_is_active(make_client, staff_client, later):
    service = suspended_for_funds(make_client, "0.8542")
    later()
    page = staff_client.get(reverse("backoffice:service-detail", args=[service.pk])).content.decode()
    assert reverse("backoffice:service-do", args=[service.pk, "unsuspend"]) in page
    assert 'id="unsuspend-waits"' not in page
    assert unsuspend(staff_client, service) == [
        ("success", "Unsuspend: the service is active, provisioning completed.")]


def test_a_service_billing_suspends_again_at_once_is_not_reported_active(make_client, staff_client, staff, later):
    """A staff suspension is lifted as before, funds or not; when billing then suspends it for the
    funds, the message says so — read after the action, not before the charge."""
    service = hourly_service(make_client, "0.9271")
    later(hours=1 / 6)
    service_suspend(actor=staff, service_id=service.pk)
    later()
    assert unsuspend(staff_client, service) == [
        ("warning", "Unsuspend: the service is suspended, provisioning completed.")]


def test_the_api_refuses_the_same_unsuspend_with_its_reason(make_client, api, later):
    service = suspended_for_funds(make_client, "0.7908")
    later()
    refused = api.post(f"/services/{service.pk}/unsuspend", {})
    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert error["code"] == "insufficient_funds" and "$0.9271" in error["message"] and "add funds" in error["message"]
    assert api.get(f"/services/{service.pk}").json()["status"] == "SUSPENDED"
    entry_post(client_id=service.client_id, type=EntryType.ADJUSTMENT, net=Decimal("0.0634"), description="Top-up")
    done = api.post(f"/services/{service.pk}/unsuspend", {})
    assert done.status_code == 200 and done.json()["status"] == "ACTIVE"


def test_the_provisioning_log_shows_step_names_not_codes(make_client, staff_client, staff, later):
    service = hourly_service(make_client, "100")
    later()
    service_suspend(actor=staff, service_id=service.pk)
    page = staff_client.get(reverse("backoffice:service-detail", args=[service.pk])).content.decode()
    log = page.split('id="provisioning-log"', 1)[1].split("</table>", 1)[0]
    steps = re.findall(r"<div>([^<]+?) <span class=\"badge", log)
    assert steps == ["Suspend", "Create"]


def _charge_rows(page: str) -> int:
    return page.split('id="charges-table"', 1)[1].split("</table>", 1)[0].count("<tr>")


def test_every_charge_of_a_service_can_be_reached_page_by_page(make_client, staff_client):
    service = hourly_service(make_client, "100")
    ServiceCharge.objects.bulk_create(
        ServiceCharge(service=service, kind=ChargeKind.PERIOD, period_start=T - dt.timedelta(hours=n),
                      period_end=T - dt.timedelta(hours=n - 1), amount=Decimal("0.9271")) for n in range(1, 131))
    url = reverse("backoffice:service-detail", args=[service.pk])
    total = ServiceCharge.objects.filter(service=service).count()
    first = staff_client.get(url).content.decode()
    assert _charge_rows(first) == 100 and f"{total} charges" in first and 'href="?page=2"' in first
    second = staff_client.get(url, {"page": 2}).content.decode()
    assert _charge_rows(second) == total - 100 and 'href="?page=1"' in second
    short = hourly_service(make_client, "100")
    short_page = staff_client.get(reverse("backoffice:service-detail", args=[short.pk])).content.decode()
    assert 'id="charges-pager"' not in short_page and _charge_rows(short_page) == 2  # setup fee, hour
