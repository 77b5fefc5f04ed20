"""Password reset for client users and staff, and address verification, from e-mailed links: the
request page tells nobody who has an account, links work once, and nothing logs anybody in."""

import re

import pytest
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.notifications.links import links_filled
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.services import email_verification_send

pytestmark = pytest.mark.django_db


def _link(message: EmailMessage, name: str) -> str:
    """The link as the recipient reads it (the stored message holds a placeholder, links.py)."""
    return re.search(rf"http://\S+(/portal/{name}/\S+/)", links_filled(message.body_text, message.links)).group(1)


def test_a_client_user_resets_a_forgotten_password_once(client, make_client):
    owner = make_client(language="pl").owner
    page = client.post(reverse("portal:password_reset"), {"email": owner.email.upper()})
    assert page.status_code == 200 and "Check your inbox" in page.content.decode()
    message = EmailMessage.objects.get(template="password_reset", recipient=owner.email)
    assert message.language == "pl" and message.subject.startswith("Zmiana hasła")
    link = _link(message, "password/reset")
    done = client.post(link, {"password": "a-brand-new-passphrase", "password_again": "a-brand-new-passphrase"})
    assert "Hasło jest ustawione" in done.content.decode()  # the user's language, as its e-mail's
    assert User.objects.get(pk=owner.pk).check_password("a-brand-new-passphrase")
    assert "_auth_user_id" not in client.session
    assert client.get(link).status_code == 400


def test_an_unknown_address_gets_the_same_answer_and_no_message(client):
    page = client.post(reverse("portal:password_reset"), {"email": "nobody@example.com"})
    assert page.status_code == 200 and "Check your inbox" in page.content.decode()
    assert not EmailMessage.objects.exists()


def test_staff_reset_their_password_too_and_are_sent_to_the_staff_login(client):
    staff = staff_create(email="forgetful@example.com", password="correct-horse-battery", roles=["Support"])
    client.post(reverse("portal:password_reset"), {"email": staff.email})
    link = _link(EmailMessage.objects.get(template="password_reset"), "password/reset")
    done = client.post(link, {"password": "another-long-passphrase", "password_again": "another-long-passphrase"})
    assert reverse("backoffice:login") in done.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("another-long-passphrase")


def test_reset_requests_are_throttled_without_saying_so(client, make_client):
    owner = make_client().owner
    for _ in range(5):
        answer = client.post(reverse("portal:password_reset"), {"email": owner.email})
        assert "Check your inbox" in answer.content.decode()
    assert EmailMessage.objects.filter(template="password_reset").count() == 3


def test_a_bad_address_is_refused_at_the_field(client):
    page = client.post(reverse("portal:password_reset"), {"email": "not an address"})
    assert page.status_code == 200 and "Enter a valid email address, like name@example.com." in page.content.decode()
    assert not EmailMessage.objects.exists()


def test_an_address_is_verified_by_posting_from_its_link_once(client, make_client):
    owner = make_client().owner
    email_verification_send(actor=None, user_id=owner.pk)
    link = _link(EmailMessage.objects.get(template="email_verification"), "verify")
    assert client.get(link).status_code == 200
    owner.refresh_from_db()
    assert not owner.email_verified  # opening the link (a mail scanner may) verifies nothing
    assert "is verified" in client.post(link).content.decode()
    owner.refresh_from_db()
    assert owner.email_verified
    assert client.get(link).status_code == 400


def test_each_page_a_link_leads_to_goes_on_to_the_login_or_to_a_new_link(client, make_client):
    """No dead end: a client user who set a password or confirmed the address is offered the
    portal's login; a spent or expired link offers a new one (a reset link, which also verifies)."""
    owner = make_client().owner
    client.post(reverse("portal:password_reset"), {"email": owner.email})
    link = _link(EmailMessage.objects.get(template="password_reset"), "password/reset")
    done = client.post(link, {"password": "a-brand-new-passphrase", "password_again": "a-brand-new-passphrase"})
    assert f'href="{reverse("portal:login")}" id="log-in-link"' in done.content.decode()
    spent = client.get(link)
    assert spent.status_code == 400
    assert f'href="{reverse("portal:password_reset")}" id="new-link"' in spent.content.decode()
    email_verification_send(actor=None, user_id=owner.pk)
    verified = client.post(_link(EmailMessage.objects.get(template="email_verification"), "verify"))
    assert f'href="{reverse("portal:login")}" id="log-in-link"' in verified.content.decode()
