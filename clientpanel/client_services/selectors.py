"""Reads of clients' services, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import NotFound

from . import policies
from .models import Service


def services_visible_to(actor: ActorLike) -> QuerySet[Service]:
    """The services of the clients the actor sees; in the portal, only with Manage Services."""
    actor = as_actor(actor)
    if actor.is_portal and not policies.can_view_services(actor, actor.client_id):
        return Service.objects.none()
    return Service.objects.filter(client__in=clients_visible_to(actor))


def service_get(*, actor: ActorLike, service_id) -> Service:
    try:
        return services_visible_to(actor).select_related("product", "price", "client").get(pk=service_id)
    except (Service.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Service not found.")) from None
