"""Roles are changed by staff who manage staff (SPEC §4): role_save refuses anybody else, whatever
interface calls it — not only the staff panel's page, which asks for Manage staff too."""

import pytest
from django.contrib.auth.models import Group

from clientpanel.accounts.roles import EDIT_CLIENTS, VIEW_CLIENTS
from clientpanel.accounts.services import role_save, staff_create
from clientpanel.core.errors import PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_staff_without_manage_staff_change_no_role():
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    role = Group.objects.get(name="Support")
    areas = set(role.permissions.values_list("codename", flat=True))
    with pytest.raises(PermissionDenied):  # an area it holds, taken away from everyone holding the role
        role_save(actor=support, name="Support", areas=[VIEW_CLIENTS], role_id=role.pk)
    with pytest.raises(PermissionDenied):
        role_save(actor=support, name="Editors", areas=[VIEW_CLIENTS, EDIT_CLIENTS])
    assert set(role.permissions.values_list("codename", flat=True)) == areas
    assert not Group.objects.filter(name="Editors").exists()


def test_a_staff_manager_still_changes_roles():
    admin = staff_create(email="admin@example.com", password="correct-horse-battery", roles=["Administrator"])
    assert role_save(actor=admin, name="Editors", areas=[VIEW_CLIENTS, EDIT_CLIENTS]).name == "Editors"


def test_a_role_name_differing_only_in_case_is_the_same_name():
    admin = staff_create(email="admin@example.com", password="correct-horse-battery", roles=["Administrator"])
    with pytest.raises(ValidationFailed) as refused:
        role_save(actor=admin, name="  administrator ", areas=[VIEW_CLIENTS])
    assert "exists already" in str(refused.value.fields["name"])
    support = Group.objects.get(name="Support")
    assert role_save(actor=admin, name="SUPPORT", areas=[VIEW_CLIENTS], role_id=support.pk).name == "SUPPORT"
    assert Group.objects.filter(name__iexact="administrator").count() == 1


@pytest.mark.parametrize("look_alike", ["\uff33\uff55\uff50\uff50\uff4f\uff52\uff54", "Sup\u200bport", "support  "])
def test_a_role_name_that_reads_as_another_is_refused(look_alike):
    admin = staff_create(email="admin@example.com", password="correct-horse-battery", roles=["Administrator"])
    with pytest.raises(ValidationFailed) as refused:
        role_save(actor=admin, name=look_alike, areas=[VIEW_CLIENTS])
    assert "exists already" in str(refused.value.fields["name"])
    assert Group.objects.count() == len(set(Group.objects.values_list("name", flat=True)))


@pytest.mark.parametrize("name", ["\u200b", "Sup\x00port", "Two\nlines"])
def test_a_role_name_that_is_invisible_or_holds_control_characters_is_refused(name):
    admin = staff_create(email="admin@example.com", password="correct-horse-battery", roles=["Administrator"])
    roles = Group.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        role_save(actor=admin, name=name, areas=[VIEW_CLIENTS])
    assert refused.value.fields["name"]
    assert Group.objects.count() == roles


def test_a_role_named_before_the_rules_keeps_its_name_and_takes_other_changes():
    admin = staff_create(email="admin@example.com", password="correct-horse-battery", roles=["Administrator"])
    old = Group.objects.create(name="\uff33\uff55\uff50\uff50\uff4f\uff52\uff54")  # reads as "Support"
    kept = role_save(actor=admin, name=old.name, areas=[VIEW_CLIENTS, EDIT_CLIENTS], role_id=old.pk)
    assert set(kept.permissions.values_list("codename", flat=True)) == {VIEW_CLIENTS, EDIT_CLIENTS}
    with pytest.raises(ValidationFailed):  # a new name is held to the rules
        role_save(actor=admin, name="administrator", areas=[VIEW_CLIENTS], role_id=old.pk)


def test_a_look_alike_role_from_before_the_rules_may_change_its_case_as_a_group_may():
    """One rule with groups (core.text.is_new_name): a change that reads as the same name is not a
    new name, so a pre-rule look-alike pair does not block it; its text is still checked."""
    admin = staff_create(email="admin@example.com", password="correct-horse-battery", roles=["Administrator"])
    old = Group.objects.create(name="\uff33\uff55\uff50\uff50\uff4f\uff52\uff54")  # reads as "Support"
    assert role_save(actor=admin, name="\uff53\uff55\uff50\uff50\uff4f\uff52\uff54", areas=[VIEW_CLIENTS],
                     role_id=old.pk).name == "\uff53\uff55\uff50\uff50\uff4f\uff52\uff54"
    with pytest.raises(ValidationFailed) as refused:  # the same name to name_key, but with a NUL
        role_save(actor=admin, name="\uff53upport\x00", areas=[VIEW_CLIENTS], role_id=old.pk)
    assert refused.value.fields["name"]
    with pytest.raises(ValidationFailed):  # too long, though it reads as the same name
        role_save(actor=admin, name="support" + "\u200b" * 150, areas=[VIEW_CLIENTS], role_id=old.pk)
    assert Group.objects.get(pk=old.pk).name == "\uff53\uff55\uff50\uff50\uff4f\uff52\uff54"
