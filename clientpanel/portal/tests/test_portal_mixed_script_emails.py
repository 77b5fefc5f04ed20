"""The portal's forms that take an e-mail address — sign-up, inviting a user, an address of the book —
show a mixed-script domain's refusal (accounts.services.clean_email) and write nothing; a sign-up in
one script's international domain goes through."""

from html import unescape

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.clients.models import Address, Client, ClientUser
from clientpanel.notifications.models import EmailMessage

from .test_portal_addresses import _form as address_form
from .test_portal_pages import _signed_in
from .test_portal_signup import SIGNUP

pytestmark = pytest.mark.django_db

SPOOF = "jan@exаmple.com"  # a Cyrillic "а"
REFUSAL = "“exаmple” in the email address's domain mixes alphabets (Latin, Cyrillic)"


def _rows():
    return (Client.objects.count(), User.objects.count(), ClientUser.objects.count(), Address.objects.count(),
            EmailMessage.objects.count())


def test_sign_up_invitation_and_address_refuse_a_mixed_script_domain(world, settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True
    before = _rows()
    signup = Browser().post(reverse("portal:signup"), {**SIGNUP, "email": SPOOF}).content.decode()
    assert 'id="signup-done"' not in signup and REFUSAL in unescape(signup)
    browser = _signed_in(world["mine"].owner.email)
    invited = browser.post(reverse("portal:users"), {"email": SPOOF, "firstname": "Jan", "lastname": "K"})
    assert invited.status_code == 200 and REFUSAL in unescape(invited.content.decode())
    address = browser.post(reverse("portal:address-new"), address_form(email=SPOOF))
    assert address.status_code == 200 and REFUSAL in unescape(address.content.decode())
    assert _rows() == before


@pytest.mark.parametrize("email, stored", [("jan@пример.рф", "jan@xn--e1afmkfd.xn--p1ai"),
                                           ("user@例え.jp", "user@xn--r8jz45g.jp")])
def test_a_sign_up_in_one_scripts_international_domain_goes_through(client, settings, email, stored):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True
    done = client.post(reverse("portal:signup"), {**SIGNUP, "email": email})
    assert 'id="signup-done"' in done.content.decode()
    assert Client.objects.filter(owner__email=stored).exists()
