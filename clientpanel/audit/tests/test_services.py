"""Recording audit events: one row per change, written in the transaction of the change (a rollback
leaves none), saying who acted (staff, API token, system), on what, and which values changed."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from clientpanel.audit.models import AuditEvent
from clientpanel.audit.services import audit_record, created, deleted, diff, snapshot
from clientpanel.core.actor import ACTOR_API_TOKEN, ACTOR_STAFF, Actor, acting_as

# The audit app sits below every domain (import-linter), so these tests change a plain Django model
# (a staff role) and take users from get_user_model(); changes made by real services, through the
# panel and the API, are in tests/integration/test_audit_trail.py.
pytestmark = pytest.mark.django_db


class Boom(Exception):
    """Something failing later in the same transaction."""


@pytest.fixture
def role() -> Group:
    return Group.objects.create(name="Billing")


def test_an_event_says_who_did_what_to_which_object(staff, role):
    with acting_as(Actor(kind=ACTOR_STAFF, user=staff, label=staff.email, ip="203.0.113.7")):
        event = audit_record(action="role.update", target=role, changes={"name": ["Billing", "Finance"]})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_kind, stored.actor_label, stored.ip) == (staff, "staff", staff.email,
                                                                                "203.0.113.7")
    assert (stored.action, stored.object_type, stored.object_id, stored.object_label) == (
        "role.update", "group", str(role.pk), "Billing")
    assert stored.changes == {"name": ["Billing", "Finance"]} and stored.client_id is None
    assert stored.created_at is not None
    assert str(stored).endswith(f"{staff.email} role.update Billing")


def test_without_anyone_acting_the_system_is_recorded(role):
    event = audit_record(action="role.update", target=role)
    assert (event.actor, event.actor_kind, event.actor_label, event.ip, event.changes) == (
        None, "system", "system", None, {})


def test_an_api_token_is_recorded_with_the_staff_member_it_acts_for(staff, role):
    label = f"API token cp_AbC1234… of {staff.email}"
    with acting_as(Actor(kind=ACTOR_API_TOKEN, user=staff, label=label, ip="198.51.100.1")):
        event = audit_record(action="role.update", target=role)
    assert (event.actor, event.actor_kind, event.actor_label) == (staff, "api_token", label)


def test_the_label_stays_when_the_staff_member_is_gone(role):
    leaving = get_user_model().objects.create_user("leaving@example.com", is_staff=True)
    with acting_as(Actor(kind=ACTOR_STAFF, user=leaving, label=leaving.email)):
        event = audit_record(action="role.update", target=role)
    leaving.delete()
    event.refresh_from_db()
    assert (event.actor, event.actor_label) == (None, "leaving@example.com")


def test_an_object_can_be_named_without_an_instance_and_carry_its_client():
    client_id = uuid.uuid4()
    event = audit_record(action="client.merge", object_type="client", object_id="42", object_label="0042 Acme",
                         client_id=client_id)
    assert (event.object_type, event.object_id, event.object_label, event.client_id) == (
        "client", "42", "0042 Acme", client_id)


def test_labels_longer_than_the_columns_are_cut_not_refused(role):
    with acting_as(Actor(kind=ACTOR_STAFF, label="a" * 400)):
        event = audit_record(action="role.update", target=role, object_label="b" * 400)
    event.refresh_from_db()
    assert (len(event.actor_label), len(event.object_label)) == (300, 300)


def test_values_are_stored_as_plain_json(role):
    when = dt.datetime(2026, 11, 22, 10, 30, tzinfo=dt.UTC)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    event = audit_record(action="x.update", target=role, changes={
        "amount": [Decimal("0.0000"), Decimal("12.3400")], "client": [None, ident], "paid_at": [None, when],
        "due": [dt.date(2026, 12, 1), None], "role": [None, role], "kinds": [set(), {"b", "a"}], "pair": (1, 2)})
    event.refresh_from_db()
    assert event.changes == {
        "amount": ["0.0000", "12.3400"], "client": [None, str(ident)], "paid_at": [None, "2026-11-22T10:30:00+00:00"],
        "due": ["2026-12-01", None], "role": [None, str(role.pk)], "kinds": [[], ["a", "b"]], "pair": [1, 2]}


# --- in the transaction of the change ----------------------------------------------------------------

def test_an_event_is_written_in_the_callers_transaction_and_rolled_back_with_it(role):
    with pytest.raises(Boom), transaction.atomic():
        Group.objects.filter(pk=role.pk).update(name="Finance")
        audit_record(action="role.update", target=role, changes={"name": ["Billing", "Finance"]})
        assert AuditEvent.objects.filter(action="role.update").count() == 1  # written with the change
        raise Boom
    assert not AuditEvent.objects.exists()
    role.refresh_from_db()
    assert role.name == "Billing"


def test_a_savepoint_rolled_back_takes_only_its_own_events(role):
    with transaction.atomic():
        audit_record(action="role.update", target=role, changes={"name": ["Billing", "Finance"]})
        with pytest.raises(Boom), transaction.atomic():
            audit_record(action="role.delete", target=role)
            raise Boom
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["role.update"]


# --- snapshots and changes -------------------------------------------------------------------------

def test_a_snapshot_leaves_secrets_and_bookkeeping_fields_out(staff):
    staff.totp_secret, staff.recovery_codes = "JBSWY3DPEHPK3PXP", ["hash"]
    values = snapshot(staff)
    assert {"password", "totp_secret", "recovery_codes", "created_at"}.isdisjoint(values)
    assert values["email"] == "staff@example.com" and values["id"] == str(staff.pk)


def test_a_snapshot_can_be_limited_to_some_fields(staff):
    assert snapshot(staff, ["email", "firstname", "password"]) == {"email": "staff@example.com", "firstname": "Sam"}


def test_a_creation_lists_every_value_that_is_set_and_extras(staff):
    changes = created(staff, roles=["Administrator"])
    assert changes["email"] == [None, "staff@example.com"] and changes["roles"] == [None, ["Administrator"]]
    assert "id" not in changes and "phone" not in changes  # blank values are not news
    assert changes["is_staff"] == [None, True] and "is_superuser" not in changes


def test_a_deletion_lists_every_value_that_was_set(staff):
    changes = deleted(staff)
    assert changes["email"] == ["staff@example.com", None] and "id" not in changes and "phone" not in changes


def test_a_diff_lists_only_what_changed():
    before = {"name": "Old", "city": "Kraków", "gone": 1}
    after = {"name": "New", "city": "Kraków", "new": 2}
    assert diff(before, after) == {"gone": [1, None], "name": ["Old", "New"], "new": [None, 2]}
    assert diff(before, dict(before)) == {}
