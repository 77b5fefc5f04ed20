"""Which clients a bulk action works on: rows ticked in the directory, or every client its search and
filters find. Both are decided here, from what the request names, within the actor's scope — never
from a list of clients the browser claims to be allowed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.accounts.actors import ActorLike
from clientpanel.core.errors import ValidationFailed

from ..models import Client
from .directory import client_directory_rows, clients_for_export, clients_visible_to

# At most this many clients per bulk action: a run stays within minutes and its result page
# readable; more is a sign the filter is not the one meant (docs/decisions.md, "Bulk actions").
BULK_LIMIT = 10_000
# Ids are read in chunks of this many, well under any database's limit of bound parameters.
ID_CHUNK = 1_000


@dataclass(frozen=True)
class ClientSelection:
    """The ids of the selected clients the actor sees, in the directory's order, and how many of
    the ids named were left out (unknown, or outside the actor's scope: the same to the reader)."""

    client_ids: list[uuid.UUID]
    left_out: int = 0

    def __len__(self) -> int:
        return len(self.client_ids)


def _parse_ids(values: Iterable[object]) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    seen: set[uuid.UUID] = set()
    for value in values:
        try:
            client_id = uuid.UUID(str(value).strip())
        except ValueError:
            raise ValidationFailed(_("%(value)s is not a client id.") % {"value": repr(str(value)[:40])},
                                   fields={"ids": [_("Tick clients in the directory.")]}) from None
        if client_id not in seen:
            seen.add(client_id)
            ids.append(client_id)
    return ids


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def _too_many(count: int | None = None) -> ValidationFailed:
    if count is None:
        message = _("More than %(limit)s clients are selected; a bulk action takes at most %(limit)s. Narrow the "
                    "search or filters.") % {"limit": _grouped(BULK_LIMIT)}
    else:
        message = ngettext("%(count)s client is selected; a bulk action takes at most %(limit)s.",
                           "%(count)s clients are selected; a bulk action takes at most %(limit)s.",
                           count) % {"count": _grouped(count), "limit": _grouped(BULK_LIMIT)}
    return ValidationFailed(message, fields={"ids": [message]}, code="too_many_clients")


def client_selection(
    *, actor: ActorLike, client_ids: Iterable[object] = (), all_matching: bool = False, search: str = "",
    status: str | None = None, country: str | None = None, group: str | int | None = None, sort: str | None = None,
) -> ClientSelection:
    """The clients a bulk action is for. With all_matching, every client the directory finds for
    the search and filters (re-evaluated now, the ids sent ignored); otherwise the ids sent, keeping
    only those the actor sees. Refused (ValidationFailed): a malformed id, nothing selected, more
    than BULK_LIMIT clients, a search or filter the directory refuses."""
    if all_matching:
        rows = client_directory_rows(actor=actor, search=search, status=status, country=country, group=group,
                                     sort=sort)
        ids = list(rows.values_list("pk", flat=True)[:BULK_LIMIT + 1])
        if len(ids) > BULK_LIMIT:
            raise _too_many()
        selection = ClientSelection(client_ids=ids)
    else:
        wanted = _parse_ids(client_ids)
        if len(wanted) > BULK_LIMIT:
            raise _too_many(len(wanted))
        visible = clients_visible_to(actor)
        found: set[uuid.UUID] = set()
        for start in range(0, len(wanted), ID_CHUNK):
            found.update(visible.filter(pk__in=wanted[start:start + ID_CHUNK]).values_list("pk", flat=True))
        # In the order sent: the browser sends the ticked rows in the page's order.
        ordered = [pk for pk in wanted if pk in found]
        selection = ClientSelection(client_ids=ordered, left_out=len(wanted) - len(ordered))
    if not selection.client_ids:
        message = _("No clients are selected.") if not selection.left_out else _(
            "None of the selected clients was found.")
        raise ValidationFailed(message, fields={"ids": [message]}, code="nothing_selected")
    return selection


def clients_selected(*, actor: ActorLike, client_ids: list, sort: str | None = None) -> QuerySet[Client]:
    """The selected clients the actor sees, as the directory's export reads them (owner, group and
    balance joined), in the directory's order: an export of ticked rows."""
    return clients_for_export(clients_visible_to(actor).filter(pk__in=client_ids), sort)
