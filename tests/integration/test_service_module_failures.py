"""The accountant's audit of services whose module fails, through the API and the staff page (SPEC
§9): a service ordered, retried and terminated though its module never created it ends CANCELLED
with its setup fee given back; an Unsuspend its module fails is answered as a failure — 409
`module_failed` in the API, an error on the page — and leaves the service suspended and uncharged."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.models import ChargeKind, Service, ServiceCharge
from clientpanel.clients.models import ClientBalance
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db
T = dt.datetime(2027, 9, 2, 8, 18, 41, tzinfo=dt.UTC)


def at(moment: dt.datetime) -> None:
    call_command("run_automation", "--at", moment.isoformat())


def product(key: str, settings: dict, period: str, amount: str, setup: str = "0") -> tuple[Product, Price]:
    made = Product.objects.create(key=key, name=key.upper(), module="sample", module_settings=settings)
    return made, Price.objects.create(product=made, currency="USD", period=period, amount=Decimal(amount),
                                      setup_fee=Decimal(setup))


def ordered(api, make_client, key: str, settings: dict, period: str, amount: str, setup: str = "0") -> dict:
    client = make_client(currency="USD")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Top-up")
    _product, price = product(key, settings, period, amount, setup)
    made = api.post(f"/clients/{client.pk}/services", {"product": key, "price": price.pk})
    assert made.status_code == 201, made.content
    at(T)  # provisioned by the pending job
    return api.get(f"/services/{made.json()['id']}").json()


def test_a_service_its_module_never_created_is_cancelled_through_the_api_and_its_setup_fee_given_back(
        api, make_client):
    service = ordered(api, make_client, "acct-fail", {"fail": "create"}, "MONTHLY", "10.00", "5.00")
    assert (service["status"], service["provision_status"]) == ("PENDING", "ERROR")
    client_id = service["client"]
    assert ClientBalance.objects.get(pk=client_id).balance == Decimal("95")
    assert api.post(f"/services/{service['id']}/retry", {}).json()["provision_status"] == "ERROR"
    ended = api.post(f"/services/{service['id']}/terminate", {})
    assert ended.status_code == 200 and ended.json()["status"] == "CANCELLED"
    again = api.post(f"/services/{service['id']}/terminate", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "service_state"
    assert ClientBalance.objects.get(pk=client_id).balance == Decimal("100")
    listed = api.get(f"/clients/{client_id}/transactions").json()["results"]
    mine = [(e["type"], Decimal(e["net"])) for e in listed if e["service"] == service["id"]]
    assert sorted(mine) == [("ADJUSTMENT", Decimal("5")), ("CHARGE", Decimal("-5"))]  # the fee and its reversal
    [reversal] = [e for e in listed if e["service"] == service["id"] and e["type"] == "ADJUSTMENT"]
    assert reversal["description"] == f"Service:{service['id']}, charge of 5.0000 reversed (never provisioned)"


def test_an_unsuspend_the_module_fails_is_a_409_and_the_service_stays_suspended_and_uncharged(
        api, make_client, monkeypatch):
    service = ordered(api, make_client, "daily-unsuspend", {"fail": "unsuspend"}, "DAILY", "1.00")
    assert service["status"] == "ACTIVE"
    monkeypatch.setattr(timezone, "now", lambda: T + dt.timedelta(hours=1))
    assert api.post(f"/services/{service['id']}/suspend", {}).json()["status"] == "SUSPENDED"
    monkeypatch.setattr(timezone, "now", lambda: T + dt.timedelta(days=3))
    refused = api.post(f"/services/{service['id']}/unsuspend", {})
    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert error["code"] == "module_failed" and "Sample module failed to unsuspend" in error["message"]
    now = api.get(f"/services/{service['id']}").json()
    assert (now["status"], now["provision_status"]) == ("SUSPENDED", "ERROR")
    assert now["provision_error"] == f"Sample module failed to unsuspend {service['label']}."
    assert now["billed_until"] == service["billed_until"]
    assert ServiceCharge.objects.filter(service_id=service["id"], kind=ChargeKind.PERIOD).count() == 1


def test_the_staff_page_says_the_unsuspend_failed(make_client, staff_client, staff, api, monkeypatch):
    service = ordered(api, make_client, "daily-unsuspend", {"fail": "unsuspend"}, "DAILY", "1.00")
    monkeypatch.setattr(timezone, "now", lambda: T + dt.timedelta(hours=1))
    api.post(f"/services/{service['id']}/suspend", {})
    staff_client.force_login(staff)  # a session from the real now has expired by then
    page = staff_client.post(reverse("backoffice:service-do", args=[service["id"], "unsuspend"]), follow=True)
    shown = [(m.level_tag, str(m)) for m in page.context["messages"]]
    assert len(shown) == 1 and shown[0][0] == "error", shown
    assert "could not unsuspend" in shown[0][1] and f"failed to unsuspend {service['label']}" in shown[0][1]
    assert Service.objects.get(pk=service["id"]).status == "SUSPENDED"


def test_the_staff_page_says_a_service_never_set_up_is_cancelled_with_its_charges_given_back(
        api, make_client, staff_client):
    """It said "Terminate: the service is cancelled, provisioning error." as a warning, and nothing of
    the 5.00 given back."""
    service = ordered(api, make_client, "acct-fail2", {"fail": "create"}, "MONTHLY", "10.00", "5.00")
    done = staff_client.post(reverse("backoffice:service-do", args=[service["id"], "terminate"]), follow=True)
    page = done.content.decode()
    assert "never set up, so it is cancelled and what it was charged is given back" in page
    assert Service.objects.get(pk=service["id"]).status == "CANCELLED"
