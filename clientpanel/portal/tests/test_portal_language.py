"""The English/Polish switch of the pages before sign-in: Django's set_language behind a POST with
its CSRF token, the choice kept in the language cookie, back to the same page and never to another
site; once signed in, the language saved on the account still wins."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .acting import acting_for
from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("portal:login")
SWITCH = reverse("portal:language")


def test_the_login_page_switches_to_polish_and_comes_back_to_itself():
    browser = Client()
    page = browser.get(LOGIN).content.decode()
    assert '<html lang="en">' in page and 'id="language-switch"' in page
    assert f'action="{SWITCH}"' in page and 'name="language" value="pl"' in page
    here = f"{LOGIN}?next=%2Fportal%2Finvoices%2F"
    response = browser.post(SWITCH, {"language": "pl", "next": here})
    assert response.status_code == 302 and response["Location"] == here
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    page = browser.get(here).content.decode()
    assert '<html lang="pl">' in page and "Zaloguj się do swojego konta" in page
    assert 'value="/portal/invoices/"' in page  # the login's own next is kept
    browser.post(SWITCH, {"language": "en", "next": LOGIN})
    assert '<html lang="en">' in browser.get(LOGIN).content.decode()


@pytest.mark.parametrize("next_url", ["https://evil.example/portal/", "//evil.example/portal/", "/\\evil.example/",
                                      "https:evil.example", "///evil.example/", "/%5Cevil.example/", "-1", ""])
def test_next_never_leads_off_the_site(next_url):
    response = Client().post(SWITCH, {"language": "pl", "next": next_url}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"


def test_the_switch_takes_a_post_with_its_csrf_token_and_a_language_of_the_panel():
    guarded = Client(enforce_csrf_checks=True)
    assert guarded.post(SWITCH, {"language": "pl", "next": LOGIN}).status_code == 403
    assert Client().get(SWITCH, {"language": "pl", "next": LOGIN}).status_code == 405
    response = Client().post(SWITCH, {"language": "de", "next": LOGIN})
    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_signed_in_the_saved_language_wins_and_stays(make_client):
    owner = make_client(password=PASSWORD, language="en").owner
    browser = Client()
    browser.post(SWITCH, {"language": "pl", "next": LOGIN})
    assert browser.post(LOGIN, {"email": owner.email, "password": PASSWORD}).status_code == 302
    page = browser.get(reverse("portal:dashboard")).content.decode()
    assert '<html lang="en">' in page and 'id="language-switch"' not in page
    owner.refresh_from_db()
    assert owner.language == "en"


def test_the_staff_login_page_has_the_switch_too():
    browser = Client()
    staff_login = reverse("backoffice:login")
    assert 'id="language-switch"' in browser.get(staff_login).content.decode()
    response = browser.post(SWITCH, {"language": "pl", "next": staff_login})
    assert response["Location"] == staff_login
    page = browser.get(staff_login).content.decode()
    assert '<html lang="pl">' in page and "Clientpanel — panel pracowników" in page


def test_the_other_pages_before_sign_in_have_it_and_a_posts_answer_has_not(settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True
    browser = Client()
    for name in ("password_reset", "signup"):
        assert 'id="language-switch"' in browser.get(reverse(f"portal:{name}")).content.decode(), name
    link = reverse("portal:set_password", args=["bad", "link"])
    assert 'id="language-switch"' in browser.get(link).content.decode()
    sent = browser.post(reverse("portal:password_reset"), {"email": "nobody@example.com"})
    assert sent.status_code == 200 and 'id="language-switch"' not in sent.content.decode()


def test_a_language_saved_on_the_account_page_is_what_the_login_page_speaks_after_sign_out(make_client):
    owner = make_client(password=PASSWORD, language="en").owner
    browser = Client()
    assert browser.post(LOGIN, {"email": owner.email, "password": PASSWORD}).status_code == 302
    saved = browser.post(reverse("portal:account"), {"action": "details", "firstname": "Ada", "lastname": "Lovelace",
                                                     "language": "pl"})
    assert saved.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    browser.post(reverse("portal:logout"))
    assert '<html lang="pl">' in browser.get(LOGIN).content.decode()


def test_staff_acting_as_the_owner_leave_their_own_browsers_language_alone(make_client, support):
    client = make_client(password=PASSWORD, language="en")
    browser = acting_for(support, client)
    saved = browser.post(reverse("portal:account"), {"action": "details", "firstname": "Ada", "lastname": "Lovelace",
                                                     "language": "pl"})
    assert saved.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in saved.cookies
    client.owner.refresh_from_db()
    assert client.owner.language == "pl"  # the owner's account changed, as staff asked
