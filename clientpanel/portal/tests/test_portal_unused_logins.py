"""The Users page's invitations never block an address (clients.services.unused_logins): removed
before it is used, an invited login goes; another client may invite the same person, who then
switches between both; a login somebody used is never linked by a stranger. Names carrying a link
are refused before any e-mail is sent."""

import pytest
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.clients.models import ClientUser
from clientpanel.clients.services import client_create
from clientpanel.notifications.kinds import INVITATION
from clientpanel.notifications.models import EmailMessage
from conftest import client_data

from .conftest import PASSWORD
from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db
TARGET = "phish-target2@example.com"


def _invite(browser, **extra):
    return browser.post(reverse("portal:users"), {"email": TARGET, "firstname": "Pat", "lastname": "Target",
                                                  "permissions": [], **extra})


def _theirs_signed_in(world):
    owner = world["theirs"].owner
    owner.set_password(PASSWORD)
    owner.save()
    return _signed_in(owner.email)


def test_an_invitation_withdrawn_frees_the_address_for_staff_and_other_clients(world):
    mine = _signed_in(world["mine"].owner.email)
    assert _invite(mine).status_code == 302
    invited = User.objects.get(email=TARGET)
    removed = mine.post(reverse("portal:user-remove", args=[invited.pk]))
    assert removed.status_code == 302
    assert not User.objects.filter(email=TARGET).exists()
    assert f"{TARGET} no longer has access." in mine.get(reverse("portal:users")).content.decode()
    assert client_create(actor=None, data=client_data(email=TARGET)).owner.email == TARGET


def test_another_clients_invitation_waits_until_the_first_is_withdrawn(world, client):
    """A second business's invitation of the same person is answered as any existing address (linking
    it showed each client the other's words for the person); once the first invitation is withdrawn
    the address is free for it."""
    mine, theirs = _signed_in(world["mine"].owner.email), _theirs_signed_in(world)
    assert _invite(mine).status_code == 302
    refused = _invite(theirs, firstname="Other", lastname="Name")
    assert refused.status_code == 200 and "already exists" in refused.content.decode()
    invited = User.objects.get(email=TARGET)
    assert set(ClientUser.objects.filter(user=invited).values_list("client_id", flat=True)) == {world["mine"].pk}
    assert "Other" not in mine.get(reverse("portal:users")).content.decode()
    assert mine.post(reverse("portal:user-remove", args=[invited.pk])).status_code == 302
    assert _invite(theirs, firstname="Other", lastname="Name").status_code == 302
    assert User.objects.get(email=TARGET).firstname == "Other"
    assert EmailMessage.objects.filter(template=INVITATION, recipient=TARGET).count() == 2


def test_a_used_login_is_never_linked_by_another_clients_invitation(world):
    mine, theirs = _signed_in(world["mine"].owner.email), _theirs_signed_in(world)
    _invite(mine)
    invited = User.objects.get(email=TARGET)
    invited.set_password("a-long-passphrase-5")
    invited.save()
    page = _invite(theirs).content.decode()
    assert "A user with this email address already exists." in page
    assert not ClientUser.objects.filter(user=invited, client=world["theirs"]).exists()


def test_a_link_in_an_invitations_name_is_refused_and_no_mail_goes(world):
    mine = _signed_in(world["mine"].owner.email)
    page = _invite(mine, firstname="URGENT: verify your bank at https://evil.example/login").content.decode()
    assert "First name cannot hold a link, a web address or an e-mail address; type the person&#x27;s name." in page
    assert not User.objects.filter(email=TARGET).exists()
    assert not EmailMessage.objects.filter(recipient=TARGET).exists()
