"""Client users and owners, groups and inherited settings, staff assignment, audit entries."""

import contextlib
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create, staff_update
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Client, ClientGroup, ClientUser
from clientpanel.clients.permissions import ALL_PERMISSIONS
from clientpanel.clients.selectors import client_directory, effective_setting
from clientpanel.clients.services import (
    client_create,
    client_transfer_ownership,
    client_update,
    client_user_link,
    client_user_remove,
    client_user_update,
    group_delete,
    group_save,
)
from clientpanel.core.actor import ACTOR_API_TOKEN, Actor, acting_as
from clientpanel.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from conftest import client_data

pytestmark = pytest.mark.django_db


def link(client, email="helper@example.com", permissions=("manage-services",), **extra):
    data = {"email": email, "firstname": "Help", "lastname": "Er", "permissions": list(permissions), **extra}
    return client_user_link(actor=None, client_id=client.pk, data=data)


def test_owner_is_linked_with_every_permission(make_client):
    client = make_client()
    owner_link = ClientUser.objects.get(client=client, user=client.owner)
    assert owner_link.permissions == list(ALL_PERMISSIONS)


def test_link_creates_a_new_user_or_links_an_existing_one(make_client):
    first, second = make_client(), make_client()
    created = link(first, email="Helper@Example.com")
    assert created.user.email == "helper@example.com" and created.permissions == ["manage-services"]
    existing = link(second, email="HELPER@example.com", permissions=["view-documents", "manage-users"])
    assert existing.user == created.user
    assert existing.permissions == ["manage-users", "view-documents"]  # canonical order
    assert User.objects.filter(email="helper@example.com").count() == 1


@pytest.mark.parametrize("data, field, message", [
    ({"permissions": ["fly"]}, "permissions", "Unknown permission 'fly'"),
    ({"permissions": "manage-users"}, "permissions", "list of permission keys"),
    ({"email": "nope"}, "email", "valid email"),
    ({"email": "new@example.com", "firstname": ""}, "firstname", "required"),
    ({"shoe_size": 44}, "shoe_size", "Unknown field"),
])
def test_bad_link_input_writes_nothing(make_client, data, field, message):
    client = make_client()
    before = (User.objects.count(), ClientUser.objects.count())
    with pytest.raises(ValidationFailed) as failure:
        client_user_link(actor=None, client_id=client.pk, data={
            "email": "new@example.com", "firstname": "N", "lastname": "U", "permissions": [], **data})
    assert message in " ".join(failure.value.fields[field])
    assert (User.objects.count(), ClientUser.objects.count()) == before


def test_linking_twice_or_linking_staff_is_refused(make_client, staff):
    client = make_client()
    link(client)
    with pytest.raises(ValidationFailed, match="fields") as failure:
        link(client)
    assert "linked to the client already" in failure.value.fields["email"][0]
    with pytest.raises(ValidationFailed) as failure:
        link(client, email=staff.email)
    assert "staff account" in failure.value.fields["email"][0]


def test_owner_link_cannot_be_removed_or_restricted(make_client):
    client = make_client()
    with pytest.raises(Conflict, match="transfer ownership first"):
        client_user_remove(actor=None, client_id=client.pk, user_id=client.owner_id)
    with pytest.raises(ValidationFailed):
        client_user_update(actor=None, client_id=client.pk, user_id=client.owner_id, permissions=[])
    assert ClientUser.objects.get(client=client, user=client.owner).permissions == list(ALL_PERMISSIONS)


def test_edit_and_remove_a_normal_link(make_client):
    client = make_client()
    helper = link(client, password="a-long-passphrase-3").user  # used: an unused one goes (test_unused_logins)
    client_user_update(actor=None, client_id=client.pk, user_id=helper.pk, permissions=["manage-invoices"])
    assert ClientUser.objects.get(client=client, user=helper).permissions == ["manage-invoices"]
    # None is "not given" (an API PATCH without the field): nothing changes; [] takes them all away.
    client_user_update(actor=None, client_id=client.pk, user_id=helper.pk, permissions=None)
    assert ClientUser.objects.get(client=client, user=helper).permissions == ["manage-invoices"]
    client_user_remove(actor=None, client_id=client.pk, user_id=helper.pk)
    assert not ClientUser.objects.filter(client=client, user=helper).exists()
    assert User.objects.filter(pk=helper.pk).exists()  # the account stays


def test_transfer_ownership_moves_the_owner_role(make_client):
    client = make_client()
    old_owner = client.owner
    helper = link(client).user
    client_transfer_ownership(actor=None, client_id=client.pk, user_id=helper.pk)
    client.refresh_from_db()
    assert client.owner == helper
    assert ClientUser.objects.get(client=client, user=helper).permissions == list(ALL_PERMISSIONS)
    assert ClientUser.objects.get(client=client, user=old_owner).permissions == list(ALL_PERMISSIONS)
    # The old owner is a normal link now: it can be restricted and removed.
    client_user_update(actor=None, client_id=client.pk, user_id=old_owner.pk, permissions=["view-documents"])
    client_user_remove(actor=None, client_id=client.pk, user_id=old_owner.pk)
    assert helper.email in Client.objects.get(pk=client.pk).search_text


def test_transfer_to_an_unlinked_user_is_refused(make_client):
    client, other = make_client(), make_client()
    with pytest.raises(NotFound):
        client_transfer_ownership(actor=None, client_id=client.pk, user_id=other.owner_id)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_transfer_of_ownership_under_concurrent_edits_keeps_exactly_one_owner():
    client = client_create(actor=None, data=client_data())
    helpers = [link(client, email=f"h{i}@example.com").user for i in range(4)]
    errors = []

    def transfer(user):
        try:
            client_transfer_ownership(actor=None, client_id=client.pk, user_id=user.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def restrict(user):
        try:
            # When it became the owner first, restricting it is refused, as it must be.
            with contextlib.suppress(ValidationFailed):
                client_user_update(actor=None, client_id=client.pk, user_id=user.pk, permissions=["view-documents"])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=transfer, args=(u,)) for u in helpers]
    threads += [threading.Thread(target=restrict, args=(u,)) for u in helpers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    client.refresh_from_db()
    assert client.owner in helpers
    assert ClientUser.objects.get(client=client, user=client.owner).permissions == list(ALL_PERMISSIONS)
    assert ClientUser.objects.filter(client=client).count() == 5


# --- groups and settings inheritance ---------------------------------------------------------

def test_effective_setting_at_each_level(make_client, settings):
    settings.CLIENTPANEL_SETTING_DEFAULTS = {"payment_terms_days": 7, "tax_exempt": False, "reminders_enabled": True}
    group = group_save(actor=None, data={"name": "Resellers", "payment_terms_days": 30, "tax_exempt": True})
    client = make_client(group=group.pk)
    assert effective_setting(client, "payment_terms_days") == (30, "group")
    assert effective_setting(client, "tax_exempt") == (True, "group")
    assert effective_setting(client, "reminders_enabled") == (True, "system")
    client = client_update(actor=None, client_id=client.pk, data={"payment_terms_days": "14", "tax_exempt": "false"})
    assert effective_setting(client, "payment_terms_days") == (14, "client")
    assert effective_setting(client, "tax_exempt") == (False, "client")
    client = client_update(actor=None, client_id=client.pk, data={"group": None, "payment_terms_days": ""})
    assert effective_setting(client, "payment_terms_days") == (7, "system")
    with pytest.raises(KeyError):
        effective_setting(client, "password")


def test_new_client_in_a_group_takes_its_currency_and_language(make_client):
    group = group_save(actor=None, data={"name": "Polska", "currency": "PLN", "language": "pl"})
    data = client_data(group=group.pk)
    del data["currency"], data["language"]
    client = client_create(actor=None, data=data)
    assert (client.currency, client.language) == ("PLN", "pl")


def test_group_with_clients_cannot_be_deleted(make_client):
    group = group_save(actor=None, data={"name": "VIP"})
    make_client(group=group.pk)
    with pytest.raises(Conflict, match="move them to another group first"):
        group_delete(actor=None, group_id=group.pk)
    assert ClientGroup.objects.filter(pk=group.pk).exists()
    empty = group_save(actor=None, data={"name": "Empty"})
    group_delete(actor=None, group_id=empty.pk)
    assert not ClientGroup.objects.filter(pk=empty.pk).exists()


@pytest.mark.parametrize("data, field", [
    ({"name": ""}, "name"), ({"name": "x" * 101}, "name"), ({"name": "G", "colour": "red"}, "colour"),
    ({"name": "G", "currency": "XXX"}, "currency"), ({"name": "G", "payment_terms_days": "400"}, "payment_terms_days"),
    ({"name": "G", "tax_exempt": "maybe"}, "tax_exempt"),
])
def test_bad_group_input_writes_nothing(data, field):
    with pytest.raises(ValidationFailed) as failure:
        group_save(actor=None, data=data)
    assert field in failure.value.fields
    assert not ClientGroup.objects.exists()


@pytest.mark.parametrize("look_alike", ["vip", "\uff36\uff29\uff30", "V\u200bIP", "\ufeffVip", "v\u00adip"])
def test_a_group_name_that_reads_as_another_is_refused(look_alike):
    """In any case, in full-width letters, or with an invisible character inside: staff would see
    two groups of one name in every picker."""
    first = group_save(actor=None, data={"name": "VIP"})
    with pytest.raises(ValidationFailed) as failure:
        group_save(actor=None, data={"name": look_alike})
    assert "exists already" in str(failure.value.fields["name"])
    other = group_save(actor=None, data={"name": "VIP Gold"})
    with pytest.raises(ValidationFailed):  # renaming one onto another is the same
        group_save(actor=None, data={"name": look_alike}, group_id=other.pk)
    assert group_save(actor=None, data={"name": look_alike.upper()}, group_id=first.pk).name == look_alike.upper()
    assert ClientGroup.objects.count() == 2


def test_look_alike_groups_made_before_the_rule_still_take_other_changes():
    ClientGroup.objects.bulk_create([ClientGroup(name="VIP"), ClientGroup(name="\uff36\uff29\uff30")])
    wide = ClientGroup.objects.get(name="\uff36\uff29\uff30")
    changed = group_save(actor=None, data={"name": "\uff36\uff29\uff30", "colour": "#123456"}, group_id=wide.pk)
    assert changed.colour == "#123456"
    gold = group_save(actor=None, data={"name": "Gold"})
    with pytest.raises(ValidationFailed):  # a new name is held to the rule
        group_save(actor=None, data={"name": "vip"}, group_id=gold.pk)


def test_directory_filters_by_group(staff, make_client):
    group = group_save(actor=None, data={"name": "VIP"})
    make_client(group=group.pk, company_name="In Group")
    make_client(company_name="Outside")
    assert [c.display_name for c in client_directory(actor=staff, group=group.pk).results] == ["In Group"]


# --- staff ---------------------------------------------------------------------------------------

def test_assigning_a_role_that_does_not_exist_is_refused(db):
    with pytest.raises(ValidationFailed) as failure:
        staff_create(email="s@example.com", password="correct-horse-battery", roles=["Wizard"])
    assert "no role named 'Wizard'" in failure.value.fields["roles"][0]
    assert not User.objects.filter(email="s@example.com").exists()
    member = staff_create(email="s@example.com", password="correct-horse-battery", roles=["Support"])
    with pytest.raises(ValidationFailed):
        staff_update(actor=None, staff_id=member.pk, data={"roles": ["Support", "Wizard"]})
    assert list(member.groups.values_list("name", flat=True)) == ["Support"]


def test_staff_cannot_lock_themselves_out(staff):
    with pytest.raises(ValidationFailed) as failure:
        staff_update(actor=staff, staff_id=staff.pk, data={"is_active": False, "roles": ["Support"]})
    assert set(failure.value.fields) == {"is_active", "roles"}


def test_read_only_staff_cannot_write_through_services(make_client):
    reader = staff_create(email="r@example.com", password="correct-horse-battery", roles=["Read-only"])
    client = make_client()
    with pytest.raises(PermissionDenied):
        client_update(actor=reader, client_id=client.pk, data={"company_name": "Hacked"})
    with pytest.raises(PermissionDenied):
        client_create(actor=reader, data=client_data())


def test_limited_staff_creating_a_client_keeps_seeing_it(make_client):
    limited = staff_create(email="l@example.com", password="correct-horse-battery", roles=["Support"],
                           limited_to_assigned_clients=True)
    make_client(company_name="Somebody else's")
    mine = client_create(actor=limited, data=client_data(company_name="Mine"))
    assert [c.pk for c in client_directory(actor=limited).results] == [mine.pk]


# --- audit -------------------------------------------------------------------------------------

def test_audit_records_who_what_old_and_new(make_client, staff):
    client = make_client(company_name="Old Name")
    with acting_as(Actor(kind="staff", user=staff, label=staff.email, ip="203.0.113.7")):
        client_update(actor=staff, client_id=client.pk, data={"company_name": "New Name", "credit_limit": "50"})
    event = AuditEvent.objects.filter(action="client.update").get()
    assert (event.actor, event.actor_kind, event.ip, event.client_id) == (staff, "staff", "203.0.113.7", client.pk)
    assert event.changes["company_name"] == ["Old Name", "New Name"]
    assert event.changes["credit_limit"] == ["0.0000", "50.0000"]
    assert event.changes["display_name"] == ["Old Name", "New Name"]


def test_audit_records_api_tokens_and_the_system(make_client, staff):
    client = make_client()
    assert AuditEvent.objects.filter(action="client.create", client_id=client.pk).get().actor_kind == "system"
    with acting_as(Actor(kind=ACTOR_API_TOKEN, user=staff, label="API token cp_x… of staff")):
        link(client)
    event = AuditEvent.objects.get(action="client_user.link")
    assert event.actor_kind == "api_token" and event.changes == {"permissions": [None, ["manage-services"]]}


def test_failed_change_leaves_no_audit_entry(make_client):
    client = make_client()
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed):
        client_update(actor=None, client_id=client.pk, data={"tax_id": "PL5260250996"})
    assert AuditEvent.objects.count() == before


def test_seed_demo_is_idempotent():
    call_command("seed_demo", "--clients", "8")
    counts = (Client.objects.count(), ClientGroup.objects.count(), ClientUser.objects.count(), User.objects.count())
    call_command("seed_demo", "--clients", "8")
    assert (Client.objects.count(), ClientGroup.objects.count(), ClientUser.objects.count(),
            User.objects.count()) == counts
    assert counts[0] == 8 and counts[1] == 2
    assert Client.objects.exclude(tax_id="").exists()

