"""A portal invitation and a Redis that cannot count it (full: maxmemory with noeviction, or down):
refused with the 503 before anything is written — never made, e-mailed and then answered with the
503 because the count after the commit failed. A refused invitation gives its count back."""

import pytest
from django.urls import reverse

from clientpanel.accounts import throttle
from clientpanel.accounts.tests.test_throttle_full_redis import full_redis_url  # noqa: F401 — a fixture
from clientpanel.clients import permissions as keys
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import ClientUser
from clientpanel.clients.services import client_user_link
from clientpanel.core.errors import ValidationFailed
from clientpanel.notifications.models import EmailMessage
from config.settings.env import redis_cache

pytestmark = pytest.mark.django_db
PASSWORD = "portal-owner-passphrase-3"
NEW = "new.person@example.com"


def _invitation(email=NEW, **extra) -> dict:
    return {"email": email, "firstname": "New", "lastname": "Person", "permissions": [keys.VIEW_DOCUMENTS], **extra}


def test_the_portal_invitation_is_refused_with_nothing_made_when_it_cannot_be_counted(client, make_client, settings,
                                                                                       full_redis_url):  # noqa: F811
    owner = make_client(password=PASSWORD).owner
    assert client.post(reverse("portal:login"), {"email": owner.email, "password": PASSWORD}).status_code == 302
    settings.CACHES = {"default": redis_cache(full_redis_url)}
    response = client.post(reverse("portal:users"), _invitation(send_invitation="on"))
    assert response.status_code == 503
    assert "This is unavailable for a moment. Please try again shortly." in response.content.decode()
    assert not ClientUser.objects.filter(user__email=NEW).exists()
    assert not EmailMessage.objects.filter(recipient=NEW).exists()


def test_refused_invitations_cost_nothing(make_client):
    customer = make_client()
    actor = portal_actor(customer.owner, customer.pk)
    for _ in range(throttle.MAX_INVITATIONS_PER_HOUR + 1):
        with pytest.raises(ValidationFailed):
            client_user_link(actor=actor, client_id=customer.pk, data=_invitation(permissions=["no-such"]),
                             send_invitation=True)
    assert not throttle.invitation_blocked(customer.owner_id)
    client_user_link(actor=actor, client_id=customer.pk, data=_invitation(), send_invitation=True)
    assert ClientUser.objects.filter(client=customer, user__email=NEW).exists()
    assert EmailMessage.objects.filter(recipient=NEW).exists()
