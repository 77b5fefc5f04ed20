"""Reads of client files, scoped to the actor once: staff see the files of the clients they see
(limited staff: their assigned clients); a portal user only the files shown in the portal of the
client it acts for, and only with View Documents."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import NotFound
from clientpanel.core.ids import uuid_or_none
from clientpanel.core.sorting import sort_of

from . import policies
from .models import ClientFile


def client_files_visible_to(actor: ActorLike, client_id=None) -> QuerySet[ClientFile]:
    """The files the actor may see, of one client when client_id is given (a malformed id: none).
    The portal calls this with its actor (clients.actors.portal_actor): the selected client's files
    marked visible in the portal, when the user holds View Documents there, else nothing."""
    actor = as_actor(actor)
    files = ClientFile.objects.filter(client__in=clients_visible_to(actor).values("id"))
    if actor.is_portal:
        if not policies.can_view_client_files(actor, actor.client_id):
            return ClientFile.objects.none()
        files = files.filter(visible_in_portal=True)
    elif not actor.is_system and not policies.can_view_client_files(actor):
        return ClientFile.objects.none()
    if client_id is not None:
        parsed = uuid_or_none(client_id)
        if parsed is None:
            return ClientFile.objects.none()
        files = files.filter(client_id=parsed)
    return files


# One client's files, which (client_file_client_idx) are few enough to sort by name or size without an
# index of them. The name sorts case aside (its lower case), alike on PostgreSQL and SQLite.
FILE_SORTS: dict[str, tuple[str, ...]] = {"date": ("created_at", "id"), "name": ("name_key", "id"),
                                          "size": ("size", "id")}
FILE_DEFAULT_SORT = "-date"


def client_file_list(*, actor: ActorLike, client_id, search: str = "", sort: str = "") -> QuerySet[ClientFile]:
    """A client's Documents tab (staff) or the portal's documents page: newest first unless `sort` names
    another of FILE_SORTS (ValidationFailed on `sort` for one it does not); with `search`, the files
    whose name or description holds each of its first four words (case aside)."""
    order = sort_of(sort, FILE_SORTS, default=FILE_DEFAULT_SORT)
    files = client_files_visible_to(actor, client_id).select_related("uploaded_by").annotate(name_key=Lower("name"))
    for word in (search or "").split()[:4]:
        files = files.filter(Q(name__icontains=word) | Q(note__icontains=word))
    return files.order_by(*order.ordering)


def client_file_get(*, actor: ActorLike, client_id, file_id) -> ClientFile:
    """One file of the client the actor sees; NotFound for another client's file, a file hidden from
    the actor, or a malformed id — all alike, so an id tells nobody what exists."""
    parsed = uuid_or_none(file_id)
    if parsed is None:
        raise NotFound(_("File not found."))
    try:
        return client_files_visible_to(actor, client_id).select_related("client", "uploaded_by").get(pk=parsed)
    except ClientFile.DoesNotExist:
        raise NotFound(_("File not found.")) from None
