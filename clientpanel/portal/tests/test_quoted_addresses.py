"""An address with a quoted local part ("name"@example.com) or an IP literal (name@[192.0.2.1]) is
valid by the RFC and reaches the very mailbox its plain spelling does: it is refused wherever a
login gets its address, so it makes no second login for an inbox — a staff member's included,
during Login as Owner."""

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.clients import permissions as keys
from clientpanel.clients.models import ClientUser
from clientpanel.core.errors import ValidationFailed

from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db

REFUSAL = "Write the address plainly"
QUOTED = ['"support"@example.com', '"support+keep"@example.com', "support@[192.0.2.1]"]


def _invite(browser, email):
    return browser.post(reverse("portal:users"), {"email": email, "firstname": "New", "lastname": "Person",
                                                  "permissions": [keys.VIEW_DOCUMENTS]})


@pytest.mark.parametrize("email", QUOTED)
def test_staff_acting_as_owner_cannot_invite_a_quoted_spelling_of_their_address(world, email):
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    browser = Browser()
    browser.force_login(support)
    assert browser.post(reverse("backoffice:client-login-as", args=[world["mine"].pk])).status_code == 302
    links, users = ClientUser.objects.count(), User.objects.count()
    refused = _invite(browser, email)
    assert refused.status_code == 200 and REFUSAL in refused.content.decode()
    assert (ClientUser.objects.count(), User.objects.count()) == (links, users)


def test_the_owner_cannot_invite_one_either(world):
    refused = _invite(_signed_in(world["mine"].owner.email), '"colleague.two"@example.com')
    assert REFUSAL in refused.content.decode()
    assert not User.objects.filter(email__contains="colleague.two").exists()


def test_sign_up_makes_no_second_login_for_an_existing_inbox(world, settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True
    owner = world["mine"].owner.email
    local, _at, domain = owner.partition("@")
    page = Browser().post(reverse("portal:signup"), {
        "email": f'"{local}"@{domain}', "password": "a-brand-new-passphrase", "firstname": "Twin",
        "lastname": "Login", "country": "PL", "currency": "PLN"})
    assert REFUSAL in page.content.decode()
    assert not User.objects.filter(email__startswith='"').exists()


def test_staff_accounts_are_refused_too():
    with pytest.raises(ValidationFailed) as refused:
        staff_create(email='"boss"@example.com', password="correct-horse-battery", roles=["Support"])
    assert REFUSAL in str(refused.value.fields["email"])
