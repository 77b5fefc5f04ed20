"""The login and reset-link throttles count an address as the account it reaches: a full-width or
differently cased form of an e-mail (which signs in to the same account, normalize_email) is no
fresh count, so it cannot be used to go on guessing one account's password past the limit."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts import throttle
from clientpanel.notifications.kinds import PASSWORD_RESET
from clientpanel.notifications.models import EmailMessage

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ")


def _look_alike(email: str) -> str:
    """The same account's address with a full-width domain (a form EmailField accepts)."""
    local, _at, domain = email.partition("@")
    return f"{local}@{domain.translate(FULL_WIDTH)}"


def _login(email: str, password: str, ip: str):
    return Browser(REMOTE_ADDR=ip).post(reverse("portal:login"), {"email": email, "password": password})


def test_a_look_alike_form_of_the_address_shares_its_login_count(world):
    email = world["mine"].owner.email
    look_alike = _look_alike(email)
    assert look_alike != email
    assert _login(look_alike, PASSWORD, "10.0.0.1").status_code == 302  # the very same account
    for n in range(throttle.MAX_FAILURES):
        _login(email, "wrong-password", f"10.0.1.{n}")
    refused = _login(look_alike, PASSWORD, "10.0.2.1")  # from yet another address
    assert refused.status_code == 200 and "Too many failed attempts" in refused.content.decode()
    refused = _login(email.upper(), PASSWORD, "10.0.2.2")
    assert refused.status_code == 200 and "Too many failed attempts" in refused.content.decode()


def test_look_alike_forms_share_the_reset_link_count(world):
    email = world["mine"].owner.email
    for n, form in enumerate([email, _look_alike(email), email.upper(), f" {_look_alike(email).upper()} "]):
        Browser(REMOTE_ADDR=f"10.0.3.{n}").post(reverse("portal:password_reset"), {"email": form})
    sent = EmailMessage.objects.filter(recipient=email, template=PASSWORD_RESET).count()
    assert sent == throttle.MAX_RESET_REQUESTS
