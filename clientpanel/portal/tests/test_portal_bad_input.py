"""Hostile input and forbidden paths on the portal's newer pages (Account, 2FA and the login's code
step, Users, sign-up, Documents, logo, withdrawing a cancellation, the client switcher): never a
500, a message that says what is wrong, nothing half-written, what was typed kept where it makes
sense, and nothing a user may not do done for it — nor for staff signed in as the user."""

import time
from urllib.parse import urlsplit

import pyotp
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts import two_factor as totp
from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.client_services.models import Service
from clientpanel.client_services.services import CANCEL_AT_PERIOD_END, service_cancellation_request
from clientpanel.clients import permissions as keys
from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.services import client_user_link, staff_assignments_set
from clientpanel.files.storage import file_storage
from clientpanel.invoicing.models import Document
from clientpanel.notifications.models import EmailMessage
from clientpanel.portal import session
from clientpanel.tax.selectors import default_home_company

from .conftest import PASSWORD
from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-portal-passphrase"
NUL = "\x00"
LONG = "x" * 10_000
DIGITS = "9" * 400
HUGE = "1e9999"
RTL = "\u202egnp.exe\u200b"  # a right-to-left override and a zero-width space
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"
# Values that are no valid choice, code, id or amount anywhere below.
HOSTILE = [NUL, LONG, DIGITS, HUGE, RTL, ZERO_WIDTH]
# Where `next` must never send anybody.
AWAY = ["//evil.example", "https://evil.example/", "http://evil.example", "/staff/", "///evil.example",
        "/\\evil.example", "\\\\evil.example", " //evil.example", "javascript:alert(1)", "http://testserver/staff/",
        "\x00//evil.example", "/portal\\@evil.example", "https:evil.example", NUL, LONG, RTL]


def _page(response) -> str:
    assert response.status_code < 500, response.status_code
    return response.content.decode()


def _strict(signed_in: Browser) -> Browser:
    """The same portal session in a browser that sends no CSRF token."""
    strict = Browser(enforce_csrf_checks=True)
    strict.cookies = signed_in.cookies
    return strict


def _code(user: User, steps_ahead: int = 0) -> str:
    user.refresh_from_db()
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * steps_ahead)


def _with_2fa(user: User) -> User:
    totp.totp_begin(user=user)
    totp.totp_confirm(user=user, code=_code(user), password=PASSWORD)
    user.refresh_from_db()
    assert user.has_2fa
    return user


def _stays_in_portal(location: str) -> None:
    """A redirect to a page of this site's portal: no scheme, no host, no header tricks."""
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/portal/") and not location.startswith("//"), location
    assert "\\" not in location and "\n" not in location and "\r" not in location, location


def _account_state(user_id) -> tuple:
    user = User.objects.get(pk=user_id)
    return (user.firstname, user.lastname, user.language, user.password, user.totp_secret, user.totp_confirmed_at,
            list(user.recovery_codes))


# --- The Account page ------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    *[(name, value) for name in ("firstname", "lastname") for value in (NUL, LONG, DIGITS, ["Ada", NUL], "", "  ")],
    *[("language", value) for value in (NUL, LONG, DIGITS, HUGE, RTL, "", "PL", ["pl", "xx"])],
], ids=lambda v: repr(v)[:20])
def test_account_details_refuse_hostile_values_write_nothing_and_keep_the_rest(world, field, value):
    owner = world["mine"].owner
    before = _account_state(owner.pk)
    browser = _signed_in(owner.email)
    data = {"action": "details", "firstname": "Typed-First", "lastname": "Typed-Last", "language": "pl",
            field: value}
    page = _page(browser.post(reverse("portal:account"), data))
    assert "Please correct the fields marked below." in page
    expected = {NUL: "Null characters are not allowed.", LONG: "at most 150 characters",
                DIGITS: "at most 150 characters", "": "This field is required.", "  ": "This field is required."}
    if field == "language":
        assert "Select a valid choice." in page or "This field is required." in page
    elif isinstance(value, str) and value in expected:
        assert expected[value] in page
    if field != "firstname":
        assert 'value="Typed-First"' in page  # what was typed in the other fields stays
    assert _account_state(owner.pk) == before
    assert not AuditEvent.objects.filter(action="user.account").exists()


def test_account_details_take_unicode_names_as_typed_and_escape_them(world):
    owner = world["mine"].owner
    browser = _signed_in(owner.email)
    refused = browser.post(reverse("portal:account"), {"action": "details", "firstname": '<b>"Ada"</b> ' + RTL,
                                                       "lastname": "عربي", "language": "en"})
    assert refused.status_code == 200 and "text direction control U+202E" in refused.content.decode()
    name = '<b>"Ada"</b> \u200fאדה\u200b'  # a right-to-left mark and a zero-width space: kept as typed
    assert browser.post(reverse("portal:account"), {"action": "details", "firstname": name, "lastname": "عربي",
                                                    "language": "en"}).status_code == 302
    owner.refresh_from_db()
    assert (owner.firstname, owner.lastname) == (name.strip(), "عربي")
    page = _page(browser.get(reverse("portal:account")))
    assert "<b>" not in page and "&lt;b&gt;" in page


@pytest.mark.parametrize("action", [None, "", "delete", "DETAILS", "details ", NUL, LONG, ["details", "nothing"]],
                         ids=repr)
def test_an_unknown_or_missing_action_changes_nothing(world, action):
    owner = world["mine"].owner
    before = _account_state(owner.pk)
    link_before = ClientUser.objects.get(client=world["mine"], user=owner).muted_emails
    browser = _signed_in(owner.email)
    data = {"firstname": "Eve", "lastname": "Evil", "language": "pl", "current_password": PASSWORD,
            "password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "wanted": []}
    if action is not None:
        data["action"] = action
    response = browser.post(reverse("portal:account"), data)
    assert response.status_code == 200, response.status_code
    assert _account_state(owner.pk) == before
    assert ClientUser.objects.get(client=world["mine"], user=owner).muted_emails == link_before


def test_the_last_of_repeated_actions_is_the_one_validated(world):
    owner = world["mine"].owner
    before = _account_state(owner.pk)
    browser = _signed_in(owner.email)
    # "details" first, "password" last: the password form is validated, with nothing in it.
    page = _page(browser.post(reverse("portal:account"), {"action": ["details", "password"], "firstname": "Eve",
                                                          "lastname": "Evil", "language": "en"}))
    assert "This field is required." in page
    assert _account_state(owner.pk) == before


@pytest.mark.parametrize("field", ["current_password", "password", "password_again"])
@pytest.mark.parametrize("value", [NUL, "a" * 129, LONG, "", [NEW_PASSWORD, NUL]], ids=lambda v: repr(v)[:20])
def test_password_change_refuses_hostile_values_and_keeps_the_old_password(world, field, value):
    owner = world["mine"].owner
    browser = _signed_in(owner.email)
    data = {"action": "password", "current_password": PASSWORD, "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD, field: value}
    page = _page(browser.post(reverse("portal:account"), data))
    assert "Please correct the fields marked below." in page or "alert-danger" in page
    assert PASSWORD not in page and NEW_PASSWORD not in page  # a password is never sent back
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD) and not owner.check_password(NEW_PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_password_change_with_a_unicode_password_works_and_a_wrong_one_is_explained(world):
    owner = world["mine"].owner
    browser = _signed_in(owner.email)
    unicode_password = "pässwörd-" + RTL + "-ключ"
    wrong = _page(browser.post(reverse("portal:account"), {
        "action": "password", "current_password": RTL, "password": unicode_password,
        "password_again": unicode_password}))
    assert "This is not your present password." in wrong
    assert browser.post(reverse("portal:account"), {
        "action": "password", "current_password": PASSWORD, "password": unicode_password,
        "password_again": unicode_password}).status_code == 302
    assert _signed_in(owner.email, unicode_password)


@pytest.mark.parametrize("wanted", [[NUL], [LONG], [DIGITS], [HUGE], [RTL], ["low_balance", "no-such-message"]],
                         ids=lambda v: repr(v)[:20])
def test_email_choices_refuse_unknown_messages_and_write_nothing(world, wanted):
    owner = world["mine"].owner
    link = ClientUser.objects.get(client=world["mine"], user=owner)
    before = list(link.muted_emails)
    page = _page(_signed_in(owner.email).post(reverse("portal:account"), {"action": "emails", "wanted": wanted}))
    assert "Select a valid choice." in page
    link.refresh_from_db()
    assert link.muted_emails == before


def test_email_choices_repeated_are_taken_once(world):
    owner = world["mine"].owner
    browser = _signed_in(owner.email)
    page = _page(browser.get(reverse("portal:account")))
    offered = sorted({part.split('"')[0] for part in page.split('name="wanted" value="')[1:]})
    assert offered, "the page offers optional e-mails"
    assert browser.post(reverse("portal:account"), {"action": "emails",
                                                    "wanted": [offered[0], offered[0]]}).status_code == 302
    link = ClientUser.objects.get(client=world["mine"], user=owner)
    assert offered[0] not in link.muted_emails
    assert len(link.muted_emails) == len(set(link.muted_emails))


def test_malformed_request_bodies_are_refused_without_an_error(world):
    owner = world["mine"].owner
    before = _account_state(owner.pk)
    browser = _signed_in(owner.email)
    url = reverse("portal:account")
    # More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS: a 400 from Django, nothing written.
    assert browser.post(url, {"action": "emails", "wanted": ["low_balance"] * 1001}).status_code == 400
    assert browser.post(reverse("portal:users"), {**INVITE, "permissions": [keys.MANAGE_INVOICES] * 1001}
                        ).status_code == 400
    # Bytes that are no UTF-8, a file where text is expected, JSON where a form is expected.
    raw = browser.post(url, b"action=details&firstname=%FF%FE%00&lastname=L&language=en",
                       content_type="application/x-www-form-urlencoded")
    assert raw.status_code == 400 and "not UTF-8" in raw.content.decode()  # ui.form_text
    nul = browser.post(url, b"action=details&firstname=%00&lastname=L&language=en",
                       content_type="application/x-www-form-urlencoded")
    assert nul.status_code == 200 and "Null characters are not allowed." in nul.content.decode()
    upload = SimpleUploadedFile("name.txt", b"Mallory")
    page = _page(browser.post(url, {"action": "details", "firstname": upload, "lastname": "L", "language": "en"}))
    assert "This field is required." in page
    assert browser.post(url, '{"action": "details", "firstname": "J"}', content_type="application/json"
                        ).status_code == 200
    assert _account_state(owner.pk) == before
    assert not ClientUser.objects.filter(user__email=INVITE["email"]).exists()


# --- Two-factor authentication ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["confirm", "disable", "", "explode", NUL, LONG])
@pytest.mark.parametrize("code", [NUL, LONG, DIGITS, HUGE, RTL, ZERO_WIDTH, "", "12345", "1234567", "12 34 5x"],
                         ids=lambda v: repr(v)[:20])
def test_turning_2fa_on_refuses_hostile_codes(world, action, code):
    owner = world["mine"].owner
    browser = _signed_in(owner.email)
    url = reverse("portal:account-2fa")
    _page(browser.get(url))  # the enrolment begins: a secret, not yet on
    page = _page(browser.post(url, {"action": action, "code": code, "current_password": PASSWORD}))
    assert 'id="recovery-codes"' not in page and "invalid-feedback" in page
    owner.refresh_from_db()
    assert not owner.has_2fa and owner.recovery_codes == []
    assert not AuditEvent.objects.filter(action__in=["user.2fa_on", "user.2fa_off"]).exists()


def test_turning_2fa_off_refuses_hostile_codes_and_stays_on(world):
    owner = _with_2fa(world["mine"].owner)
    browser = Browser()  # 2FA is on: signed in through both steps
    browser.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD})
    assert browser.post(reverse("portal:login-code"), {"code": _code(owner, 1)}).status_code == 302
    url = reverse("portal:account-2fa")
    for code in [NUL, LONG, DIGITS, HUGE, RTL]:
        page = _page(browser.post(url, {"action": "disable", "code": code, "current_password": PASSWORD}))
        assert "invalid-feedback" in page
    owner.refresh_from_db()
    assert owner.has_2fa and owner.totp_secret and len(owner.recovery_codes) == totp.RECOVERY_CODE_COUNT
    # A code list: the last one counts; confirming again while on is refused, with the reason.
    page = _page(browser.post(url, {"action": "confirm", "code": ["000000", _code(owner, 2)],
                                         "current_password": PASSWORD}))
    assert "on already" in page
    owner.refresh_from_db()
    assert owner.has_2fa


@pytest.mark.parametrize("code", [NUL, LONG, DIGITS, HUGE, RTL, ZERO_WIDTH, "", ["000000", "111111"]],
                         ids=lambda v: repr(v)[:20])
def test_the_login_code_step_refuses_hostile_codes_and_signs_nobody_in(world, code):
    owner = _with_2fa(world["mine"].owner)
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD}
                        )["Location"] == reverse("portal:login-code")
    page = _page(browser.post(reverse("portal:login-code"), {"code": code}))
    assert "invalid-feedback" in page
    assert browser.get(reverse("portal:dashboard")).status_code == 302
    owner.refresh_from_db()
    assert len(owner.recovery_codes) == totp.RECOVERY_CODE_COUNT
    # The right code still opens it afterwards (the hostile one counted at most once).
    assert browser.post(reverse("portal:login-code"), {"code": _code(owner, 1)}).status_code == 302
    assert browser.get(reverse("portal:dashboard")).status_code == 200


def test_the_login_code_step_alone_and_as_a_get_opens_nothing(world):
    owner = _with_2fa(world["mine"].owner)
    anonymous = Browser()
    assert anonymous.post(reverse("portal:login-code"), {"code": _code(owner, 1)})["Location"] == reverse(
        "portal:login")
    assert anonymous.get(reverse("portal:dashboard")).status_code == 302
    assert anonymous.put(reverse("portal:login-code")).status_code == 405
    assert anonymous.get(reverse("portal:account-2fa")).status_code == 302  # to the login page


@pytest.mark.parametrize("away", AWAY, ids=lambda v: repr(v)[:24])
def test_the_login_and_its_code_step_never_send_anybody_away(world, away):
    owner = world["mine"].owner
    plain = Browser().post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD, "next": away})
    assert plain.status_code == 302
    _stays_in_portal(plain["Location"])
    _with_2fa(owner)
    browser = Browser()
    browser.post(reverse("portal:login") + "?next=/portal/invoices/", {"email": owner.email, "password": PASSWORD,
                                                                       "next": away})
    done = browser.post(reverse("portal:login-code"), {"code": _code(owner, 1)})
    assert done.status_code == 302
    _stays_in_portal(done["Location"])


def test_the_login_page_shows_a_hostile_next_escaped(world):
    page = _page(Browser().get(reverse("portal:login"), {"next": '"><script>alert(1)</script>'}))
    assert "<script>alert(1)" not in page
    page = _page(Browser().get(reverse("portal:login"), {"next": [NUL, LONG]}))
    assert 'id="portal-login"' in page


# --- The client switcher and `next` ----------------------------------------------------------------


@pytest.fixture
def shared(world):
    """A login linked to both clients with Manage Invoices, acting for "mine"."""
    email = _member(world["mine"], keys.MANAGE_INVOICES, email="both@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.MANAGE_INVOICES]})
    return _signed_in(email)


def _selected(browser: Browser) -> str:
    return browser.session.get(session.CLIENT)


@pytest.mark.parametrize("value", [*HOSTILE, "", "None", "00000000-0000-0000-0000-000000000000", "theirs-with-junk",
                                   "stranger", "mine-then-stranger"], ids=lambda v: repr(v)[:24])
def test_switching_to_anything_but_a_linked_client_is_a_404_and_keeps_the_client(world, shared, make_client,
                                                                                 value):
    mine, theirs = str(world["mine"].pk), str(world["theirs"].pk)
    stranger = str(make_client().pk)
    value = {"theirs-with-junk": theirs + ZERO_WIDTH, "stranger": stranger,
             "mine-then-stranger": [mine, stranger]}.get(value, value)
    assert _selected(shared) == mine
    response = shared.post(reverse("portal:switch-client"), {"client": value, "next": "/portal/invoices/"})
    assert response.status_code == 404
    assert _selected(shared) == mine


def test_switching_without_a_client_or_by_get_is_refused(world, shared):
    assert shared.post(reverse("portal:switch-client")).status_code == 404
    assert shared.get(reverse("portal:switch-client"), {"client": str(world["theirs"].pk)}).status_code == 405
    assert _selected(shared) == str(world["mine"].pk)


@pytest.mark.parametrize("away", [*AWAY, "/portal/\r\nSet-Cookie: x=y", "/portal/\nLocation: //evil.example"],
                         ids=lambda v: repr(v)[:24])
def test_a_switch_goes_on_only_to_a_portal_page(world, shared, away):
    response = shared.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk), "next": away})
    assert response.status_code == 302
    _stays_in_portal(response["Location"])  # CR and LF percent-encoded: no header is added
    assert "x" not in response.cookies
    assert shared.get(response["Location"]).status_code < 500
    assert _selected(shared) == str(world["theirs"].pk)


@pytest.mark.parametrize("target", ["/portal/invoices/not-a-uuid/", "/portal/invoices/" + DIGITS + "/",
                                    "/portal/documents/" + "0" * 36 + "/", "/portal/users/%00/",
                                    "/portal/services/" + RTL + "/"],
                         ids=lambda v: repr(v)[:30])
def test_a_switch_to_a_malformed_portal_address_ends_on_a_404_not_an_error(world, shared, target):
    response = shared.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk), "next": target})
    assert response.status_code == 302
    _stays_in_portal(response["Location"])
    assert shared.get(response["Location"]).status_code == 404


def test_a_switch_to_an_overlong_portal_address_goes_to_the_dashboard(world, shared):
    # Django's url_has_allowed_host_and_scheme refuses addresses beyond 2,048 characters.
    response = shared.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk),
                                                             "next": "/portal/" + LONG})
    assert response["Location"] == reverse("portal:dashboard")


def test_repeated_next_values_use_the_last_and_it_is_checked(world, shared):
    response = shared.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk),
                                                             "next": ["/portal/invoices/", "//evil.example"]})
    assert response["Location"] == reverse("portal:dashboard")


@pytest.mark.parametrize("escape", ["/portal/../staff/", "/portal/%2e%2e/staff/"])
def test_a_switch_does_not_climb_out_of_the_portal_with_dot_segments(world, shared, escape):
    response = shared.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk), "next": escape})
    assert response["Location"] == reverse("portal:dashboard")


# --- The Users page --------------------------------------------------------------------------------

INVITE = {"email": "new.person@example.com", "firstname": "Typed-First", "lastname": "Typed-Last",
          "permissions": [keys.MANAGE_INVOICES]}


def _people() -> tuple[int, int, int]:
    return User.objects.count(), ClientUser.objects.count(), EmailMessage.objects.count()


@pytest.mark.parametrize("field", ["email", "firstname", "lastname", "permissions"])
@pytest.mark.parametrize("value", [NUL, LONG, DIGITS, HUGE, RTL + "@example.com", [INVITE["email"], NUL]],
                         ids=lambda v: repr(v)[:20])
def test_an_invitation_with_a_hostile_value_is_refused_and_keeps_what_was_typed(world, field, value):
    if field in ("firstname", "lastname") and value in (HUGE, RTL + "@example.com"):
        pytest.skip("any text of at most 150 characters is a name")
    browser = _signed_in(world["mine"].owner.email)
    before = _people()
    data = {**INVITE, field: [value] if field == "permissions" and isinstance(value, str) else value}
    page = _page(browser.post(reverse("portal:users"), data))
    assert "Please correct the fields marked below." in page or "alert-danger" in page
    assert _people() == before
    for other in ("firstname", "lastname"):
        if other != field:
            assert f'value="{INVITE[other]}"' in page
    if field != "permissions":
        assert "checked" in page  # the chosen permission stays ticked


def test_an_invitation_without_any_field_says_what_is_missing(world):
    browser = _signed_in(world["mine"].owner.email)
    before = _people()
    page = _page(browser.post(reverse("portal:users"), {"permissions": [keys.MANAGE_INVOICES]}))
    assert page.count("This field is required.") >= 3
    # An empty POST is read as no submission (`request.POST or None`): the blank form again, no message.
    assert browser.post(reverse("portal:users"), {}).status_code == 200
    assert _people() == before


@pytest.mark.parametrize("email", ["COLLEAGUE@example.com", " colleague@EXAMPLE.com ", "colleague@example.com\t"])
def test_an_invitation_of_a_linked_user_in_another_case_is_refused(world, email):
    browser = _signed_in(world["mine"].owner.email)
    before = _people()
    page = _page(browser.post(reverse("portal:users"), {**INVITE, "email": email}))
    assert "linked to the client already" in page
    assert _people() == before


def test_an_invitation_never_links_another_clients_login_or_a_staff_account(world):
    staff_create(email="staffer@example.com", password=PASSWORD, roles=["Administrator"])
    browser = _signed_in(world["mine"].owner.email)
    before = _people()
    for email in (world["theirs"].owner.email.upper(), "Staffer@Example.com"):
        page = _page(browser.post(reverse("portal:users"), {**INVITE, "email": email}))
        assert "already exists" in page
    assert _people() == before
    assert not ClientUser.objects.filter(client=world["mine"], user=world["theirs"].owner).exists()


def test_duplicate_permissions_are_stored_once(world):
    browser = _signed_in(world["mine"].owner.email)
    data = {**INVITE, "permissions": [keys.MANAGE_INVOICES, keys.MANAGE_INVOICES, keys.VIEW_DOCUMENTS]}
    assert browser.post(reverse("portal:users"), data).status_code == 302
    link = ClientUser.objects.get(client=world["mine"], user__email=INVITE["email"])
    assert link.permissions == [keys.MANAGE_INVOICES, keys.VIEW_DOCUMENTS]


@pytest.fixture
def manager(world):
    """A user with Manage Users and Manage Invoices on "mine" (not the owner)."""
    email = _member(world["mine"], keys.MANAGE_USERS, keys.MANAGE_INVOICES, email="manager@example.com")
    link = ClientUser.objects.get(client=world["mine"], user__email=email)
    return link, _signed_in(email)


def _permissions() -> dict:
    return {str(link.pk): list(link.permissions) for link in ClientUser.objects.all()}


def test_a_manager_cannot_widen_its_own_link(world, manager):
    me, browser = manager
    before = _permissions()
    everything = list(keys.ALL_PERMISSIONS)
    assert browser.get(reverse("portal:user", args=[me.user_id])).status_code == 404
    assert browser.post(reverse("portal:user", args=[me.user_id]), {"permissions": everything}).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[me.user_id])).status_code == 404
    # Nor through the invitation form: its own login is linked already, and ungranted keys are no choice.
    page = _page(browser.post(reverse("portal:users"), {"email": me.user.email.upper(), "firstname": "M",
                                                        "lastname": "E", "permissions": everything}))
    assert "Select a valid choice." in page
    assert _permissions() == before


def test_a_manager_grants_nothing_it_does_not_hold(world, manager):
    _me, browser = manager
    colleague = world["mine_user"]
    before = _permissions()
    for granted in ([keys.MANAGE_SERVICES], [keys.MANAGE_INVOICES, keys.MODIFY_MASTER_PROFILE],
                    [keys.MANAGE_INVOICES, NUL], list(keys.ALL_PERMISSIONS)):
        page = _page(browser.post(reverse("portal:user", args=[colleague.user_id]), {"permissions": granted}))
        assert "Select a valid choice." in page
        page = _page(browser.post(reverse("portal:users"), {**INVITE, "permissions": granted}))
        assert "Select a valid choice." in page
    assert _permissions() == before
    assert not User.objects.filter(email=INVITE["email"]).exists()


def test_a_manager_never_touches_the_owner(world, manager):
    _me, browser = manager
    owner_id = world["mine"].owner_id
    before = _permissions()
    assert browser.get(reverse("portal:user", args=[owner_id])).status_code == 404
    assert browser.post(reverse("portal:user", args=[owner_id]), {"permissions": []}).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[owner_id])).status_code == 404
    assert _permissions() == before
    # Nor does the owner itself: its own link is not one it may change.
    owner = _signed_in(world["mine"].owner.email)
    assert owner.post(reverse("portal:user-remove", args=[owner_id])).status_code == 404
    assert owner.post(reverse("portal:user", args=[owner_id]), {"permissions": []}).status_code == 404
    assert ClientUser.objects.filter(client=world["mine"], user_id=owner_id).exists()


def test_a_manager_does_not_remove_a_user_holding_permissions_it_lacks(world):
    colleague = world["mine_user"]
    colleague.permissions = [keys.MANAGE_INVOICES, keys.MANAGE_SERVICES, keys.MANAGE_ORDERS]
    colleague.save()
    browser = _signed_in(_member(world["mine"], keys.MANAGE_USERS, email="junior@example.com"))
    _page(browser.post(reverse("portal:user-remove", args=[colleague.user_id])))
    assert ClientUser.objects.filter(pk=colleague.pk).exists()


def test_users_of_another_client_and_malformed_ids_are_404s(world, manager):
    _me, browser = manager
    before = _permissions()
    their_owner = world["theirs"].owner_id
    assert browser.get(reverse("portal:user", args=[their_owner])).status_code == 404
    assert browser.post(reverse("portal:user", args=[their_owner]), {"permissions": []}).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[their_owner])).status_code == 404
    for bad in ("not-a-uuid", DIGITS, "%00", "00000000-0000-0000-0000-000000000000"):
        assert browser.post(f"/portal/users/{bad}/remove/").status_code == 404
        assert browser.get(f"/portal/users/{bad}/").status_code == 404
    assert browser.get(reverse("portal:user-remove", args=[world["mine_user"].user_id])).status_code == 405
    assert _permissions() == before


def test_manage_users_on_another_client_only_opens_nothing_here(world):
    """Linked to "mine" without keys and to "theirs" with Manage Users: acting for "mine" the Users
    pages do not exist; acting for "theirs" they reach only "theirs"' users."""
    email = _member(world["mine"], email="elsewhere@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.MANAGE_USERS]})
    browser = _signed_in(email)
    before = _permissions()
    colleague = world["mine_user"].user_id
    assert browser.get(reverse("portal:users")).status_code == 404
    assert browser.post(reverse("portal:users"), INVITE).status_code == 404
    assert browser.post(reverse("portal:user", args=[colleague]), {"permissions": []}).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[colleague])).status_code == 404
    browser.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk)})
    assert browser.post(reverse("portal:user", args=[colleague]), {"permissions": []}).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[colleague])).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[world["mine"].owner_id])).status_code == 404
    assert _permissions() == before
    assert not User.objects.filter(email=INVITE["email"]).exists()


# --- Self-registration -----------------------------------------------------------------------------

SIGNUP = {"email": "fresh.signup@example.com", "password": "a-fresh-passphrase", "firstname": "Fresh",
          "lastname": "Signup", "company_name": "Typed Company", "country": "DE", "currency": "USD"}


@pytest.fixture
def open_signup(settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True


def _signups() -> tuple[int, int, int]:
    return Client.objects.count(), User.objects.count(), EmailMessage.objects.count()


@pytest.mark.parametrize("field", ["email", "password", "firstname", "lastname", "company_name", "country",
                                   "currency"])
@pytest.mark.parametrize("value", [NUL, LONG, DIGITS, HUGE, ["DE", NUL]], ids=lambda v: repr(v)[:20])
def test_a_sign_up_with_a_hostile_value_is_refused_and_writes_nothing(open_signup, field, value):
    if (field == "company_name" and value in (DIGITS, HUGE)) or (field in ("firstname", "lastname") and value == HUGE):
        pytest.skip("any text within the length limit is a name")
    before = _signups()
    page = _page(Browser().post(reverse("portal:signup"), {**SIGNUP, field: value}))
    assert 'id="signup-done"' not in page
    assert "Please correct the fields marked below." in page or "alert-danger" in page
    if field != "company_name":
        assert 'value="Typed Company"' in page
    assert SIGNUP["password"] not in page
    assert _signups() == before


@pytest.mark.parametrize("field", ["email", "password", "firstname", "lastname", "country", "currency"])
def test_a_sign_up_without_a_required_field_says_so(open_signup, field):
    before = _signups()
    data = {k: v for k, v in SIGNUP.items() if k != field}
    page = _page(Browser().post(reverse("portal:signup"), data))
    assert "This field is required." in page and 'id="signup-done"' not in page
    assert _signups() == before


@pytest.mark.parametrize("email", ["TAKEN@example.com", " taken@EXAMPLE.COM ", "Taken@Example.Com\t",
                                   "\ttaken@example.com\n"], ids=repr)
def test_a_sign_up_with_a_registered_email_in_another_case_or_spacing_writes_nothing(open_signup, make_client,
                                                                                     email):
    taken = make_client(email="taken@example.com")
    before = _signups()
    page = _page(Browser().post(reverse("portal:signup"), {**SIGNUP, "email": email}))
    assert 'id="signup-done"' in page  # told the same as a new address
    assert _signups() == before
    taken.owner.refresh_from_db()
    assert not taken.owner.self_registered and taken.owner.firstname != SIGNUP["firstname"]
    assert not Client.objects.filter(company_name="Typed Company").exists()


@pytest.mark.parametrize("email", ["taken\u200b@example.com", "\u202etaken@example.com", "taken@example.com" + NUL],
                         ids=repr)
def test_a_sign_up_with_invisible_characters_around_a_registered_email_is_not_a_new_account(open_signup,
                                                                                           make_client, email):
    make_client(email="taken@example.com")
    before = _signups()
    page = _page(Browser().post(reverse("portal:signup"), {**SIGNUP, "email": email}))
    assert 'id="signup-done"' not in page and "Enter a valid email address, like name@example.com." in page
    assert _signups() == before


@pytest.mark.parametrize("email", ["TAKEN@\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com", "taken@exa\u200bmple.com"],
                         ids=["full-width", "zero-width-in-domain"])
def test_a_sign_up_with_a_look_alike_of_a_registered_email_writes_and_sends_nothing(open_signup, make_client,
                                                                                      email):
    make_client(email="taken@example.com")
    before = _signups()
    _page(Browser().post(reverse("portal:signup"), {**SIGNUP, "email": email}))
    assert _signups() == before


@pytest.mark.parametrize("website", ["http://spam.example", "x", NUL, LONG, ["", "spam"]], ids=lambda v: repr(v)[:20])
def test_a_filled_honeypot_writes_nothing(open_signup, website):
    before = _signups()
    page = _page(Browser().post(reverse("portal:signup"), {**SIGNUP, "website": website}))
    assert _signups() == before
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    if website in ("http://spam.example", "x", ["", "spam"]):
        assert 'id="signup-done"' in page  # answered as a person would be


def test_signup_closed_refuses_hostile_posts_too(settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = False
    before = _signups()
    for data in (SIGNUP, {**SIGNUP, "email": NUL}, {}):
        assert Browser().post(reverse("portal:signup"), data).status_code == 404
    assert Browser().put(reverse("portal:signup")).status_code in (404, 405)
    assert _signups() == before


# --- Documents and the logo ------------------------------------------------------------------------


@pytest.mark.parametrize("page", [*HOSTILE, "-1", "0", "last", "2"], ids=lambda v: repr(v)[:20])
def test_documents_list_takes_any_page_number(world, page):
    browser = _signed_in(_member(world["mine"], keys.VIEW_DOCUMENTS))
    listed = browser.get(reverse("portal:files"), {"page": page})
    assert listed.status_code == 200 and "Contract" in listed.content.decode()


def test_documents_of_another_client_hidden_ones_and_malformed_ids_are_404s(world):
    browser = _signed_in(_member(world["mine"], keys.VIEW_DOCUMENTS))
    for name in ("their_file", "mine_hidden_file"):
        assert browser.get(reverse("portal:file-download", args=[world[name].pk])).status_code == 404
    # Another object's id of this client is no file either.
    for other in (world["mine_doc"].pk, world["mine_service"].pk, world["mine"].pk):
        assert browser.get(reverse("portal:file-download", args=[other])).status_code == 404
    for bad in ("not-a-uuid", DIGITS, "%00", "00000000-0000-0000-0000-000000000000" + "0"):
        assert browser.get(f"/portal/documents/{bad}/").status_code == 404


def test_view_documents_on_another_client_only_downloads_nothing_here(world):
    # "mine" without keys, "theirs" with View Documents: acting for "mine", no document page at all;
    # "theirs"' file is not downloaded, its link asks to act for "theirs" first.
    email = _member(world["mine"], email="elsewhere@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.VIEW_DOCUMENTS]})
    browser = _signed_in(email)
    assert browser.get(reverse("portal:files")).status_code == 404
    asked = browser.get(reverse("portal:file-download", args=[world["their_file"].pk]))
    assert 'id="switch-confirm"' in asked.content.decode() and not asked.has_header("Content-Disposition")
    assert browser.get(reverse("portal:file-download", args=[world["mine_file"].pk])).status_code == 404
    # View Documents on "mine" only: "theirs"' file is not offered through the switch either.
    other = _member(world["mine"], keys.VIEW_DOCUMENTS, email="mine-only@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": other, "permissions": []})
    browser = _signed_in(other)
    response = browser.get(reverse("portal:file-download", args=[world["their_file"].pk]))
    assert response.status_code == 404 and 'id="switch-confirm"' not in response.content.decode()


def test_the_logo_with_its_file_gone_from_storage_is_a_404_and_needs_a_sign_in(world):
    assert Browser().get(reverse("portal:logo")).status_code == 302
    browser = _signed_in(world["mine"].owner.email)
    assert browser.get(reverse("portal:logo")).status_code == 200
    file_storage().delete(default_home_company().logo_file)
    assert browser.get(reverse("portal:logo")).status_code == 404
    assert browser.get(reverse("portal:dashboard")).status_code == 200


# --- Withdrawing a cancellation --------------------------------------------------------------------


def _cancel_at_period_end(service: Service) -> Service:
    service.status, service.billed_until = "ACTIVE", service.order_date.replace(year=service.order_date.year + 1)
    service.save()
    service_cancellation_request(actor=None, service_id=service.pk, when=CANCEL_AT_PERIOD_END)
    service.refresh_from_db()
    assert service.cancel_requested
    return service


def test_keeping_another_clients_service_is_a_404_and_changes_nothing(world):
    theirs = _cancel_at_period_end(world["their_service"])
    browser = _signed_in(world["mine"].owner.email)
    assert browser.post(reverse("portal:service-keep", args=[theirs.pk])).status_code == 404
    for bad in ("not-a-uuid", DIGITS, "%00"):
        assert browser.post(f"/portal/services/{bad}/keep/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.cancel_requested
    assert not AuditEvent.objects.filter(action="service.cancel_withdraw").exists()


def test_keeping_is_a_post_with_its_key_and_a_service_without_a_cancellation_says_so(world):
    mine = _cancel_at_period_end(world["mine_service"])
    viewer = _signed_in(_member(world["mine"], keys.MANAGE_SERVICES, email="viewer@example.com"))
    assert viewer.post(reverse("portal:service-keep", args=[mine.pk])).status_code == 404
    owner = _signed_in(world["mine"].owner.email)
    assert owner.get(reverse("portal:service-keep", args=[mine.pk])).status_code == 405
    mine.refresh_from_db()
    assert mine.cancel_requested
    assert owner.post(reverse("portal:service-keep", args=[mine.pk])).status_code == 302
    again = _page(owner.post(reverse("portal:service-keep", args=[mine.pk]), follow=True))
    assert "no cancellation to withdraw" in again


def test_place_orders_on_another_client_only_withdraws_nothing_there(world):
    theirs = _cancel_at_period_end(world["their_service"])
    # Place orders on "theirs" only, acting for "mine" (where it holds nothing): a 404.
    email = _member(world["mine"], email="elsewhere@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.MANAGE_ORDERS]})
    assert _signed_in(email).post(reverse("portal:service-keep", args=[theirs.pk])).status_code == 404
    # Place orders on "mine" only: "theirs"' service is a 404 too, not a switch offer.
    other = _member(world["mine"], keys.MANAGE_ORDERS, email="mine-only@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": other, "permissions": []})
    response = _signed_in(other).post(reverse("portal:service-keep", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.cancel_requested


def test_keeping_a_linked_clients_service_is_not_done_across_clients(world):
    """An action (a POST) on another linked client's service is no page: nothing to confirm, nothing
    written; only pages to look at offer the switch."""
    theirs = _cancel_at_period_end(world["their_service"])
    email = _member(world["mine"], keys.MANAGE_ORDERS, email="both@example.com")
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": email,
                                                                     "permissions": [keys.MANAGE_ORDERS]})
    browser = _signed_in(email)
    assert browser.post(reverse("portal:service-keep", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.cancel_requested
    asked = browser.get(reverse("portal:service-cancel", args=[theirs.pk]))
    assert asked.status_code == 200 and 'id="switch-confirm"' in asked.content.decode()


# --- CSRF and methods ------------------------------------------------------------------------------


def test_every_new_form_refuses_a_post_without_csrf_and_writes_nothing(world, settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True
    owner = world["mine"].owner
    mine_service = _cancel_at_period_end(world["mine_service"])
    strict = _strict(_signed_in(owner.email))
    state = (_account_state(owner.pk), _permissions(), _signups(), _selected(strict))
    posts = [
        (reverse("portal:account"), {"action": "details", "firstname": "Eve", "lastname": "Evil", "language": "pl"}),
        (reverse("portal:account"), {"action": "password", "current_password": PASSWORD, "password": NEW_PASSWORD,
                                     "password_again": NEW_PASSWORD}),
        (reverse("portal:account"), {"action": "emails", "wanted": []}),
        (reverse("portal:account-2fa"), {"action": "confirm", "code": "123456"}),
        (reverse("portal:switch-client"), {"client": str(world["mine"].pk), "next": "//evil.example"}),
        (reverse("portal:users"), INVITE),
        (reverse("portal:user", args=[world["mine_user"].user_id]), {"permissions": list(keys.ALL_PERMISSIONS)}),
        (reverse("portal:user-remove", args=[world["mine_user"].user_id]), {}),
        (reverse("portal:service-keep", args=[mine_service.pk]), {}),
        (reverse("portal:signup"), SIGNUP),
        (reverse("portal:login-code"), {"code": "123456"}),
        (reverse("portal:logout"), {}),
    ]
    for url, data in posts:
        assert strict.post(url, data).status_code == 403, url
    assert (_account_state(owner.pk), _permissions(), _signups(), _selected(strict)) == state
    mine_service.refresh_from_db()
    assert mine_service.cancel_requested
    assert strict.get(reverse("portal:dashboard")).status_code == 200  # still signed in: logout was refused too


def test_post_only_addresses_refuse_a_get(world):
    browser = _signed_in(world["mine"].owner.email)
    for url in (reverse("portal:switch-client"), reverse("portal:service-keep", args=[world["mine_service"].pk]),
                reverse("portal:user-remove", args=[world["mine_user"].user_id]), reverse("portal:logout")):
        assert browser.get(url).status_code == 405, url
    for url in (reverse("portal:account"), reverse("portal:account-2fa"), reverse("portal:users"),
                reverse("portal:user", args=[world["mine_user"].user_id])):
        assert browser.put(url).status_code == 405, url
        assert browser.delete(url).status_code == 405, url
    assert ClientUser.objects.filter(pk=world["mine_user"].pk).exists()
    assert browser.get(reverse("portal:dashboard")).status_code == 200


# --- Staff signed in as the user (Login as Owner) --------------------------------------------------


@pytest.fixture
def impersonating(client, world):
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    assert client.post(reverse("backoffice:client-login-as", args=[world["mine"].pk])).status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200
    return client


@pytest.mark.parametrize("data", [
    {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    {"current_password": "wrong-guess", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    {"current_password": [NUL, PASSWORD], "password": [LONG, NEW_PASSWORD], "password_again": NEW_PASSWORD},
], ids=["right", "wrong", "lists"])
def test_staff_signed_in_as_the_owner_change_no_password(impersonating, world, data):
    owner = world["mine"].owner
    before = _account_state(owner.pk)
    page = _page(impersonating.post(reverse("portal:account"), {"action": "password", **data}))
    assert "cannot change its password" in page
    assert _account_state(owner.pk) == before
    assert not AuditEvent.objects.filter(action="user.password_change").exists()
    # A staff member's guesses do not lock the owner out either.
    assert _signed_in(owner.email)


def test_staff_signed_in_as_the_owner_turn_no_2fa_on(impersonating, world):
    owner = world["mine"].owner
    totp.totp_begin(user=owner)
    before = _account_state(owner.pk)
    url = reverse("portal:account-2fa")
    assert impersonating.get(url).status_code == 403
    for action in ("confirm", "", "disable"):
        refused = impersonating.post(url, {"action": action, "code": _code(owner)})
        assert refused.status_code == 403 and 'id="credentials-locked"' in refused.content.decode()
    assert _account_state(owner.pk) == before  # not even a new secret
    owner.refresh_from_db()
    assert not owner.has_2fa


def test_staff_signed_in_as_the_owner_turn_no_2fa_off(client, world):
    owner = _with_2fa(world["mine"].owner)
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    client.post(reverse("backoffice:client-login-as", args=[world["mine"].pk]))
    before = _account_state(owner.pk)
    for code in (_code(owner, 1), NUL, LONG):
        refused = client.post(reverse("portal:account-2fa"), {"action": "disable", "code": code})
        assert refused.status_code == 403
    assert _account_state(owner.pk) == before
    assert not AuditEvent.objects.filter(action__in=["user.2fa_off", "user.2fa_recovery_code_used"]).exists()
    page = _page(client.get(reverse("portal:account")))
    assert 'id="two-factor-link"' not in page and 'id="account-password"' not in page


def test_staff_signed_in_as_a_linked_user_change_none_of_its_credentials(client, world):
    colleague = world["mine_user"]
    User.objects.filter(pk=colleague.user_id).update(password=User(email="x@example.com").password)
    user = User.objects.get(pk=colleague.user_id)
    user.set_password(PASSWORD)
    user.save()
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    assert client.post(reverse("backoffice:client-user-login-as", args=[world["mine"].pk, user.pk])
                       ).status_code == 302
    before = _account_state(user.pk)
    page = _page(client.post(reverse("portal:account"), {
        "action": "password", "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD}))
    assert "cannot change its password" in page
    assert client.post(reverse("portal:account-2fa"), {"action": "confirm", "code": "123456"}).status_code == 403
    assert _account_state(user.pk) == before


def test_staff_signed_in_as_the_owner_may_fix_names_but_hostile_ones_are_refused(impersonating, world):
    owner = world["mine"].owner
    before = _account_state(owner.pk)
    page = _page(impersonating.post(reverse("portal:account"), {"action": "details", "firstname": NUL,
                                                                "lastname": LONG, "language": HUGE}))
    assert "Null characters are not allowed." in page and "at most 150 characters" in page
    assert _account_state(owner.pk) == before
    assert impersonating.post(reverse("portal:account"), {"action": "details", "firstname": "Fixed",
                                                          "lastname": "Name", "language": "en"}).status_code == 302
    event = AuditEvent.objects.get(action="user.account")
    assert event.impersonator_id is not None



def test_staff_limited_to_a_client_do_not_switch_to_its_owners_other_clients(client, world):
    owner = world["mine"].owner
    client_user_link(actor=None, client_id=world["theirs"].pk, data={"email": owner.email,
                                                                     "permissions": [keys.MANAGE_INVOICES]})
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Support"],
                           limited_to_assigned_clients=True)
    staff_assignments_set(actor=None, staff_id=limited.pk, client_ids=[world["mine"].pk])
    client.force_login(limited)
    assert client.get(reverse("backoffice:client-summary", args=[world["theirs"].pk])).status_code == 404
    assert client.post(reverse("backoffice:client-login-as", args=[world["mine"].pk])).status_code == 302
    client.post(reverse("portal:switch-client"), {"client": str(world["theirs"].pk)})
    assert world["their_doc"].number not in client.get(reverse("portal:invoices")).content.decode()
    assert client.get(reverse("portal:document", args=[world["their_doc"].pk])).status_code == 404


@pytest.mark.parametrize("amount", ["1e1000000", "-1e100000000", "1e3", "1_000", "١٢٣"])
def test_add_funds_in_a_notation_nobody_writes_amounts_in_is_not_a_number(world, amount):
    # "1e3" was read as 1,000 and "١٢٣" as 123: a typo must not become another amount.
    browser = _signed_in(world["mine"].owner.email)
    before = Document.objects.count()
    response = browser.post(reverse("portal:add-funds"), {"amount": amount})
    assert response.status_code == 200 and "Enter a number" in response.content.decode()
    assert Document.objects.count() == before
