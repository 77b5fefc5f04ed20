"""During Login as Owner staff may not invite a staff account's mailbox (its address in any case, or
a +tag sub-address of it) as the client's user: they would keep a portal login of their own after
the impersonation ends. The client's own users, and staff inviting any other address, are not
concerned (docs/decisions.md)."""

import pytest

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import ClientUser
from clientpanel.clients.services import client_user_link
from clientpanel.core.errors import ValidationFailed

from .acting import acting_for, invite
from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db

REFUSAL = "During Login as Owner you cannot invite a staff member"




@pytest.mark.parametrize("email", ["support@example.com", "SUPPORT@Example.com", "support+mine@example.com",
                                   "Support+x@EXAMPLE.COM", "boss+later@example.com"])
def test_staff_acting_as_owner_cannot_invite_a_staff_mailbox(world, support, email):
    staff_create(email="boss@example.com", password="correct-horse-battery", roles=["Support"])
    links, users = ClientUser.objects.count(), User.objects.count()
    refused = invite(acting_for(support, world["mine"]), email)
    assert refused.status_code == 200 and REFUSAL in refused.content.decode()
    assert (ClientUser.objects.count(), User.objects.count()) == (links, users)


def test_the_service_refuses_it_whatever_interface_calls_it(world, support):
    actor = portal_actor(world["mine"].owner, world["mine"].pk, impersonator=support)
    with pytest.raises(ValidationFailed) as refused:
        client_user_link(actor=actor, client_id=world["mine"].pk, send_invitation=True, data={
            "email": "support+keep@example.com", "firstname": "S", "lastname": "P", "permissions": []})
    assert REFUSAL in str(refused.value.fields["email"])
    assert not User.objects.filter(email="support+keep@example.com").exists()


def test_other_addresses_are_invited_as_before_and_the_owner_is_not_concerned(world, support):
    assert invite(acting_for(support, world["mine"]), "supporter@example.com").status_code == 302
    assert invite(acting_for(support, world["mine"]), "support-desk+x@example.com").status_code == 302
    # The owner itself inviting a sub-address is not Login as Owner: the rule is staff's.
    assert invite(_signed_in(world["mine"].owner.email), "support+owner@example.com").status_code == 302
