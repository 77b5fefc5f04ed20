"""Building the actor of a client user in the portal (see clientpanel.core.actor)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.accounts.models import User
from clientpanel.core.actor import ACTOR_CLIENT_USER, Actor
from clientpanel.core.errors import NotFound

from .models import ClientUser
from .permissions import ALL_PERMISSIONS
from .rules import portal_open


def portal_actor(user: User, client_id, *, impersonator: User | None = None, ip: str | None = None) -> Actor:
    """A client user acting for one of its clients, with its permission keys there (the owner holds
    every key, SPEC §3). With an impersonator — a staff member during Login as Owner — the trail
    names both. A user not linked to the client is refused as if the client did not exist, and so is
    a client closed to its users (rules.portal_open) — except to staff during Login as Owner."""
    link = ClientUser.objects.filter(user=user, client_id=client_id).select_related("client").first()
    if link is None or user.is_staff or (impersonator is None and not portal_open(link.client.status)):
        raise NotFound(_("Client not found."))
    is_owner = link.client.owner_id == user.pk
    permissions = frozenset(ALL_PERMISSIONS if is_owner else link.permissions)
    # In the language of the request the change is made in, as stored labels are (decisions.md).
    label = user.email if impersonator is None else _("%(email)s (Login as Owner by %(staff)s)") % {
        "email": user.email, "staff": impersonator.email}
    return Actor(kind=ACTOR_CLIENT_USER, user=user, label=label, ip=ip, client_id=link.client_id,
                 permissions=permissions, impersonator=impersonator)
