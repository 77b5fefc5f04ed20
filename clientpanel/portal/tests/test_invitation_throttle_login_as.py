"""Invitations sent during Login as Owner count against the staff member acting, not the owner
(accounts.throttle.inviter): staff never use up the owner's hour, the owner's hour never blocks
staff, and staff stay bounded by a count of their own, whichever client they act for."""

import pytest

from clientpanel.accounts import throttle
from clientpanel.accounts.models import User
from clientpanel.notifications.kinds import INVITATION
from clientpanel.notifications.models import EmailMessage

from .acting import acting_for, invite
from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db

REFUSAL = "invitations in the last hour; try again later"




def test_the_owners_spent_hour_does_not_block_staff_acting_as_the_owner(world, support):
    client = world["mine"]
    for _n in range(throttle.MAX_INVITATIONS_PER_HOUR):
        throttle.invitation_sent(client.owner_id)
    assert REFUSAL in invite(_signed_in(client.owner.email), "by.owner@example.com").content.decode()

    staff = acting_for(support, client)
    assert invite(staff, "by.staff@example.com").status_code == 302
    assert EmailMessage.objects.filter(template=INVITATION, recipient="by.staff@example.com").exists()
    assert not User.objects.filter(email="by.owner@example.com").exists()


def test_staffs_invitations_leave_the_owners_hour_alone_and_staff_stay_bounded(world, support):
    client = world["mine"]
    for _n in range(throttle.MAX_INVITATIONS_PER_HOUR - 1):
        throttle.invitation_sent(support.pk)
    staff = acting_for(support, client)
    assert invite(staff, "last.one@example.com").status_code == 302  # counted on the staff member
    refused = invite(staff, "one.too.many@example.com")
    assert refused.status_code == 200 and REFUSAL in refused.content.decode()
    assert not EmailMessage.objects.filter(recipient="one.too.many@example.com").exists()
    # Acting for another client changes nothing: the count is the staff member's.
    elsewhere = acting_for(support, world["theirs"])
    assert REFUSAL in invite(elsewhere, "elsewhere@example.com").content.decode()
    assert not User.objects.filter(email__in=["one.too.many@example.com", "elsewhere@example.com"]).exists()

    # The owner's own hour is untouched by what staff sent in its name.
    assert not throttle.invitation_blocked(client.owner_id)
    assert invite(_signed_in(client.owner.email), "by.owner@example.com").status_code == 302
