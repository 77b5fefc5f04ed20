"""Issue 9: who manages which staff member, and which users an actor may find and link."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from clientpanel.accounts.models import User
from clientpanel.accounts.roles import MANAGE_STAFF, staff_areas
from clientpanel.accounts.selectors import staff_visible_to
from clientpanel.accounts.services import role_save, staff_create, staff_update
from clientpanel.clients.models import ClientUser, StaffAssignment
from clientpanel.clients.selectors import user_candidates
from clientpanel.clients.services import client_user_link, staff_assignments_set, staff_member_update
from clientpanel.core.errors import NotFound, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def make_staff(email, roles=("Support",), limited=False, clients=(), superuser=False):
    member = staff_create(email=email, password=PASSWORD, roles=list(roles), limited_to_assigned_clients=limited,
                          superuser=superuser)
    for client in clients:
        StaffAssignment.objects.create(staff=member, client=client)
    return member


@pytest.fixture
def scope(make_client):
    """A manager limited to clients A and C; staff inside and outside its limits."""
    a, b, c = make_client(company_name="A"), make_client(company_name="B"), make_client(company_name="C")
    manager = make_staff("manager@example.com", roles=["Administrator"], limited=True, clients=[a, c])
    return {
        "a": a, "b": b, "c": c, "manager": manager,
        "peer": make_staff("peer@example.com", limited=True, clients=[a]),
        "elsewhere": make_staff("elsewhere@example.com", limited=True, clients=[b]),
        "unlimited": make_staff("unlimited@example.com"),
        "root": make_staff("root@example.com", roles=[], superuser=True),
        "visible_user": client_user_link(actor=None, client_id=c.pk, data={
            "email": "visible@example.com", "firstname": "Vi", "lastname": "Sible", "permissions": []}).user,
        "hidden_user": client_user_link(actor=None, client_id=b.pk, data={
            # Used (a password): an unused login is another client's to link (test_unused_logins).
            "email": "hidden@example.com", "firstname": "Hid", "lastname": "Den", "permissions": [],
            "password": "a-long-passphrase-4"}).user,
    }


# --- 3. staff -------------------------------------------------------------------------------------

def test_nobody_changes_their_own_roles_limitation_or_assignments(scope):
    manager = scope["manager"]
    with pytest.raises(ValidationFailed) as failure:
        staff_update(actor=manager, staff_id=manager.pk, data={
            "roles": ["Administrator", "Support"], "limited_to_assigned_clients": False})
    assert set(failure.value.fields) == {"roles", "limited_to_assigned_clients"}
    with pytest.raises(ValidationFailed, match="clients"):
        staff_assignments_set(actor=manager, staff_id=manager.pk, client_ids=[scope["a"].pk, scope["b"].pk])
    root = scope["root"]
    with pytest.raises(ValidationFailed):
        staff_update(actor=root, staff_id=root.pk, data={"roles": ["Support"]})
    # Unchanged values (the page sends them back) and names are fine.
    staff_update(actor=manager, staff_id=manager.pk, data={"firstname": "Mia", "roles": ["Administrator"],
                                                           "limited_to_assigned_clients": True})
    manager.refresh_from_db()
    assert manager.firstname == "Mia" and manager.limited_to_assigned_clients
    assert set(StaffAssignment.objects.filter(staff=manager).values_list("client", flat=True)) == {
        scope["a"].pk, scope["c"].pk}


def emails(users) -> set[str]:
    return set(users.values_list("email", flat=True))


def test_limited_manager_sees_only_staff_within_its_limits(scope):
    assert emails(staff_visible_to(scope["manager"])) == {"manager@example.com", "peer@example.com"}
    # A manager with fewer areas does not see a limited peer holding an area it lacks.
    role = Group.objects.create(name="Support managers")
    role.permissions.set(Group.objects.get(name="Administrator").permissions.filter(
        codename__in=["area_view_clients", "area_edit_clients", "area_impersonate", MANAGE_STAFF]))
    small = make_staff("small@example.com", roles=["Support managers"], limited=True, clients=[scope["a"]])
    make_staff("accountant@example.com", roles=["Accountant"], limited=True, clients=[scope["a"]])
    assert emails(staff_visible_to(small)) == {"small@example.com", "peer@example.com"}
    assert "accountant@example.com" in emails(staff_visible_to(scope["manager"]))
    assert emails(staff_visible_to(scope["unlimited"])) == set()  # no Manage staff area


@pytest.mark.parametrize("target", ["elsewhere", "unlimited", "root"])
def test_limited_manager_cannot_edit_staff_outside_its_limits(scope, target):
    member = scope[target]
    with pytest.raises(NotFound):
        staff_member_update(actor=scope["manager"], staff_id=member.pk, data={"is_active": False},
                            client_numbers=[])
    with pytest.raises(NotFound):
        staff_update(actor=scope["manager"], staff_id=member.pk, data={"is_active": False})
    with pytest.raises(NotFound):
        staff_assignments_set(actor=scope["manager"], staff_id=member.pk, client_ids=[])
    member.refresh_from_db()
    assert member.is_active


def test_limited_manager_grants_only_clients_it_sees_and_keeps_staff_limited(scope):
    peer, manager = scope["peer"], scope["manager"]
    with pytest.raises(ValidationFailed) as failure:
        staff_member_update(actor=manager, staff_id=peer.pk, data={}, client_numbers=[scope["b"].number])
    assert failure.value.fields["clients"] == [f"No client has the number {scope['b'].number}."]
    with pytest.raises(ValidationFailed) as failure:
        staff_assignments_set(actor=manager, staff_id=peer.pk, client_ids=[scope["b"].pk])
    assert failure.value.fields["clients"] == [f"There is no client {scope['b'].pk!r}."]  # like an unknown one
    with pytest.raises(ValidationFailed) as failure:
        staff_member_update(actor=manager, staff_id=peer.pk, data={"limited_to_assigned_clients": False},
                            client_numbers=[scope["a"].number])
    assert "limited_to_assigned_clients" in failure.value.fields
    staff_member_update(actor=manager, staff_id=peer.pk, data={"firstname": "Pat"},
                        client_numbers=[scope["a"].number, scope["c"].number])
    assert set(StaffAssignment.objects.filter(staff=peer).values_list("client", flat=True)) == {
        scope["a"].pk, scope["c"].pk}
    with pytest.raises(ValidationFailed) as failure:
        staff_create(actor=manager, email="new@example.com", password=PASSWORD, roles=["Support"])
    assert "and so are the staff members you manage" in failure.value.fields["limited_to_assigned_clients"][0]
    created = staff_create(actor=manager, email="new@example.com", password=PASSWORD, roles=["Support"],
                           limited_to_assigned_clients=True)
    assert staff_visible_to(manager).filter(pk=created.pk).exists()


def test_only_superusers_change_or_make_superusers(scope):
    admin = make_staff("admin@example.com", roles=["Administrator"])
    with pytest.raises(PermissionDenied, match="Only superusers"):
        staff_update(actor=admin, staff_id=scope["root"].pk, data={"is_active": False})
    with pytest.raises(ValidationFailed) as failure:
        staff_create(actor=admin, email="root2@example.com", password=PASSWORD, superuser=True)
    assert "superuser" in failure.value.fields
    staff_update(actor=scope["root"], staff_id=admin.pk, data={"firstname": "Ada"})


def test_nobody_grants_an_area_they_do_not_hold(scope):
    role = Group.objects.create(name="Staff managers")
    role.permissions.set(Group.objects.get(name="Administrator").permissions.filter(
        codename__in=[MANAGE_STAFF, "area_view_clients"]))
    manager = make_staff("staffmanager@example.com", roles=["Staff managers"])
    with pytest.raises(ValidationFailed) as failure:
        staff_create(actor=manager, email="new@example.com", password=PASSWORD, roles=["Support"])
    assert failure.value.fields["roles"] == [
        "You cannot grant areas you do not hold: Edit clients, Impersonate (Login as Owner)."]
    with pytest.raises(ValidationFailed) as failure:
        staff_update(actor=manager, staff_id=scope["unlimited"].pk, data={"roles": ["Support", "Accountant"]})
    assert "do not hold" in failure.value.fields["roles"][0]
    staff_update(actor=manager, staff_id=scope["unlimited"].pk, data={"roles": ["Read-only"]})  # less is fine
    with pytest.raises(ValidationFailed) as failure:
        role_save(actor=manager, name="Read-only", areas=["area_view_clients", "area_finance"],
                  role_id=Group.objects.get(name="Read-only").pk)
    assert failure.value.fields["areas"] == ["You cannot grant areas you do not hold: Finance."]
    with pytest.raises(ValidationFailed) as failure:
        role_save(actor=manager, name="Staff managers", areas=["area_manage_staff"], role_id=role.pk)
    assert "You hold this role" in failure.value.fields["areas"][0]
    with pytest.raises(PermissionDenied, match="limited to assigned clients"):
        role_save(actor=scope["manager"], name="Support", areas=["area_view_clients"],
                  role_id=Group.objects.get(name="Support").pk)
    assert "area_finance" not in staff_areas(User.objects.get(pk=manager.pk))


def test_createstaff_limited_without_a_role_cannot_manage_staff(db):
    call_command("createstaff", "--email", "agent@example.com", "--password", PASSWORD, "--limited")
    agent = User.objects.get(email="agent@example.com")
    assert agent.limited_to_assigned_clients
    assert list(agent.groups.values_list("name", flat=True)) == ["Support"]
    assert MANAGE_STAFF not in staff_areas(agent)


# --- 4. users of other clients ------------------------------------------------------------------

def test_suggestions_only_for_users_the_actor_sees(scope):
    manager = scope["manager"]
    found = {u.email for u in user_candidates(actor=manager, search="example.com", client=scope["a"])}
    assert "visible@example.com" in found
    assert "hidden@example.com" not in found and scope["b"].owner.email not in found
    everybody = {u.email for u in user_candidates(actor=scope["unlimited"], search="example.com", client=scope["a"])}
    assert "hidden@example.com" in everybody


@pytest.mark.parametrize("who", ["hidden_user", "unlimited", "root"])
def test_an_email_outside_the_actors_scope_is_answered_like_a_new_one(scope, who):
    manager, target = scope["manager"], scope[who]
    with pytest.raises(ValidationFailed) as fresh:
        client_user_link(actor=manager, client_id=scope["a"].pk, data={"email": "brand-new@example.com"})
    with pytest.raises(ValidationFailed) as taken:
        client_user_link(actor=manager, client_id=scope["a"].pk, data={"email": target.email})
    assert taken.value.fields == fresh.value.fields  # names required, nothing about the account
    with pytest.raises(ValidationFailed) as named:
        client_user_link(actor=manager, client_id=scope["a"].pk, data={
            "email": target.email, "firstname": "New", "lastname": "Person"})
    assert named.value.fields == {"email": ["A user with this email address already exists."]}
    assert not ClientUser.objects.filter(client=scope["a"], user=target).exists()
    target.refresh_from_db()
    assert target.firstname != "New"


def test_users_the_actor_sees_are_linked_as_before(scope):
    link = client_user_link(actor=scope["manager"], client_id=scope["a"].pk, data={
        "email": "visible@example.com", "permissions": []})
    assert link.user == scope["visible_user"]
    with pytest.raises(ValidationFailed, match="fields") as failure:
        client_user_link(actor=scope["unlimited"], client_id=scope["a"].pk, data={"email": "root@example.com"})
    assert "staff account" in failure.value.fields["email"][0]  # unlimited staff see staff anyway
