"""The user's own account in the portal: names and language, password, TOTP 2FA (and the login's
second step), e-mail choices; staff signed in as the user change no credential."""

import re
import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients import permissions as keys
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import ClientUser
from clientpanel.notifications.kinds import (
    DOCUMENT_ISSUED,
    LOW_BALANCE,
    PROFORMA_REMINDER,
    SERVICE_STATUS,
    STAFF_MESSAGE,
)
from clientpanel.notifications.selectors import home_company_of
from clientpanel.notifications.services import home_company_muted_emails_set, own_muted_emails_set
from clientpanel.notifications.subscribers import recipients

from .conftest import PASSWORD
from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-portal-passphrase"


def _code(user: User, steps_ahead: int = 0) -> str:
    user.refresh_from_db()
    return pyotp.TOTP(user.totp_secret).at(time.time() + 30 * steps_ahead)


def test_names_and_language_are_saved_and_the_portal_speaks_it(world):
    browser = _signed_in(world["mine"].owner.email)
    url = reverse("portal:account")
    blank = browser.post(url, {"action": "details", "firstname": " ", "lastname": "X" * 151, "language": "xx"})
    assert blank.status_code == 200 and "This field is required." in blank.content.decode()
    saved = browser.post(url, {"action": "details", "firstname": "Ada", "lastname": "Lovelace", "language": "pl"})
    assert saved.status_code == 302
    owner = User.objects.get(pk=world["mine"].owner_id)
    assert (owner.firstname, owner.lastname, owner.language) == ("Ada", "Lovelace", "pl")
    page = browser.get(url).content.decode()
    assert '<html lang="pl">' in page
    assert "Twoje dane zostały zapisane." in page  # the confirmation in the language just chosen
    assert AuditEvent.objects.filter(action="user.account", object_id=str(owner.pk)).exists()
    back = browser.post(url, {"action": "details", "firstname": "Ada", "lastname": "Lovelace", "language": "en"},
                        follow=True).content.decode()
    assert "Your details are saved." in back and "Twoje dane" not in back


def test_the_password_changes_only_with_the_present_one(world):
    email = world["mine"].owner.email
    browser = _signed_in(email)
    url = reverse("portal:account")
    wrong = browser.post(url, {"action": "password", "current_password": "not-it", "password": NEW_PASSWORD,
                               "password_again": NEW_PASSWORD}).content.decode()
    assert "This is not your present password." in wrong
    differ = browser.post(url, {"action": "password", "current_password": PASSWORD, "password": NEW_PASSWORD,
                                "password_again": "something-else-1"}).content.decode()
    assert "The two passwords differ." in differ
    weak = browser.post(url, {"action": "password", "current_password": PASSWORD, "password": "123",
                              "password_again": "123"}).content.decode()
    assert "too short" in weak
    assert User.objects.get(email=email).check_password(PASSWORD)
    done = browser.post(url, {"action": "password", "current_password": PASSWORD, "password": NEW_PASSWORD,
                              "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    assert _signed_in(email, NEW_PASSWORD)


def test_guessing_the_present_password_is_throttled(world):
    browser = _signed_in(world["mine"].owner.email)
    url = reverse("portal:account")
    for _ in range(5):
        browser.post(url, {"action": "password", "current_password": "guess", "password": NEW_PASSWORD,
                           "password_again": NEW_PASSWORD})
    blocked = browser.post(url, {"action": "password", "current_password": PASSWORD, "password": NEW_PASSWORD,
                                 "password_again": NEW_PASSWORD}).content.decode()
    assert "Too many failed attempts" in blocked
    assert User.objects.get(pk=world["mine"].owner_id).check_password(PASSWORD)


def test_two_factor_is_switched_on_and_then_asked_at_login(world):
    email = world["mine"].owner.email
    browser = _signed_in(email)
    page = browser.get(reverse("portal:account-2fa")).content.decode()
    assert 'id="totp-qr"' in page
    owner = User.objects.get(email=email)
    assert "Code" in browser.post(reverse("portal:account-2fa"), {"action": "confirm", "code": "000000",
                                                                   "current_password": PASSWORD}
                                  ).content.decode()
    on = browser.post(reverse("portal:account-2fa"), {"action": "confirm", "code": _code(owner),
                                                            "current_password": PASSWORD}).content.decode()
    assert 'id="recovery-codes"' in on
    assert AuditEvent.objects.filter(action="user.2fa_on", object_id=str(owner.pk)).exists()

    fresh = Client()
    step_one = fresh.post(reverse("portal:login"), {"email": email, "password": PASSWORD})
    assert step_one["Location"] == reverse("portal:login-code")
    assert fresh.get(reverse("portal:dashboard")).status_code == 302  # not signed in before the code
    wrong = fresh.post(reverse("portal:login-code"), {"code": "123456"}).content.decode()
    assert "does not match" in wrong
    signed = fresh.post(reverse("portal:login-code"), {"code": _code(owner, steps_ahead=1)})
    assert signed.status_code == 302 and fresh.get(reverse("portal:dashboard")).status_code == 200


def test_the_code_step_without_a_password_step_goes_back_to_login(world):
    assert Client().get(reverse("portal:login-code"))["Location"] == reverse("portal:login")


def test_e_mail_choices_are_kept_per_client(world):
    browser = _signed_in(world["mine"].owner.email)
    wanted = [PROFORMA_REMINDER]
    assert browser.post(reverse("portal:account"), {"action": "emails", "wanted": wanted}).status_code == 302
    link = ClientUser.objects.get(client=world["mine"], user_id=world["mine"].owner_id)
    assert LOW_BALANCE in link.muted_emails and PROFORMA_REMINDER not in link.muted_emails
    bogus = browser.post(reverse("portal:account"), {"action": "emails", "wanted": ["no-such-message"]})
    assert bogus.status_code == 200 and "no-such-message" in bogus.content.decode()


def test_a_user_is_offered_only_the_e_mails_it_receives_and_the_others_keep_their_switch(world):
    email = _member(world["mine"], keys.MANAGE_SERVICES, email="services@example.com")
    link = ClientUser.objects.get(client=world["mine"], user__email=email)
    link.muted_emails = [LOW_BALANCE]  # set by staff before; kept for when Manage Invoices is given
    link.save(update_fields=["muted_emails"])
    browser = _signed_in(email)
    page = browser.get(reverse("portal:account")).content.decode()
    for name in ("Service status", "Message from staff"):
        assert f">{name}</label>" in page
    for name in ("Proforma reminder", "Low balance", "Document issued", "Payment received", "Auto top-up failed"):
        assert f">{name}</label>" not in page  # it is never sent these: they go to Manage Invoices
    # Switching everything offered off leaves the others alone; the service changes no other either.
    assert browser.post(reverse("portal:account"), {"action": "emails"}).status_code == 302
    link.refresh_from_db()
    assert link.muted_emails == sorted([LOW_BALANCE, SERVICE_STATUS, STAFF_MESSAGE])
    forged = browser.post(reverse("portal:account"), {"action": "emails", "wanted": [PROFORMA_REMINDER]})
    assert forged.status_code == 200 and PROFORMA_REMINDER in forged.content.decode()  # not a choice
    own_muted_emails_set(actor=portal_actor(link.user, world["mine"].pk), keys=[PROFORMA_REMINDER])
    link.refresh_from_db()
    assert link.muted_emails == [LOW_BALANCE]
    assert recipients(world["mine"], SERVICE_STATUS) == [world["mine"].owner, link.user]
    assert recipients(world["mine"], DOCUMENT_ISSUED) == [world["mine"].owner]


def test_messages_the_home_company_switched_off_are_named_not_offered_and_the_users_own_switch_stays(world):
    client = world["mine"]
    link = ClientUser.objects.get(client=client, user_id=client.owner_id)
    link.muted_emails = [PROFORMA_REMINDER]  # the owner's own choice, from before the company's
    link.save(update_fields=["muted_emails"])
    company = home_company_of(client)
    home_company_muted_emails_set(actor=None, company_id=company.pk, keys=[PROFORMA_REMINDER, LOW_BALANCE])
    browser = _signed_in(client.owner.email)
    page = browser.get(reverse("portal:account")).content.decode()
    assert ">Proforma reminder</label>" not in page and ">Low balance</label>" not in page
    assert ">Document issued</label>" in page
    note = page.split('id="company-off-emails">')[1].split("</p>")[0]
    assert f"{company.name} sends none of these to anybody:" in note
    assert "Proforma reminder" in note and "Low balance" in note
    # Switching everything offered off leaves the company's two as the user had them.
    assert browser.post(reverse("portal:account"), {"action": "emails"}).status_code == 302
    link.refresh_from_db()
    assert PROFORMA_REMINDER in link.muted_emails and LOW_BALANCE not in link.muted_emails
    assert DOCUMENT_ISSUED in link.muted_emails
    forged = browser.post(reverse("portal:account"), {"action": "emails", "wanted": [LOW_BALANCE]})
    assert forged.status_code == 200  # not a choice while the company sends it to nobody


def test_staff_signed_in_as_the_user_change_no_password_or_second_factor(client, world):
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    client.post(reverse("backoffice:client-login-as", args=[world["mine"].pk]))
    page = client.get(reverse("portal:account")).content.decode()
    assert 'id="credentials-locked"' in page and 'id="account-password"' not in page
    refused = client.post(reverse("portal:account"), {
        "action": "password", "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD}).content.decode()
    assert "cannot change its password" in refused
    assert client.get(reverse("portal:account-2fa")).status_code == 403
    owner = User.objects.get(pk=world["mine"].owner_id)
    assert owner.check_password(PASSWORD) and not owner.totp_secret


def test_after_two_factor_is_switched_on_the_turn_off_form_starts_empty(world):
    """The page answering Turn on showed the recovery codes above a Turn off form filled in with
    the code just used (the form bound to the POST): one click of Turn off away from undoing it."""
    email = world["mine"].owner.email
    browser = _signed_in(email)
    browser.get(reverse("portal:account-2fa"))
    code = _code(User.objects.get(email=email))
    on = browser.post(reverse("portal:account-2fa"), {"action": "confirm", "code": code,
                                                      "current_password": PASSWORD}).content.decode()
    assert 'id="recovery-codes"' in on and 'name="action" value="disable"' in on
    turn_off = on.split('name="action" value="disable"')[1].split("</form>")[0]
    code_input = re.search(r'<input[^>]*name="code"[^>]*>', turn_off).group(0)
    assert "value=" not in code_input and code not in turn_off and "is-invalid" not in turn_off
