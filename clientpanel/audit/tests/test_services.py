"""Recording audit events: one row per change, written in the transaction of the change (a rollback
leaves none), saying who acted (staff, API token, system), on what, and which values changed."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.audit.services import audit_record, created, deleted, diff, snapshot
from clientpanel.core.actor import ACTOR_API_TOKEN, ACTOR_STAFF, ActorContext, acting_as
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save

pytestmark = pytest.mark.django_db


class Boom(Exception):
    """Something failing later in the same transaction."""


@pytest.fixture
def company() -> HomeCompany:
    return default_home_company()


def test_an_event_says_who_did_what_to_which_object(staff, company):
    with acting_as(ActorContext(kind=ACTOR_STAFF, user=staff, label=staff.email, ip="203.0.113.7")):
        event = audit_record(action="home_company.update", target=company, changes={"city": ["", "Kraków"]})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor, stored.actor_kind, stored.actor_label, stored.ip) == (staff, "staff", staff.email,
                                                                                "203.0.113.7")
    assert (stored.action, stored.object_type, stored.object_id, stored.object_label) == (
        "home_company.update", "homecompany", str(company.pk), "My Company")
    assert stored.changes == {"city": ["", "Kraków"]} and stored.client_id is None
    assert stored.created_at is not None
    assert str(stored).endswith(f"{staff.email} home_company.update My Company")


def test_without_anyone_acting_the_system_is_recorded(company):
    event = audit_record(action="home_company.update", target=company)
    assert (event.actor, event.actor_kind, event.actor_label, event.ip, event.changes) == (
        None, "system", "system", None, {})


def test_an_api_token_is_recorded_with_the_staff_member_it_acts_for(staff, company):
    token, _ = api_token_create(user=staff)
    label = f"API token {token.prefix}… of {staff.email}"
    with acting_as(ActorContext(kind=ACTOR_API_TOKEN, user=staff, label=label, ip="198.51.100.1")):
        event = audit_record(action="home_company.update", target=company)
    assert (event.actor, event.actor_kind, event.actor_label) == (staff, "api_token", label)


def test_the_label_stays_when_the_staff_member_is_gone(company):
    leaving = staff_create(email="leaving@example.com", password="correct-horse-battery", roles=["Support"])
    with acting_as(ActorContext(kind=ACTOR_STAFF, user=leaving, label=leaving.email)):
        event = audit_record(action="home_company.update", target=company)
    leaving.delete()
    event.refresh_from_db()
    assert (event.actor, event.actor_label) == (None, "leaving@example.com")


def test_an_object_can_be_named_without_an_instance_and_carry_its_client():
    client_id = uuid.uuid4()
    event = audit_record(action="client.merge", object_type="client", object_id="42", object_label="0042 Acme",
                         client_id=client_id)
    assert (event.object_type, event.object_id, event.object_label, event.client_id) == (
        "client", "42", "0042 Acme", client_id)


def test_labels_longer_than_the_columns_are_cut_not_refused(company):
    with acting_as(ActorContext(kind=ACTOR_STAFF, label="a" * 400)):
        event = audit_record(action="home_company.update", target=company, object_label="b" * 400)
    event.refresh_from_db()
    assert (len(event.actor_label), len(event.object_label)) == (300, 300)


def test_values_are_stored_as_plain_json(company):
    when = dt.datetime(2026, 11, 22, 10, 30, tzinfo=dt.UTC)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    event = audit_record(action="x.update", target=company, changes={
        "amount": [Decimal("0.0000"), Decimal("12.3400")], "client": [None, ident], "paid_at": [None, when],
        "due": [dt.date(2026, 12, 1), None], "company": [None, company], "kinds": [set(), {"b", "a"}],
        "pair": (1, 2)})
    event.refresh_from_db()
    assert event.changes == {
        "amount": ["0.0000", "12.3400"], "client": [None, str(ident)], "paid_at": [None, "2026-11-22T10:30:00+00:00"],
        "due": ["2026-12-01", None], "company": [None, str(company.pk)], "kinds": [[], ["a", "b"]], "pair": [1, 2]}


# --- in the transaction of the change ----------------------------------------------------------------

def test_a_change_rolled_back_leaves_no_event(company):
    with pytest.raises(Boom), transaction.atomic():
        home_company_save(actor=None, company_id=company.pk, data={"city": "Kraków"})
        assert AuditEvent.objects.filter(action="home_company.update").count() == 1  # written with the change
        raise Boom
    assert not AuditEvent.objects.filter(action="home_company.update").exists()
    company.refresh_from_db()
    assert company.city == ""


def test_a_refused_change_leaves_no_event(company):
    with pytest.raises(Exception, match="country"):
        home_company_save(actor=None, company_id=company.pk, data={"city": "Kraków", "country": "XX"})
    assert not AuditEvent.objects.filter(action="home_company.update").exists()


def test_an_event_records_one_row_per_change(company):
    home_company_save(actor=None, company_id=company.pk, data={"city": "Kraków"})
    home_company_save(actor=None, company_id=company.pk, data={"city": "Gdańsk"})
    assert list(AuditEvent.objects.filter(action="home_company.update").order_by("id").values_list(
        "changes", flat=True)) == [{"city": ["", "Kraków"]}, {"city": ["Kraków", "Gdańsk"]}]


# --- snapshots and changes -------------------------------------------------------------------------

def test_a_snapshot_leaves_secrets_and_bookkeeping_fields_out(staff):
    staff.totp_secret, staff.recovery_codes = "JBSWY3DPEHPK3PXP", ["hash"]
    values = snapshot(staff)
    assert {"password", "totp_secret", "recovery_codes", "created_at"}.isdisjoint(values)
    assert values["email"] == "staff@example.com" and values["id"] == str(staff.pk)


def test_a_snapshot_can_be_limited_to_some_fields(company):
    assert snapshot(company, ["name", "country"]) == {"name": "My Company", "country": "US"}


def test_a_creation_lists_every_value_that_is_set_and_extras(company):
    changes = created(company, note="from the preset")
    assert changes["name"] == [None, "My Company"] and changes["note"] == [None, "from the preset"]
    assert "id" not in changes and "city" not in changes  # blank values are not news
    assert "is_default" in changes and "payment_terms_days" not in changes


def test_a_deletion_lists_every_value_that_was_set(company):
    changes = deleted(company)
    assert changes["name"] == ["My Company", None] and "id" not in changes and "city" not in changes


def test_a_diff_lists_only_what_changed():
    before = {"name": "Old", "city": "Kraków", "gone": 1}
    after = {"name": "New", "city": "Kraków", "new": 2}
    assert diff(before, after) == {"gone": [1, None], "name": ["Old", "New"], "new": [None, 2]}
    assert diff(before, dict(before)) == {}
