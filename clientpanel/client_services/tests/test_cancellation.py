"""A client asks to end a service (SPEC §9, issue 12): at the end of the paid period — no further
period is charged and the credit job ends it — or now; only what the state allows, only on the
client's own services, and recorded in the audit trail."""

import datetime as dt

import pytest
from django.utils import timezone

from clientpanel.audit.models import AuditEvent
from clientpanel.client_services.models import (
    SUSPENDED_BY_STAFF,
    ProvisioningEvent,
    Service,
    ServiceStatus,
)
from clientpanel.client_services.services import (
    CANCEL_AT_PERIOD_END,
    CANCEL_NOW,
    job_enforce_credit,
    service_cancellation_request,
    service_cancellation_withdraw,
    service_order,
    service_suspend,
)
from clientpanel.clients import permissions as keys
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.services import client_user_link
from clientpanel.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from clientpanel.ledger.models import EntryType, LedgerEntry

from .test_billing import T, at, charges, funded_client, make_product

pytestmark = pytest.mark.django_db


def _owner(client):
    return portal_actor(client.owner, client.pk)


def _active(client, period="MONTHLY", amount="20.00", key="vps"):
    product, price = make_product(key=key, period=period, amount=amount)
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    at(T)
    service.refresh_from_db()
    assert service.status == ServiceStatus.ACTIVE
    return service


def test_cancelled_at_period_end_is_not_charged_again_and_ends_when_the_period_does():
    client = funded_client("100")
    service = _active(client)
    first_end = service.billed_until
    requested = service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    assert requested.cancel_requested and requested.status == ServiceStatus.ACTIVE
    event = AuditEvent.objects.get(action="service.cancel_request")
    assert event.client_id == client.pk
    at(first_end + dt.timedelta(minutes=1))
    service.refresh_from_db()
    assert service.status == ServiceStatus.TERMINATED
    assert len(charges(service)) == 1  # only the period paid before the request


def test_cancelled_now_terminates_a_running_service_and_cancels_a_pending_one():
    client = funded_client("100")
    running = _active(client)
    ended = service_cancellation_request(actor=_owner(client), service_id=running.pk, when=CANCEL_NOW)
    assert ended.status == ServiceStatus.TERMINATED and ended.terminated_at is not None
    product, price = make_product(key="later", period="MONTHLY", amount="5")
    pending = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    assert service_cancellation_request(actor=_owner(client), service_id=pending.pk,
                                        when=CANCEL_NOW).status == ServiceStatus.CANCELLED
    assert AuditEvent.objects.filter(action="service.cancel").count() == 2


def test_what_the_state_does_not_allow_is_refused():
    client = funded_client("100")
    service = _active(client)
    service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    for when in (CANCEL_AT_PERIOD_END, CANCEL_NOW):  # asked once: kept first, then asked anew
        with pytest.raises(Conflict, match="already requested"):
            service_cancellation_request(actor=_owner(client), service_id=service.pk, when=when)
    service_cancellation_withdraw(actor=_owner(client), service_id=service.pk)
    service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_NOW)
    with pytest.raises(Conflict):  # ended already
        service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_NOW)
    one_time = _active(client, period="ONE_TIME", amount="3", key="setup")
    with pytest.raises(Conflict):  # nothing recurs, so there is no period end to wait for
        service_cancellation_request(actor=_owner(client), service_id=one_time.pk, when=CANCEL_AT_PERIOD_END)
    with pytest.raises(ValidationFailed) as refused:
        service_cancellation_request(actor=_owner(client), service_id=one_time.pk, when="tomorrow")
    assert "when" in refused.value.fields


def test_another_clients_service_is_not_found_and_a_user_without_the_key_is_refused():
    mine, theirs = funded_client("100"), funded_client("100")
    their_service = _active(theirs)
    with pytest.raises(NotFound):
        service_cancellation_request(actor=_owner(mine), service_id=their_service.pk, when=CANCEL_NOW)
    client_user_link(actor=None, client_id=theirs.pk, data={
        "email": "viewer@example.com", "firstname": "View", "lastname": "Er", "password": "viewer-passphrase",
        "permissions": [keys.MANAGE_SERVICES]})
    viewer = portal_actor(theirs.user_links.get(user__email="viewer@example.com").user, theirs.pk)
    with pytest.raises(PermissionDenied):
        service_cancellation_request(actor=viewer, service_id=their_service.pk, when=CANCEL_NOW)
    assert Service.objects.get(pk=their_service.pk).status == ServiceStatus.ACTIVE


def test_the_refusal_names_the_end_day_where_the_reader_is():
    """A period ending 23:30 UTC ends the next day in Warsaw, where the portal reads it (the
    client's home company's zone): the refusal named the UTC day."""
    client = funded_client("100")
    service = _active(client)
    service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    Service.objects.filter(pk=service.pk).update(billed_until=dt.datetime(2027, 10, 1, 23, 30, tzinfo=dt.UTC))
    with timezone.override("Europe/Warsaw"), pytest.raises(Conflict, match="ends on 2027-10-02"):
        service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_NOW)


def test_a_cancellation_staff_suspended_meanwhile_still_ends_with_its_period(staff):
    """Cancelled at the end of its period, then suspended by staff: no rule ended it (the job ended
    ACTIVE ones only, and staff's suspension waits for staff), so it stayed suspended for ever. It
    ends when its period does, as an active one: its module's terminate runs, no period is charged."""
    client = funded_client("100")
    service = _active(client)
    first_end = service.billed_until
    service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    assert service_suspend(actor=staff, service_id=service.pk).suspension_reason == SUSPENDED_BY_STAFF
    at(first_end - dt.timedelta(minutes=1))  # its paid period still runs: it waits
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.SUSPENDED
    at(first_end + dt.timedelta(minutes=1))
    service.refresh_from_db()
    assert (service.status, service.terminated_at) == (ServiceStatus.TERMINATED, first_end + dt.timedelta(minutes=1))
    assert ProvisioningEvent.objects.filter(service=service, action="terminate", outcome="OK").count() == 1
    assert len(charges(service)) == 1  # only the period paid before the request
    assert LedgerEntry.objects.filter(client=client, type=EntryType.CHARGE).count() == 1
    assert AuditEvent.objects.get(action="service.terminate").changes["status"] == [
        ServiceStatus.SUSPENDED, ServiceStatus.TERMINATED]


def test_a_manual_service_whose_cancellation_was_requested_is_left_to_staff():
    client = funded_client("100")
    service = _active(client)
    service_cancellation_request(actor=_owner(client), service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    Service.objects.filter(pk=service.pk).update(status=ServiceStatus.MANUAL)
    after = service.billed_until + dt.timedelta(hours=1)
    assert job_enforce_credit(now=after)["terminated"] == 0
    service.refresh_from_db()
    assert service.status == ServiceStatus.MANUAL and service.terminated_at is None
    assert not ProvisioningEvent.objects.filter(service=service, action="terminate").exists()
