"""Issue 14, staff account hygiene, through the pages: a staff member changes its own password; a
staff manager resets another's password or second factor within its own reach; staff with Edit
clients look after a client user's account (details, verified address, second factor, reset e-mail)."""

import pyotp
import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.accounts.two_factor import totp_begin, totp_confirm
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import StaffAssignment
from clientpanel.clients.services import client_user_link
from clientpanel.notifications.links import links_filled
from clientpanel.notifications.models import EmailMessage

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "purple-elephant-orbit-42"
HTMX = {"HX-Request": "true"}


def with_2fa(user):
    totp_begin(user=user)
    totp_confirm(user=user, code=pyotp.TOTP(user.totp_secret).now(), password=PASSWORD)
    user.refresh_from_db()
    return user


def signed_in(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def is_signed_in(browser) -> bool:
    return browser.get(reverse("backoffice:account-password")).status_code == 200


# --- 1. Change my password ---------------------------------------------------------------------------

def change_password(browser, current=PASSWORD, new=NEW_PASSWORD, again=None):
    return browser.post(reverse("backoffice:account-password"), {
        "current_password": current, "password": new, "password_again": new if again is None else again})


def test_change_my_password_keeps_this_session_ends_the_others_audits_and_tells_by_email(staff):
    here, elsewhere = signed_in(staff), signed_in(staff)
    response = change_password(here)
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:account-password")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert is_signed_in(here)
    assert not is_signed_in(elsewhere)  # the other browser's session ended with the old password
    event = AuditEvent.objects.get(action="user.password_change")
    assert (event.actor_id, event.object_id) == (staff.pk, str(staff.pk))
    assert PASSWORD not in str(event.changes) and NEW_PASSWORD not in str(event.changes)
    notice = EmailMessage.objects.get(template="password_changed")
    assert notice.recipient == staff.email and NEW_PASSWORD not in notice.body_text


def test_change_my_password_refuses_a_wrong_present_password(staff):
    browser = signed_in(staff)
    page = change_password(browser, current="not-my-password").content.decode()
    assert "This is not your present password." in page
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD) and not staff.check_password(NEW_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()
    assert not EmailMessage.objects.filter(template="password_changed").exists()


@pytest.mark.parametrize(("new", "again", "message"), [
    ("short", None, "too short"),
    ("password123", None, "too common"),
    ("12345678901234", None, "entirely numeric"),
    (NEW_PASSWORD, "something-else-entirely", "The two passwords differ."),
    ("", None, "This field is required."),
    ("x" * 129, None, "at most 128 characters"),
])
def test_change_my_password_applies_the_password_validators(staff, new, again, message):
    page = change_password(signed_in(staff), new=new, again=again).content.decode()
    assert message in page
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_change_my_password_page_links_the_two_factor_page(staff):
    page = signed_in(staff).get(reverse("backoffice:account-password")).content.decode()
    assert reverse("backoffice:account-2fa") in page and 'id="password-form"' in page


# --- 2. Another staff member's password and second factor --------------------------------------------

@pytest.fixture
def support():
    return with_2fa(staff_create(email="support@example.com", password=PASSWORD, roles=["Support"]))


def reset_password(browser, member, new=NEW_PASSWORD):
    return browser.post(reverse("backoffice:staff-password-reset", args=[member.pk]),
                        {"password": new, "password_again": new})


def test_staff_manager_sets_a_new_password_for_another_which_ends_its_sessions(staff, support):
    theirs = signed_in(support)
    response = reset_password(signed_in(staff), support)
    assert response.status_code == 302 and response["Location"] == reverse("backoffice:staff-edit",
                                                                            args=[support.pk])
    support.refresh_from_db()
    assert support.check_password(NEW_PASSWORD)
    assert not is_signed_in(theirs)
    event = AuditEvent.objects.get(action="staff.password_reset")
    assert (event.actor_id, event.object_id) == (staff.pk, str(support.pk))  # both identities
    notice = EmailMessage.objects.get(template="password_changed")
    assert notice.recipient == support.email and "Sam Staff" in notice.body_text


def test_the_new_password_of_another_passes_the_validators(staff, support):
    page = reset_password(signed_in(staff), support, new="password").content.decode()
    assert "too common" in page or "too short" in page
    support.refresh_from_db()
    assert support.check_password(PASSWORD)


def test_staff_manager_resets_another_second_factor(staff, support):
    browser = signed_in(staff)
    edit = browser.get(reverse("backoffice:staff-edit", args=[support.pk])).content.decode()
    assert 'id="staff-2fa-reset"' in edit and 'id="staff-password-reset"' in edit
    response = browser.post(reverse("backoffice:staff-2fa-reset", args=[support.pk]))
    assert response.status_code == 302
    support.refresh_from_db()
    assert not support.has_2fa and support.totp_secret == "" and support.recovery_codes == []
    event = AuditEvent.objects.get(action="staff.2fa_reset")
    assert (event.actor_id, event.object_id, event.changes) == (staff.pk, str(support.pk),
                                                                {"two_factor": [True, False]})
    # Its next login asks for the password only.
    login = Browser().post(reverse("backoffice:login"), {"username": support.email, "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == reverse("backoffice:dashboard")


def test_staff_without_manage_staff_is_refused_both_resets(support):
    other = with_2fa(staff_create(email="other@example.com", password=PASSWORD, roles=["Accountant"]))
    browser = signed_in(support)  # Support: no Manage staff
    assert browser.get(reverse("backoffice:staff-password-reset", args=[other.pk])).status_code == 403
    assert reset_password(browser, other).status_code == 403
    assert browser.post(reverse("backoffice:staff-2fa-reset", args=[other.pk])).status_code == 403
    other.refresh_from_db()
    assert other.check_password(PASSWORD) and other.has_2fa


def test_only_a_superuser_resets_a_superuser(staff):
    root = with_2fa(staff_create(email="root@example.com", password=PASSWORD, superuser=True))
    browser = signed_in(staff)  # an Administrator, not a superuser
    assert "Only superusers" in browser.get(reverse("backoffice:staff-edit", args=[root.pk])).content.decode()
    assert browser.get(reverse("backoffice:staff-password-reset", args=[root.pk])).status_code == 403
    assert reset_password(browser, root).status_code == 403
    assert browser.post(reverse("backoffice:staff-2fa-reset", args=[root.pk])).status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD) and root.has_2fa
    # Another superuser may.
    other_root = staff_create(email="root2@example.com", password=PASSWORD, superuser=True)
    assert reset_password(signed_in(other_root), root).status_code == 302
    root.refresh_from_db()
    assert root.check_password(NEW_PASSWORD)


def test_nobody_resets_somebody_holding_areas_they_lack():
    manager = staff_create(email="manager@example.com", password=PASSWORD, roles=["Read-only"])
    staff_only = Group.objects.create(name="Staff desk")
    staff_only.permissions.set(Permission.objects.filter(codename__in=["area_manage_staff", "area_view_clients"]))
    manager.groups.add(staff_only)
    admin = staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"])
    browser = signed_in(manager)
    assert reset_password(browser, admin).status_code == 403  # it would log in with Finance, Settings…
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)
    reader = staff_create(email="reader@example.com", password=PASSWORD, roles=["Read-only"])
    assert reset_password(browser, reader).status_code == 302


def test_nobody_resets_their_own_credentials_through_the_staff_pages(staff):
    with_2fa(staff)
    browser = signed_in(staff)
    edit = browser.get(reverse("backoffice:staff-edit", args=[staff.pk])).content.decode()
    assert reverse("backoffice:account-password") in edit and 'id="staff-password-reset"' not in edit
    assert browser.get(reverse("backoffice:staff-password-reset", args=[staff.pk])).status_code == 403
    assert reset_password(browser, staff).status_code == 403
    assert browser.post(reverse("backoffice:staff-2fa-reset", args=[staff.pk])).status_code == 403
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD) and staff.has_2fa


def test_resets_without_the_csrf_token_are_refused(staff, support):
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert reset_password(browser, support).status_code == 403
    assert browser.post(reverse("backoffice:staff-2fa-reset", args=[support.pk])).status_code == 403
    assert change_password(browser).status_code == 403
    support.refresh_from_db()
    staff.refresh_from_db()
    assert support.check_password(PASSWORD) and support.has_2fa and staff.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action__in=["staff.password_reset", "staff.2fa_reset"]).exists()


# --- 3. A client user's account, from the client's Users tab ----------------------------------------

@pytest.fixture
def helper(make_client):
    client = make_client(company_name="Acme")
    link = client_user_link(actor=None, client_id=client.pk, data={
        "email": "helper@example.com", "firstname": "Help", "lastname": "Er", "permissions": [],
        "password": PASSWORD})  # a password: turning 2FA on asks for it
    return client, with_2fa(link.user)


def test_staff_edit_a_client_users_name_phone_and_language(staff_client, helper):
    client, user = helper
    url = reverse("backoffice:client-user-account", args=[client.pk, user.pk])
    assert 'id="user-account-form"' in staff_client.get(url, headers=HTMX).content.decode()
    response = staff_client.post(url, {"firstname": "Helena", "lastname": "Nowak", "phone": "22 123 45 67",
                                       "language": "pl"}, headers=HTMX)
    assert response["HX-Refresh"] == "true"
    user.refresh_from_db()
    assert (user.firstname, user.lastname, user.phone, user.language) == ("Helena", "Nowak", "+48221234567", "pl")
    event = AuditEvent.objects.get(action="user.update")
    assert event.client_id == client.pk and event.changes["language"] == ["en", "pl"]


@pytest.mark.parametrize(("data", "message"), [
    ({"firstname": "", "lastname": "N", "phone": "", "language": "en"}, "This field is required."),
    ({"firstname": "H", "lastname": "N", "phone": "+48 1", "language": "en"}, "phone number"),
    ({"firstname": "H", "lastname": "N", "phone": "", "language": "xx"}, "valid choice"),
    ({"firstname": "H" * 151, "lastname": "N", "phone": "", "language": "en"}, "at most 150"),
])
def test_a_client_users_details_are_validated_and_nothing_is_half_written(staff_client, helper, data, message):
    client, user = helper
    page = staff_client.post(reverse("backoffice:client-user-account", args=[client.pk, user.pk]), data,
                             headers=HTMX).content.decode()
    assert message in page
    user.refresh_from_db()
    assert (user.firstname, user.lastname, user.phone, user.language) == ("Help", "Er", "", "en")
    assert not AuditEvent.objects.filter(action="user.update").exists()


def test_staff_mark_a_client_users_address_verified(staff_client, helper):
    client, user = helper
    assert not user.email_verified
    staff_client.post(reverse("backoffice:client-user-verify-email", args=[client.pk, user.pk]), headers=HTMX)
    user.refresh_from_db()
    assert user.email_verified
    assert AuditEvent.objects.get(action="user.verify_email").changes == {"email_verified": [False, True]}


def test_staff_reset_a_client_users_second_factor(staff_client, helper, staff):
    client, user = helper
    staff_client.post(reverse("backoffice:client-user-2fa-reset", args=[client.pk, user.pk]), headers=HTMX)
    user.refresh_from_db()
    assert not user.has_2fa and user.totp_secret == "" and user.recovery_codes == []
    event = AuditEvent.objects.get(action="user.2fa_reset")
    assert (event.actor_id, event.object_id, event.client_id) == (staff.pk, str(user.pk), client.pk)
    again = staff_client.post(reverse("backoffice:client-user-2fa-reset", args=[client.pk, user.pk]), follow=True)
    assert "does not use two-factor authentication" in again.content.decode()


def test_staff_send_a_client_user_the_password_reset_email(staff_client, helper):
    client, user = helper
    staff_client.post(reverse("backoffice:client-user-password-reset", args=[client.pk, user.pk]), headers=HTMX)
    message = EmailMessage.objects.get(template="password_reset")
    assert (message.recipient, message.client_id, message.user_id) == (user.email, client.pk, user.pk)
    assert "/portal/password/reset/" in links_filled(message.body_text, message.links)
    assert AuditEvent.objects.filter(action="user.password_reset_email", object_id=str(user.pk)).exists()
    user.refresh_from_db()
    assert user.has_2fa and not user.email_verified  # nothing else about the user changed


def test_users_tab_offers_the_account_actions(staff_client, helper):
    client, user = helper
    page = staff_client.get(reverse("backoffice:client-users", args=[client.pk])).content.decode()
    for name in ("client-user-account", "client-user-verify-email", "client-user-2fa-reset",
                 "client-user-password-reset"):
        assert reverse(f"backoffice:{name}", args=[client.pk, user.pk]) in page


def test_limited_staff_not_assigned_to_the_client_reach_none_of_its_users(helper, make_client):
    client, user = helper
    limited = staff_create(email="limited@example.com", password=PASSWORD, roles=["Support"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=make_client(company_name="Other"))
    browser = signed_in(limited)
    assert browser.get(reverse("backoffice:client-user-account", args=[client.pk, user.pk])).status_code == 404
    for name in ("client-user-account", "client-user-verify-email", "client-user-2fa-reset",
                 "client-user-password-reset"):
        assert browser.post(reverse(f"backoffice:{name}", args=[client.pk, user.pk]), {
            "firstname": "X", "lastname": "Y", "phone": "", "language": "pl"}).status_code == 404, name
    user.refresh_from_db()
    assert (user.firstname, user.language, user.email_verified, user.has_2fa) == ("Help", "en", False, True)
    assert not EmailMessage.objects.filter(template="password_reset").exists()


def test_staff_without_edit_clients_are_refused_the_account_actions(helper):
    client, user = helper
    browser = signed_in(staff_create(email="reader@example.com", password=PASSWORD, roles=["Read-only"]))
    for name in ("client-user-verify-email", "client-user-2fa-reset", "client-user-password-reset"):
        assert browser.post(reverse(f"backoffice:{name}", args=[client.pk, user.pk])).status_code == 403, name
    user.refresh_from_db()
    assert not user.email_verified and user.has_2fa


def test_client_user_actions_without_the_csrf_token_are_refused(staff, helper):
    client, user = helper
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(staff)
    for name in ("client-user-verify-email", "client-user-2fa-reset", "client-user-password-reset"):
        assert browser.post(reverse(f"backoffice:{name}", args=[client.pk, user.pk])).status_code == 403, name
    user.refresh_from_db()
    assert not user.email_verified and user.has_2fa


@pytest.fixture
def staff_limited_to_acme(helper, make_client):
    """Staff limited to Acme, the client of the helper, who also signs in to a client beyond them."""
    client, user = helper
    client_user_link(actor=None, client_id=make_client(company_name="Elsewhere").pk,
                     data={"email": user.email, "permissions": []})
    limited = staff_create(email="limited@example.com", password=PASSWORD, roles=["Support"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=client)
    return limited


def test_limited_staff_may_not_weaken_the_login_of_a_user_of_clients_beyond_them(helper, staff_limited_to_acme):
    """The helper signs in to Acme (assigned) and to another client (not): its second factor
    guards both, so staff limited to Acme may not reset it — staff who see both may."""
    (client, user), limited = helper, staff_limited_to_acme
    page = signed_in(limited).post(reverse("backoffice:client-user-2fa-reset", args=[client.pk, user.pk]),
                                   follow=True).content.decode()
    assert "also signs in to clients you are not assigned to" in page
    user.refresh_from_db()
    assert user.has_2fa and not AuditEvent.objects.filter(action="user.2fa_reset").exists()


def test_limited_staff_may_not_vouch_for_the_address_of_a_user_of_clients_beyond_them(helper, staff_limited_to_acme):
    """Marking an address verified is staff's word for every client the login reaches, as a second
    factor guards them all: refused where one is beyond the staff member; its names stay editable."""
    (client, user), limited = helper, staff_limited_to_acme
    browser = signed_in(limited)
    page = browser.post(reverse("backoffice:client-user-verify-email", args=[client.pk, user.pk]),
                        follow=True).content.decode()
    assert "to mark its address verified" in page
    user.refresh_from_db()
    assert not user.email_verified and not AuditEvent.objects.filter(action="user.verify_email").exists()
    browser.post(reverse("backoffice:client-user-account", args=[client.pk, user.pk]),
                 {"firstname": "Renamed", "lastname": "Helper", "phone": "", "language": "en"})
    user.refresh_from_db()
    assert user.firstname == "Renamed"
