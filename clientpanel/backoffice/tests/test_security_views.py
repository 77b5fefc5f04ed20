"""Issue 9 through the pages: one staff login with its second factor (Django's admin included), the
same answer for every refused login, no password sent back, no-store, idle staff sessions."""

import datetime as dt
import time

import pyotp
import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.accounts.services import staff_create
from clientpanel.accounts.two_factor import totp_begin, totp_confirm
from clientpanel.backoffice.middleware import LAST_SEEN

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def with_2fa(user):
    totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(user.totp_secret).now(), password=PASSWORD)
    user.refresh_from_db()
    return user


def next_code(user) -> str:
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30)  # the enrolment code is spent


def staff_login(client, email, password=PASSWORD):
    return client.post(reverse("backoffice:login"), {"username": email, "password": password})


def logged_in(client) -> bool:
    return client.get(reverse("backoffice:dashboard")).status_code == 200


# --- 1. Django's admin has no login of its own -------------------------------------------------------

@pytest.mark.parametrize("superuser", [False, True])
def test_admin_login_page_gives_no_session_without_the_second_factor(client, superuser):
    member = with_2fa(staff_create(email="member@example.com", password=PASSWORD, superuser=superuser,
                                   roles=[] if superuser else ["Administrator"]))
    response = client.post("/django-admin/login/", {"username": member.email, "password": PASSWORD,
                                                    "next": "/django-admin/"})
    assert not logged_in(client)
    assert client.get("/django-admin/").status_code == 302
    # The admin's login sends people to the staff login, which asks for the code.
    assert response.status_code == 302 and response["Location"].startswith(reverse("backoffice:login"))


def test_admin_reuses_the_staff_session_of_superusers_after_their_code(client):
    root = with_2fa(staff_create(email="root@example.com", password=PASSWORD, superuser=True))
    assert client.get("/django-admin/")["Location"].startswith(reverse("backoffice:login"))
    staff_login(client, root.email)
    assert client.get("/django-admin/").status_code == 302  # password alone: not yet
    client.post(reverse("backoffice:login-verify"), {"code": next_code(root)})
    assert client.get("/django-admin/").status_code == 200


def test_admin_is_for_superusers_only(client):
    client.force_login(staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"]))
    assert client.get("/django-admin/").status_code == 403
    assert client.get("/django-admin/login/").status_code == 403  # no loop back to the login


def test_admin_never_shows_totp_secrets(client):
    target = with_2fa(staff_create(email="target@example.com", password=PASSWORD, roles=["Support"]))
    client.force_login(staff_create(email="root@example.com", password=PASSWORD, superuser=True))
    page = client.get(f"/django-admin/accounts/user/{target.pk}/change/").content.decode()
    assert "target@example.com" in page
    assert target.totp_secret not in page
    assert all(hashed not in page for hashed in target.recovery_codes)
    assert "totp_secret" not in page and "recovery_codes" not in page


# --- 2 and 5. the throttles through the pages -------------------------------------------------------

def test_admin_login_door_is_the_throttled_staff_login(client):
    member = staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])
    for _ in range(5):
        staff_login(client, member.email, "wrong")
    client.post("/django-admin/login/", {"username": member.email, "password": PASSWORD})
    assert not logged_in(client)  # the admin's door does not get around the block
    assert "Too many failed attempts" in staff_login(client, member.email).content.decode()


def test_password_step_again_does_not_reset_wrong_codes(client):
    member = with_2fa(staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"]))
    for _ in range(5):
        staff_login(client, member.email)  # the right password each time: used to reset the count
        page = client.post(reverse("backoffice:login-verify"), {"code": "000000"}).content.decode()
        assert "does not match" in page
    staff_login(client, member.email)
    refused = client.post(reverse("backoffice:login-verify"), {"code": next_code(member)}).content.decode()
    assert "Too many wrong codes" in refused and not logged_in(client)


def test_a_code_opens_one_login(client):
    member = with_2fa(staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"]))
    code = next_code(member)
    staff_login(client, member.email)
    assert client.post(reverse("backoffice:login-verify"), {"code": code}).status_code == 302
    client.post(reverse("backoffice:logout"))
    staff_login(client, member.email)
    replay = client.post(reverse("backoffice:login-verify"), {"code": code})
    assert replay.status_code == 200 and "does not match" in replay.content.decode() and not logged_in(client)


@pytest.mark.parametrize("next_url", ["-1", "home", "a\x00b", "https://evil.example/", "//evil.example/"])
def test_a_next_that_is_no_path_of_ours_leads_to_the_dashboard(client, next_url):
    # redirect() read "-1" as a view's name: the language switch and the 2FA step answered 500.
    member = with_2fa(staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"]))
    client.post(reverse("backoffice:login") + "?next=" + next_url.replace("\x00", "%00"),
                {"username": member.email, "password": PASSWORD})
    verified = client.post(reverse("backoffice:login-verify"), {"code": next_code(member)})
    assert verified.status_code == 302 and verified["Location"] == reverse("backoffice:dashboard")
    switched = client.post(reverse("backoffice:account-language"), {"language": "en", "next": next_url})
    assert switched.status_code == 302 and switched["Location"] == reverse("backoffice:dashboard")
    back = client.post(reverse("backoffice:account-language"), {"language": "en", "next": "/staff/clients/?q=a"})
    assert back["Location"] == "/staff/clients/?q=a"
    client.post(reverse("backoffice:logout"))
    staff_create(email="plain@example.com", password=PASSWORD, roles=["Administrator"])  # no second step
    plain = client.post(reverse("backoffice:login") + "?next=" + next_url.replace("\x00", "%00"),
                        {"username": "plain@example.com", "password": PASSWORD})
    assert plain.status_code == 302 and plain["Location"] == reverse("backoffice:dashboard")


# --- 8. smaller rules ----------------------------------------------------------------------------------

def test_login_answers_the_same_for_wrong_password_not_staff_inactive_and_unknown(client, make_client):
    staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])
    inactive = staff_create(email="gone@example.com", password=PASSWORD, roles=["Administrator"])
    inactive.is_active = False
    inactive.save()
    owner = make_client(password=PASSWORD).owner
    answers = []
    for email, password in (("member@example.com", "wrong-password"), (owner.email, PASSWORD),
                            ("gone@example.com", PASSWORD), ("nobody@example.com", PASSWORD)):
        response = staff_login(client, email, password)
        assert response.status_code == 200 and not logged_in(client)
        answers.append(response.context["form"].errors)
    assert all(answer == answers[0] for answer in answers), answers
    assert "Please enter a correct email and password" in str(answers[0])


@pytest.mark.parametrize("url_name, data", [
    ("login", {"username": "staff@example.com"}),
    ("staff-create", {"email": "not-an-email"}),
    ("client-create", {"email": "owner@example.com", "firstname": ""}),
])
def test_a_password_typed_into_a_failed_form_is_not_sent_back(client, staff, url_name, data):
    if url_name != "login":
        client.force_login(staff)
    typed = "Typed-Secret-Passphrase-77"
    response = client.post(reverse(f"backoffice:{url_name}"), {**data, "password": typed})
    assert response.status_code == 200
    assert typed not in response.content.decode()


def test_a_password_typed_into_a_failed_associate_user_form_is_not_sent_back(staff_client, make_client):
    target = make_client()
    typed = "Typed-Secret-Passphrase-77"
    response = staff_client.post(reverse("backoffice:client-user-associate", args=[target.pk]), {
        "email": "new@example.com", "firstname": "", "password": typed})
    assert "required" in response.content.decode() and typed not in response.content.decode()


@pytest.mark.parametrize("path", ["/staff/", "/staff/login/", "/staff/account/two-factor/", "/django-admin/"])
def test_staff_pages_are_not_stored(client, path):
    client.force_login(staff_create(email="root@example.com", password=PASSWORD, superuser=True))
    response = client.get(path)
    assert response.status_code in (200, 302)
    assert "no-store" in response.get("Cache-Control", "")


def test_staff_session_ends_after_a_working_day_without_a_request(client, settings):
    staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])
    staff_login(client, "member@example.com")
    assert logged_in(client)
    assert client.session.get_expiry_age() <= settings.STAFF_SESSION_IDLE_MINUTES * 60
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.STAFF_SESSION_IDLE_MINUTES * 60 + 600
    session.save()
    assert logged_in(client)  # idle for less than a working day
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.STAFF_SESSION_IDLE_MINUTES * 60 - 1
    session.save()
    assert not logged_in(client)


# --- 3. Settings → Staff ---------------------------------------------------------------------------

@pytest.fixture
def limits(make_client):
    """A manager limited to client A (Administrator role) and staff inside and outside its limits."""
    from clientpanel.clients.models import StaffAssignment
    from clientpanel.clients.services import client_user_link

    a, b = make_client(company_name="Assigned"), make_client(company_name="Hidden")
    people = {"a": a, "b": b}
    for name, roles, limited, clients in (("manager", ["Administrator"], True, [a]), ("peer", ["Support"], True, [a]),
                                          ("outsider", ["Support"], True, [b]), ("admin", ["Administrator"], False, []),
                                          ("root", [], False, [])):
        member = staff_create(email=f"{name}@example.com", password=PASSWORD, roles=roles, superuser=name == "root",
                              limited_to_assigned_clients=limited)
        for assigned in clients:
            StaffAssignment.objects.create(staff=member, client=assigned)
        people[name] = member
    people["visible"] = client_user_link(actor=None, client_id=a.pk, data={
        "email": "visible@example.com", "firstname": "Vi", "lastname": "Sible", "permissions": []}).user
    people["hidden"] = client_user_link(actor=None, client_id=b.pk, data={
        "email": "hidden@example.com", "firstname": "Hid", "lastname": "Den", "permissions": []}).user
    return people


def assigned_numbers(member) -> set[str]:
    return set(member.client_assignments.values_list("client__number", flat=True))


def test_limited_staff_member_cannot_lift_its_own_limit(client, limits):
    manager, a, b = limits["manager"], limits["a"], limits["b"]
    client.force_login(manager)
    page = client.get(reverse("backoffice:staff-edit", args=[manager.pk])).content.decode()
    assert "This is you" in page
    client.post(reverse("backoffice:staff-edit", args=[manager.pk]), {
        "firstname": "Mia", "roles": ["Administrator", "Support"], "is_active": "on",
        "assigned_clients": f"{a.number}\n{b.number}"})  # the limitation box left unticked
    manager.refresh_from_db()
    assert manager.limited_to_assigned_clients and manager.firstname == "Mia"
    assert sorted(manager.groups.values_list("name", flat=True)) == ["Administrator"]
    assert assigned_numbers(manager) == {a.number}


def test_limited_staff_sees_and_edits_only_staff_within_its_limits(client, limits):
    client.force_login(limits["manager"])
    listed = client.get(reverse("backoffice:staff-list")).content.decode()
    assert "peer@example.com" in listed
    assert not any(f"{name}@example.com" in listed for name in ("outsider", "admin", "root"))
    for name in ("outsider", "admin", "root"):
        url = reverse("backoffice:staff-edit", args=[limits[name].pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"roles": ["Support"]}).status_code == 404, name
        limits[name].refresh_from_db()
        assert limits[name].is_active, name
    refused = client.post(reverse("backoffice:staff-edit", args=[limits["peer"].pk]), {
        "roles": ["Support"], "is_active": "on", "limited_to_assigned_clients": "on",
        "assigned_clients": limits["b"].number}).content.decode()
    assert f"No client has the number {limits['b'].number}" in refused
    assert assigned_numbers(limits["peer"]) == {limits["a"].number}
    support = limits["peer"].groups.get()
    client.post(reverse("backoffice:role-edit", args=[support.pk]), {
        "name": "Support", "areas": ["area_view_clients", "area_edit_clients", "area_manage_staff"]})
    assert not support.permissions.filter(codename="area_manage_staff").exists()


def test_only_superusers_change_superusers(client, limits):
    client.force_login(limits["admin"])
    page = client.post(reverse("backoffice:staff-edit", args=[limits["root"].pk]), {"firstname": "Root"})
    assert "Only superusers change superusers" in page.content.decode(), page.context["form"].errors
    limits["root"].refresh_from_db()
    assert limits["root"].is_active


# --- 4. users of other clients -----------------------------------------------------------------------

def test_associate_user_suggests_only_users_the_actor_sees(client, limits):
    client.force_login(limits["manager"])
    url = reverse("backoffice:client-user-candidates", args=[limits["a"].pk])
    assert "hidden@example.com" not in client.get(url, {"email": "hidden"}).content.decode()
    assert "Hid" not in client.get(url, {"email": "hid"}).content.decode()
    other_client = limits["b"]
    assert other_client.owner.email not in client.get(url, {"email": other_client.owner.email[:8]}).content.decode()


@pytest.mark.parametrize("whose", ["hidden", "admin"])
def test_associate_user_treats_an_email_outside_scope_like_a_new_user(client, limits, whose):
    client.force_login(limits["manager"])
    url = reverse("backoffice:client-user-associate", args=[limits["a"].pk])
    fresh = client.post(url, {"email": "brand-new@example.com"}).context["form"].errors
    taken = client.post(url, {"email": limits[whose].email})
    assert taken.context["form"].errors == fresh  # "required" names, as for anybody new
    assert "staff account" not in taken.content.decode()
    assert not limits["a"].user_links.filter(user=limits[whose]).exists()


def test_api_link_of_a_user_outside_scope_reveals_nothing_and_links_nothing(client, limits):
    from clientpanel.accounts.services import api_token_create

    _, token = api_token_create(user=limits["manager"])
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/clients/{limits['a'].pk}/users"

    def link(email: str, **extra):
        return client.post(path, data={"email": email, "permissions": [], **extra}, content_type="application/json",
                           headers=headers)

    fresh, taken, staff = link("brand-new@example.com"), link("hidden@example.com"), link("admin@example.com")
    assert fresh.status_code == taken.status_code == staff.status_code == 422
    assert fresh.json()["error"]["fields"] == taken.json()["error"]["fields"] == staff.json()["error"]["fields"]
    named = link("hidden@example.com", firstname="New", lastname="Person")
    assert named.status_code == 422 and "Hid" not in named.content.decode()
    assert not limits["a"].user_links.filter(user=limits["hidden"]).exists()


@pytest.mark.parametrize("login_page, verify_page, make_user", [
    ("backoffice:login", "backoffice:login-verify",
     lambda: staff_create(email="member@example.com", password=PASSWORD, roles=["Administrator"])),
    ("portal:login", "portal:login-code", None),
])
def test_the_code_step_waits_five_minutes_then_asks_for_the_password_again(client, make_client, monkeypatch,
                                                                          login_page, verify_page, make_user):
    """A login left at its second step in a browser does not wait for a code for ever: after five
    minutes the right code opens nothing and the password is asked again (staff and portal alike)."""
    user = make_user() if make_user else make_client(password=PASSWORD).owner
    with_2fa(user)
    client.post(reverse(login_page), {("username" if make_user else "email"): user.email, "password": PASSWORD})
    later = timezone.now() + dt.timedelta(minutes=5, seconds=1)
    monkeypatch.setattr("clientpanel.ui.code_step.timezone.now", lambda: later)
    answer = client.post(reverse(verify_page), {"code": next_code(user)})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse(login_page))
    assert "_auth_user_id" not in client.session and "portal:user" not in client.session
