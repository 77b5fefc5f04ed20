"""Sudo mode: the most dangerous staff actions need the password proved within the last
STAFF_SUDO_MINUTES (a login proves it); without it the action answers a re-authentication step and
does nothing, and a right password there continues to it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from clientpanel.accounts import sudo
from clientpanel.accounts.models import ApiToken, User
from clientpanel.accounts.services import staff_create
from clientpanel.payments.models import GatewayAccount
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "purple-elephant-orbit-42"
STEP = 'id="sudo-form"'


def _forget_proof(client: Client) -> None:
    session = client.session
    sudo.sudo_end(session)
    session.save()


def _with_2fa(user: User) -> User:
    user.totp_secret, user.totp_confirmed_at = "JBSWY3DPEHPK3PXP", timezone.now()
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return user


@pytest.fixture
def member(db):
    return _with_2fa(staff_create(email="member@example.com", password=PASSWORD, roles=["Support"]))


# Each protected action: (URL, POST data, whether it was done), given the staff member, the other
# staff member and a client.
def _staff_2fa_reset(staff, member, record):
    return (reverse("backoffice:staff-2fa-reset", args=[member.pk]), {},
            lambda: not User.objects.get(pk=member.pk).has_2fa)


def _client_user_2fa_reset(staff, member, record):
    owner = _with_2fa(record.owner)
    return (reverse("backoffice:client-user-2fa-reset", args=[record.pk, owner.pk]), {},
            lambda: not User.objects.get(pk=owner.pk).has_2fa)


def _api_token(staff, member, record):
    return (reverse("backoffice:api-token-list"), {"name": "Deploy bot", "scopes": ["clients:read"]},
            lambda: ApiToken.objects.filter(name="Deploy bot").exists())


def _staff_roles(staff, member, record):
    return (reverse("backoffice:staff-edit", args=[member.pk]),
            {"firstname": "Mo", "lastname": "Member", "is_active": "on", "roles": ["Administrator"],
             "assigned_clients": ""},
            lambda: User.objects.get(pk=member.pk).groups.filter(name="Administrator").exists())


def _role_areas(staff, member, record):
    return (reverse("backoffice:role-edit", args=[Group.objects.get(name="Support").pk]),
            {"name": "Support", "areas": ["area_view_clients", "area_manage_staff"]},
            lambda: Group.objects.get(name="Support").permissions.filter(codename="area_manage_staff").exists())


def _gateway_add(staff, member, record):
    company = default_home_company()
    return (reverse("backoffice:gateway-account-add", args=[company.pk]), {"gateway": "test", "currencies": "USD"},
            lambda: GatewayAccount.objects.filter(home_company=company).exists())


ACTIONS = [_staff_2fa_reset, _client_user_2fa_reset, _api_token, _staff_roles, _role_areas, _gateway_add]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.__name__.strip("_"))
def test_each_protected_action_asks_the_password_and_then_does_it(action, staff_client, staff, member, make_client):
    url, data, done = action(staff, member, make_client())
    _forget_proof(staff_client)
    asked = staff_client.post(url, data)
    assert asked.status_code == 403 and STEP in asked.content.decode()
    assert "Confirm your password" in asked.content.decode()
    assert not done()
    wrong = staff_client.post(url, data | {"sudo_password": "not-my-password"})
    assert STEP in wrong.content.decode() and "This is not your present password." in wrong.content.decode()
    assert not done()
    staff_client.post(url, data | {"sudo_password": PASSWORD})  # the step's form: the action's fields kept
    assert done()


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.__name__.strip("_"))
def test_a_fresh_login_is_a_proof_until_the_window_ends(action, client, staff, member, make_client, settings):
    settings.STAFF_SUDO_MINUTES = 15
    url, data, done = action(staff, member, make_client())
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login = client.post(reverse("backoffice:login"), {"username": staff.email, "password": PASSWORD})
        assert login.status_code == 302
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        asked = client.post(url, data)
        assert STEP in asked.content.decode() and not done()
        clock.shift(dt.timedelta(minutes=-2))  # within the window again
        client.post(url, data)
        assert done()


def test_the_step_keeps_what_the_action_was_sent_and_continues_to_it(staff_client, member):
    _forget_proof(staff_client)
    url = reverse("backoffice:api-token-list")
    page = staff_client.post(url, {"name": "Deploy bot", "scopes": ["clients:read", "finance:read"]}).content.decode()
    step = page[page.index(STEP):].split("</form>")[0]
    assert 'name="name" value="Deploy bot"' in step and 'value="finance:read"' in step
    assert step.count('name="csrfmiddlewaretoken"') == 1  # its own, not the one the action was sent with
    shown = staff_client.post(url, {"name": "Deploy bot", "scopes": ["clients:read"], "sudo_password": PASSWORD})
    assert shown.status_code == 200 and "Deploy bot" in shown.content.decode()  # the secret, shown once
    assert ApiToken.objects.get(name="Deploy bot").scopes == ["clients:read"]
    staff_client.post(url, {"name": "Second", "scopes": ["clients:read"]})  # within the window: not asked
    assert ApiToken.objects.filter(name="Second").exists()


def test_a_new_password_for_another_is_asked_before_it_is_typed_and_never_echoed(staff_client, member):
    _forget_proof(staff_client)
    url = reverse("backoffice:staff-password-reset", args=[member.pk])
    opened = staff_client.get(url)
    assert opened.status_code == 403 and STEP in opened.content.decode()
    continued = staff_client.post(url, {"sudo_password": PASSWORD, "sudo_resume": "open"})
    assert continued.status_code == 302 and continued["Location"] == url
    assert staff_client.get(url).status_code == 200
    _forget_proof(staff_client)
    asked = staff_client.post(url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert STEP in asked.content.decode() and NEW_PASSWORD not in asked.content.decode()
    assert User.objects.get(pk=member.pk).check_password(PASSWORD)


def test_wrong_passwords_in_the_step_are_throttled_with_the_login(staff_client, staff, member):
    _forget_proof(staff_client)
    url = reverse("backoffice:staff-2fa-reset", args=[member.pk])
    for _ in range(10):
        staff_client.post(url, {"sudo_password": "guess"})
    blocked = staff_client.post(url, {"sudo_password": PASSWORD}).content.decode()
    assert "Too many failed attempts" in blocked and STEP in blocked
    assert User.objects.get(pk=member.pk).has_2fa
    login = Client().post(reverse("backoffice:login"), {"username": staff.email, "password": PASSWORD})
    assert login.status_code == 200  # the login is blocked too: the same throttle


def test_the_step_refuses_a_post_without_its_csrf_token(staff, member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    _forget_proof(browser)
    url = reverse("backoffice:staff-2fa-reset", args=[member.pk])
    assert browser.post(url, {"sudo_password": PASSWORD}).status_code == 403
    assert sudo.SESSION_KEY not in browser.session and User.objects.get(pk=member.pk).has_2fa


def test_htmx_gets_the_step_in_the_pages_main_area(staff_client, make_client):
    record = make_client()
    owner = _with_2fa(record.owner)
    _forget_proof(staff_client)
    url = reverse("backoffice:client-user-2fa-reset", args=[record.pk, owner.pk])
    answer = staff_client.post(url, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and answer["HX-Retarget"] == "main" and STEP in answer.content.decode()
    assert "<html" not in answer.content.decode() and User.objects.get(pk=owner.pk).has_2fa


def test_staff_without_the_area_are_refused_before_any_step(client, member):
    support = staff_create(email="support@example.com", password=PASSWORD, roles=["Support"])
    client.force_login(support)
    _forget_proof(client)
    refused = client.post(reverse("backoffice:staff-2fa-reset", args=[member.pk]), {"sudo_password": PASSWORD})
    assert refused.status_code == 403 and STEP not in refused.content.decode()
    assert sudo.SESSION_KEY not in client.session and User.objects.get(pk=member.pk).has_2fa


def test_a_limited_manager_proves_its_password_yet_sees_only_its_own_staff(client, member, make_client):
    manager = staff_create(email="manager@example.com", password=PASSWORD, roles=["Administrator"],
                           limited_to_assigned_clients=True)
    client.force_login(manager)
    _forget_proof(client)
    hidden = client.post(reverse("backoffice:staff-2fa-reset", args=[member.pk]), {"sudo_password": PASSWORD})
    assert hidden.status_code == 404 and User.objects.get(pk=member.pk).has_2fa


def test_safe_actions_and_api_tokens_are_not_asked(staff_client, api):
    _forget_proof(staff_client)
    assert staff_client.get(reverse("backoffice:staff-list")).status_code == 200
    assert STEP not in staff_client.get(reverse("backoffice:api-token-list")).content.decode()
    assert api.get("/clients").status_code == 200  # a token is not a session


def test_a_proof_counts_only_for_the_user_it_was_made_by_and_not_from_the_future(staff, member):
    session: dict = {}
    sudo.sudo_grant(session, user=member)
    assert sudo.sudo_active(session, user=member) and not sudo.sudo_active(session, user=staff)
    session[sudo.SESSION_KEY]["at"] = (timezone.now() + dt.timedelta(minutes=5)).timestamp()
    assert not sudo.sudo_active(session, user=member)
    session[sudo.SESSION_KEY]["at"] = "garbage"
    assert not sudo.sudo_active(session, user=member)



# Each page's URL name and an example of its path arguments.
SUDO_PAGES = {"staff-create": [], "staff-edit": [uuid.uuid4()], "staff-password-reset": [uuid.uuid4()],
              "staff-2fa-reset": [uuid.uuid4()], "role-create": [], "role-edit": [1],
              "client-user-2fa-reset": [uuid.uuid4(), uuid.uuid4()], "api-token-list": [],
              "client-transfer-ownership": [uuid.uuid4(), uuid.uuid4()],
              "gateway-account-add": [1], "gateway-account-edit": [1, 1]}
NOT_ASKED = {"client-user-remove": [uuid.uuid4(), uuid.uuid4()], "api-token-revoke": [1],
             "client-login-as": [uuid.uuid4()], "staff-list": [], "account-password": []}


def test_exactly_the_dangerous_pages_ask_for_the_password():
    guarded = {name for name, args in (SUDO_PAGES | NOT_ASKED).items()
               if getattr(resolve(reverse(f"backoffice:{name}", args=args)).func, "sudo_required", False)}
    assert guarded == set(SUDO_PAGES)  # Login as Owner, unlinking a user, revoking a token: not asked
