"""Issue 14: who may reset another staff member's password or second factor (the services), and the
notice a changed password sends."""

import pytest
from django.contrib.auth.models import Group, Permission

from clientpanel.accounts.actors import staff_actor
from clientpanel.accounts.services import staff_2fa_reset, staff_create, staff_password_reset, user_password_change
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import StaffAssignment
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed
from clientpanel.notifications.models import EmailMessage

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "purple-elephant-orbit-42"


def test_a_limited_manager_resets_only_staff_within_its_own_limits(make_client):
    assigned = make_client()
    manager = staff_create(email="manager@example.com", password=PASSWORD, roles=["Administrator"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=manager, client=assigned)
    within = staff_create(email="within@example.com", password=PASSWORD, roles=["Support"],
                          limited_to_assigned_clients=True)
    everywhere = staff_create(email="everywhere@example.com", password=PASSWORD, roles=["Support"])
    staff_password_reset(actor=manager, staff_id=within.pk, new_password=NEW_PASSWORD)
    within.refresh_from_db()
    assert within.check_password(NEW_PASSWORD)
    with pytest.raises(NotFound):  # out of its sight altogether
        staff_password_reset(actor=manager, staff_id=everywhere.pk, new_password=NEW_PASSWORD)
    everywhere.refresh_from_db()
    assert everywhere.check_password(PASSWORD)


def test_an_inactive_staff_members_areas_still_count():
    manager = staff_create(email="manager@example.com", password=PASSWORD, roles=["Support"])
    desk = Group.objects.create(name="Staff desk")
    desk.permissions.set(Permission.objects.filter(codename="area_manage_staff"))
    manager.groups.add(desk)
    admin = staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"])
    admin.is_active = False
    admin.save()
    with pytest.raises(PermissionDenied):  # made active again, it would hold Finance, Settings…
        staff_password_reset(actor=staff_actor(manager), staff_id=admin.pk, new_password=NEW_PASSWORD)


def test_staff_2fa_reset_refuses_oneself_and_a_staff_member_without_2fa(staff):
    with pytest.raises(PermissionDenied):
        staff_2fa_reset(actor=staff, staff_id=staff.pk)
    plain = staff_create(email="plain@example.com", password=PASSWORD, roles=["Support"])
    with pytest.raises(ValidationFailed):
        staff_2fa_reset(actor=staff, staff_id=plain.pk)


def test_a_reset_password_is_validated_and_bounded(staff):
    member = staff_create(email="member@example.com", password=PASSWORD, roles=["Support"])
    for bad in ("", "short", "x" * 129, None, 12345678):
        with pytest.raises(ValidationFailed):
            staff_password_reset(actor=staff, staff_id=member.pk, new_password=bad)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert not EmailMessage.objects.filter(template="password_changed").exists()


def test_a_client_user_changing_its_password_in_the_portal_is_told_in_its_clients_language(make_client):
    client = make_client(language="pl")
    owner = client.owner
    owner.set_password(PASSWORD)
    owner.save()
    user_password_change(actor=portal_actor(owner, client.pk), current_password=PASSWORD,
                         new_password=NEW_PASSWORD)
    notice = EmailMessage.objects.get(template="password_changed")
    assert (notice.recipient, notice.language, notice.client_id) == (owner.email, "pl", client.pk)
    assert "zostało zmienione" in notice.body_text and "przez" not in notice.body_text
