"""A portal sign-in gives the browser a new CSRF token, as Django's login() does for staff: a token
planted before the sign-in (a cookie set from a sibling subdomain, or over plain HTTP before HSTS)
no longer lets another site post as the signed-in user."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _planted_then_signed_in(email: str) -> tuple[Browser, str]:
    browser = Browser(enforce_csrf_checks=True)
    browser.get(reverse("portal:login"))
    planted = browser.cookies["csrftoken"].value  # what an attacker who set the cookie knows
    signed_in = browser.post(reverse("portal:login"), {"email": email, "password": PASSWORD,
                                                       "csrfmiddlewaretoken": planted})
    assert signed_in.status_code == 302
    return browser, planted


def test_a_token_from_before_the_sign_in_posts_nothing_after_it(world):
    owner = world["mine"].owner
    browser, planted = _planted_then_signed_in(owner.email)
    assert browser.cookies["csrftoken"].value != planted
    forged = browser.post(reverse("portal:account"), {"action": "details", "firstname": "Forged", "lastname": "Name",
                                                      "language": "en", "csrfmiddlewaretoken": planted})
    assert forged.status_code == 403
    assert User.objects.get(pk=owner.pk).firstname != "Forged"


def test_the_new_token_works(world):
    owner = world["mine"].owner
    browser, _planted = _planted_then_signed_in(owner.email)
    saved = browser.post(reverse("portal:account"), {
        "action": "details", "firstname": "Own", "lastname": "Name", "language": "en",
        "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert saved.status_code == 302
    assert User.objects.get(pk=owner.pk).firstname == "Own"
