"""A service whose module's create never succeeded (SPEC §9: the setup fee is charged "and the module
creates it"): ended by staff, by the client or by the pending job, it is CANCELLED — not TERMINATED,
it never ran — and what it was charged is given back to the balance by a reversal through the
ledger, once, however often or however many times at once it is ended. A service that ran keeps
what it paid (docs/decisions.md)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ChargeKind, ProvisioningEvent, ProvisionStatus, Service, ServiceStatus
from clientpanel.client_services.services import (
    CANCEL_NOW,
    job_provision_pending,
    service_cancellation_request,
    service_order,
    service_provision,
    service_retry,
    service_terminate,
)
from clientpanel.client_services.services.periods import charge_post
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import ClientBalance
from clientpanel.core.errors import Conflict
from clientpanel.ledger.descriptions import SERVICE_CHARGE_REVERSAL, service_charge
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import entry_post

from .test_billing import funded_client, make_product

pytestmark = pytest.mark.django_db


def failed_create(funds="100", key="acct-fail"):
    """The audit's case: acct-fail, USD monthly 10.00 + setup 5.00, whose module fails to create it;
    ordered, provisioned (the setup fee charged, the create failed) and retried (failed again)."""
    client = funded_client(funds)
    product, price = make_product(key=key, period="MONTHLY", amount="10.00", setup="5.00",
                                  settings={"fail": "create"})
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    service_provision(service_id=service.pk)
    return client, service


def balance(client) -> Decimal:
    return ClientBalance.objects.get(pk=client.pk).balance


def reversals(service) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(service_id=service.pk, type=EntryType.ADJUSTMENT).order_by("sequence"))


def test_terminating_a_service_whose_create_never_succeeded_cancels_it_and_gives_the_setup_fee_back(
        staff, django_capture_on_commit_callbacks):
    client, service = failed_create()
    service_retry(actor=staff, service_id=service.pk)
    assert balance(client) == Decimal("95")
    assert Service.objects.get(pk=service.pk).provision_status == ProvisionStatus.ERROR
    with django_capture_on_commit_callbacks(execute=True):
        ended = service_terminate(actor=staff, service_id=service.pk)
    assert (ended.status, ended.terminated_at) == (ServiceStatus.CANCELLED, None) and ended.cancelled_at is not None
    assert balance(client) == Decimal("100")
    [given] = reversals(service)
    assert (given.net, given.description_code) == (Decimal("5"), SERVICE_CHARGE_REVERSAL)
    assert given.description == f"Service:{service.pk}, charge of 5.0000 reversed (never provisioned)"
    shown = LedgerEntry.objects.select_related("client").get(pk=given.pk)
    with translation.override("pl"):
        assert shown.reader_description == f"Usługa {service.pk}, cofnięcie obciążenia 5,00 (nie została " \
                                           "uruchomiona)"
    # Its create was attempted, and a failed create may have left something: the module's terminate
    # runs once (test_never_provisioned_terminate.py).
    assert ProvisioningEvent.objects.filter(service=service, action="terminate").count() == 1
    audit = AuditEvent.objects.get(action="service.cancel", object_id=str(service.pk))
    assert audit.changes["status"] == ["PENDING", "CANCELLED"] and audit.changes["charge_reversed"][1] == "5.0000"
    with pytest.raises(Conflict):  # ended already: nothing more to give back
        service_terminate(actor=staff, service_id=service.pk)
    assert len(reversals(service)) == 1 and balance(client) == Decimal("100")
    assert not ledger_breaches()


def test_the_client_cancelling_it_now_gets_the_setup_fee_back_too():
    client, service = failed_create()
    ended = service_cancellation_request(actor=portal_actor(client.owner, client.pk), service_id=service.pk,
                                         when=CANCEL_NOW)
    assert ended.status == ServiceStatus.CANCELLED and balance(client) == Decimal("100")
    assert [entry.net for entry in reversals(service)] == [Decimal("5")]


def test_every_charge_of_a_service_never_provisioned_is_given_back_each_by_its_own_entry(staff):
    """A period charged to a service that never ran (rows from before, or made by hand) goes back too."""
    client, service = failed_create()
    start = timezone.now()
    charge_post(service, kind=ChargeKind.PERIOD, start=start, end=start + dt.timedelta(days=30),
                amount=Decimal("10"), check_credit=False,
                description=service_charge(service_id=service.pk, period="MONTHLY", amount=Decimal("10")))
    assert balance(client) == Decimal("85")
    service_terminate(actor=staff, service_id=service.pk)
    assert sorted(entry.net for entry in reversals(service)) == [Decimal("5"), Decimal("10")]
    assert balance(client) == Decimal("100")


def test_a_pending_service_the_job_cancels_after_a_retry_found_no_funds_gets_its_setup_fee_back(staff):
    client, service = failed_create(funds="15")
    Product.objects.filter(pk=service.product_id).update(module_settings={})  # the module is fixed…
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("-10"), description="Spent")
    service_retry(actor=staff, service_id=service.pk)  # …but the first month is no longer covered
    service.refresh_from_db()
    assert (service.status, service.provision_status) == (ServiceStatus.PENDING, ProvisionStatus.PENDING)
    job_provision_pending(now=timezone.now() + dt.timedelta(days=30))  # past its cancellation delay
    service.refresh_from_db()
    assert service.status == ServiceStatus.CANCELLED
    assert [entry.net for entry in reversals(service)] == [Decimal("5")] and balance(client) == Decimal("5")


def test_a_service_that_ran_is_terminated_and_keeps_what_it_paid(staff):
    client = funded_client("100")
    product, price = make_product(key="acct-ok", period="MONTHLY", amount="10.00", setup="5.00")
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    service_provision(service_id=service.pk)
    assert service_terminate(actor=staff, service_id=service.pk).status == ServiceStatus.TERMINATED
    assert reversals(service) == [] and balance(client) == Decimal("85")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ending_it_many_times_at_once_gives_the_charges_back_once(staff):
    """Four staff terminations and a client's cancellation of the same failed service, all at once:
    its charges given back and its module's terminate run, each once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections: PostgreSQL")
    client, service = failed_create()
    start = threading.Barrier(5, timeout=10)
    errors, statuses = [], []

    def end(request):
        try:
            start.wait()
            statuses.append(request().status)
        except Conflict:  # read after another ended it: "already cancelled" is a fine answer
            statuses.append("refused")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    calls = [lambda: service_terminate(actor=staff, service_id=service.pk)] * 4 + [
        lambda: service_cancellation_request(actor=None, service_id=service.pk, when=CANCEL_NOW)]
    threads = [threading.Thread(target=end, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(statuses) == 5 and set(statuses) <= {ServiceStatus.CANCELLED, "refused"}
    assert Service.objects.get(pk=service.pk).status == ServiceStatus.CANCELLED
    assert [entry.net for entry in reversals(service)] == [Decimal("5")]
    assert balance(client) == Decimal("100") and not ledger_breaches()
    # Its failed create may have left something: the one end that committed ran the terminate, once.
    assert ProvisioningEvent.objects.filter(service=service, action="terminate").count() == 1
