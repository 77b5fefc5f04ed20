"""Issue 9 through the pages: one staff login with its second factor (Django's admin included), the
same answer for every refused login, no password sent back, no-store, idle staff sessions."""

import time

import pyotp
import pytest
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.accounts.two_factor import totp_begin, totp_confirm
from clientpanel.backoffice.middleware import LAST_SEEN

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def with_2fa(user):
    totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(user.totp_secret).now())
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
