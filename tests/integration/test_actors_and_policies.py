"""One actor for staff, tokens, portal users and the system: what each sees (the visible_to
selectors), what each may do (the apps' policies), and how Login as Owner is recorded."""

from decimal import Decimal

import pytest

from clientpanel.accounts.actors import as_actor, staff_actor, token_actor
from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.catalog.services import price_save, product_save
from clientpanel.client_services.selectors import services_visible_to
from clientpanel.client_services.services import service_order, service_suspend
from clientpanel.clients import permissions as keys
from clientpanel.clients import policies as client_policies
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.selectors import clients_visible_to, users_visible_to
from clientpanel.clients.services import client_update, client_user_link
from clientpanel.core.actor import ACTOR_CLIENT_USER, ACTOR_SYSTEM, SYSTEM, acting_as
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed
from clientpanel.invoicing import policies as invoicing_policies
from clientpanel.invoicing.selectors import documents_visible_to
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import entries_visible_to
from clientpanel.ledger.services import entry_post, manual_transaction_create
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_clients(make_client):
    mine = make_client(currency="USD")
    other = make_client(currency="USD")
    entry_post(client_id=mine.pk, type=EntryType.ADJUSTMENT, net=Decimal("50"), description="Opening")
    entry_post(client_id=other.pk, type=EntryType.ADJUSTMENT, net=Decimal("70"), description="Opening")
    return mine, other


def _member(client, *permissions):
    """A client user linked to the client with only these permission keys."""
    data = client_data()
    link = client_user_link(actor=None, client_id=client.pk, data={
        "email": f"member-{data['email']}", "firstname": "Mia", "lastname": "Member",
        "permissions": list(permissions)})
    return link.user


def _products():
    shown = product_save(actor=None, data={"key": "vps-shown", "name": "VPS", "hourly_billing": False})
    hidden = product_save(actor=None, data={"key": "vps-hidden", "name": "Hidden VPS", "hidden": True})
    prices = [price_save(actor=None, product_id=p.pk, data={"currency": "USD", "period": "MONTHLY",
                                                              "amount": "5.00"}) for p in (shown, hidden)]
    return (shown, prices[0]), (hidden, prices[1])


def test_the_system_may_do_everything_and_a_portal_user_holds_no_staff_area(two_clients):
    mine, _ = two_clients
    assert as_actor(None) is SYSTEM and SYSTEM.kind == ACTOR_SYSTEM
    assert SYSTEM.has_area("area_finance")
    owner = portal_actor(mine.owner, mine.pk)
    assert owner.kind == ACTOR_CLIENT_USER
    assert not owner.has_area("area_view_clients") and not owner.has_area("area_finance")
    assert owner.permissions == frozenset(keys.ALL_PERMISSIONS)  # the owner holds every key


def test_staff_and_their_tokens_carry_their_roles_and_client_scope():
    accountant = staff_create(email="acc@example.com", password="correct-horse-battery", roles=["Accountant"],
                              limited_to_assigned_clients=True)
    actor = staff_actor(accountant)
    assert actor.areas == {"area_view_clients", "area_finance"} and actor.limited_to_assigned
    token, _ = api_token_create(user=accountant)
    as_token = token_actor(token)
    assert as_token.areas == actor.areas and as_token.limited_to_assigned
    assert as_token.label.startswith("API token cp_")
    assert not client_policies.can_edit_client(actor) and invoicing_policies.can_issue_documents(actor)


def test_a_portal_user_sees_its_own_client_only_and_nothing_of_another(two_clients):
    mine, other = two_clients
    owner = portal_actor(mine.owner, mine.pk)
    assert list(clients_visible_to(owner)) == [mine]
    assert set(LedgerEntry.objects.filter(client=mine)) == set(entries_visible_to(owner))
    assert not entries_visible_to(owner).filter(client=other).exists()
    with pytest.raises(NotFound):
        portal_actor(mine.owner, other.pk)  # not linked: answered as if the client did not exist


def test_each_portal_page_needs_its_permission_key(two_clients):
    mine, _ = two_clients
    (shown, price), _ = _products()
    service_order(actor=None, client_id=mine.pk, product_id=shown.pk, price_id=price.pk)
    proforma_add_funds(actor=None, client_id=mine.pk, net_amount="10")
    bare = portal_actor(_member(mine), mine.pk)
    assert not documents_visible_to(bare).exists()
    assert not services_visible_to(bare).exists()
    assert not entries_visible_to(bare).exists()
    assert not users_visible_to(bare).exists()
    full = portal_actor(_member(mine, keys.MANAGE_INVOICES, keys.MANAGE_SERVICES, keys.MANAGE_USERS), mine.pk)
    assert documents_visible_to(full).count() == 1
    assert services_visible_to(full).count() == 1
    assert entries_visible_to(full).exists()
    assert users_visible_to(full).filter(pk=mine.owner_id).exists()


def test_a_portal_user_cannot_use_the_staff_services(two_clients):
    mine, _ = two_clients
    owner = portal_actor(mine.owner, mine.pk)
    proforma = proforma_add_funds(actor=None, client_id=mine.pk, net_amount="10")
    with pytest.raises(PermissionDenied):
        client_update(actor=owner, client_id=mine.pk, data={"credit_limit": "1000"})
    with pytest.raises(PermissionDenied):
        proforma_pay(actor=owner, document_id=proforma.pk, amount=str(proforma.total))
    with pytest.raises(PermissionDenied):
        manual_transaction_create(actor=owner, client_id=mine.pk, amount="100", description="Gift")
    mine.refresh_from_db()
    assert mine.credit_limit == 0 and mine.balance == Decimal("50")


def test_ordering_in_the_portal_needs_the_key_a_shown_product_and_enough_funds(two_clients):
    mine, other = two_clients
    (shown, shown_price), (hidden, hidden_price) = _products()
    without_key = portal_actor(_member(mine, keys.MANAGE_SERVICES), mine.pk)
    with pytest.raises(PermissionDenied):
        service_order(actor=without_key, client_id=mine.pk, product_id=shown.pk, price_id=shown_price.pk)
    orderer = portal_actor(_member(mine, keys.MANAGE_ORDERS), mine.pk)
    with pytest.raises(ValidationFailed) as refused:
        service_order(actor=orderer, client_id=mine.pk, product_id=hidden.pk, price_id=hidden_price.pk)
    assert "product" in refused.value.fields
    with pytest.raises(PermissionDenied):
        service_order(actor=orderer, client_id=mine.pk, product_id=shown.pk, price_id=shown_price.pk,
                      allow_over_limit=True)
    with pytest.raises(PermissionDenied):
        service_order(actor=orderer, client_id=other.pk, product_id=shown.pk, price_id=shown_price.pk)
    service = service_order(actor=orderer, client_id=mine.pk, product_id=shown.pk, price_id=shown_price.pk)
    assert service.client_id == mine.pk
    with pytest.raises(PermissionDenied):
        service_suspend(actor=orderer, service_id=service.pk)  # status changes are staff's


def test_login_as_owner_records_both_identities_in_the_audit_trail_and_the_ledger(two_clients):
    mine, _ = two_clients
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    assert client_policies.can_login_as_owner(staff_actor(support))
    (shown, price), _ = _products()
    impersonated = portal_actor(mine.owner, mine.pk, impersonator=support)
    assert not client_policies.can_login_as_owner(impersonated)
    with acting_as(impersonated):
        service = service_order(actor=impersonated, client_id=mine.pk, product_id=shown.pk, price_id=price.pk)
        entry, _ = entry_post(client_id=mine.pk, type=EntryType.CHARGE, net=Decimal("-1"), gross=Decimal("-1"),
                           description="Usage")
    event = AuditEvent.objects.get(action="service.order", object_id=str(service.pk))
    assert (event.actor_id, event.impersonator_id) == (mine.owner_id, support.pk)
    assert support.email in event.actor_label and mine.owner.email in event.actor_label
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.created_by_id, stored.impersonator_id) == (mine.owner_id, support.pk)
    assert stored.created_by_kind == ACTOR_CLIENT_USER
