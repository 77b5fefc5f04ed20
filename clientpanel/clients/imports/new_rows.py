"""The values a commit writes for a batch of new clients (as client_create would write them): owners,
clients, balance rows, billing addresses, owner links, assignments and one audit event per client —
values, not model instances: at 100,000 clients building instances costs more than writing them —
and the numbers of new clients the file gives none."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent
from clientpanel.audit.services import audit_events_of
from clientpanel.core.actor import Actor
from clientpanel.core.numbering import format_number, pattern_number, sequence_take

from ..events import WelcomeEmailRequested
from ..models import Address, Client, ClientBalance, ClientImport, ClientUser, StaffAssignment
from ..permissions import ALL_PERMISSIONS
from ..services.clients import new_client_values


class ClientNumbers:
    """The client numbers of an import's new rows that have none: from the client counter, after
    the highest number of our pattern the file itself holds. The first number takes the counter's
    row lock (held to the end of the import's transaction, so nobody else takes numbers meanwhile)
    and reads where it stands; the rest are counted here and taken at the end of the run (take)."""

    def __init__(self, *, before_first: Callable[[], None]) -> None:
        self.pattern = settings.CLIENTPANEL_CLIENT_NUMBER_PATTERN
        self.today = timezone.localdate()
        self.floor = 0
        self.first: int | None = None
        self.used = 0
        self._before_first = before_first  # the importer: its connection free for the counter's lock

    def floor_from(self, numbers: Iterable[str]) -> None:
        """Note the file's own client numbers (as written in it), so that ours come after them."""
        for text in numbers:
            value = pattern_number(self.pattern, text)
            if value is not None and value > self.floor:
                self.floor = value

    def next(self) -> str:
        if self.first is None:
            self._before_first()
            self.first = sequence_take(key="client", count=0, after=self.floor)
        number = format_number(self.pattern, self.first + self.used, self.today)
        self.used += 1
        return number

    def take(self) -> None:
        """Move the counter, held since the first number, past the numbers given."""
        if self.used and sequence_take(key="client", count=self.used) != self.first:
            raise RuntimeError("the client counter moved during the import")


def new_client_rows(rows: list[tuple[dict, str, int]], *, actor: Actor, imported: ClientImport,
                    next_number: Callable[[], str],
                    welcome: list[WelcomeEmailRequested]) -> list[tuple[type, list[dict]]]:
    """The batch's new clients with their owners, billing addresses, owner links (and
    assignments for staff limited to their clients), one audit event per client (client_create
    writes client.create with the owner and address.create; here the client's carries its
    billing address under "billing_address.…") and the welcome e-mails when asked — as values,
    not model instances: at 100,000 clients building instances costs more than writing them."""
    users, clients, balances, addresses, links, assignments, records = [], [], [], [], [], [], []
    limited = actor.is_staff_side and actor.limited_to_assigned
    # No password until the owner sets one (as client_create without one): Django's unusable
    # mark and a random tail, drawn once per batch — it is never checked against anything.
    unusable = make_password(None)
    permissions = list(ALL_PERMISSIONS)
    import_id = str(imported.pk)
    for new, number, _line in rows:
        cleaned = new["client"]
        number = number or next_number()
        owner = {"id": uuid.uuid4(), "email": new["email"], "firstname": cleaned["firstname"],
                 "lastname": cleaned["lastname"], "phone": cleaned["phone"] or "", "language": cleaned["language"],
                 "password": unusable}
        group = new["group"]
        client, address = new_client_values(cleaned, new["billing"], owner=owner, number=number,
                                            group_id=group.pk if group else None)
        users.append(owner)
        clients.append(client)
        balances.append({"client_id": client["id"], "currency": client["currency"]})
        addresses.append(address)
        links.append({"client_id": client["id"], "user_id": owner["id"], "permissions": permissions})
        if limited:
            assignments.append({"staff_id": actor.user_id, "client_id": client["id"]})
        records.append({"action": "client.create", "object_type": "client", "object_id": str(client["id"]),
                        "object_label": f"{number} {client['display_name']}", "client_id": client["id"],
                        "changes": _created(client, owner=owner["email"], client_import=import_id,
                                            billing=address)})
        if imported.send_welcome_emails:
            welcome.append(WelcomeEmailRequested(client_id=client["id"], user_id=owner["id"]))
    return [(User, users), (Client, clients), (ClientBalance, balances), (Address, addresses), (ClientUser, links),
            (StaffAssignment, assignments), (AuditEvent, audit_events_of(records, plain=True))]




# What an audit event of a creation leaves out (audit.services.created: ids, the search words).
_NOT_AUDITED = {"id", "search_text", "client_id", "owner_id"}


def _created(values: dict[str, Any], *, billing: dict[str, Any], **extra: Any) -> dict[str, list[Any]]:
    """audit.services.created for a client's row given as values, with its billing address's
    under "billing_address.…": every value that is set, from nothing."""
    changes = _set_values(values)
    changes.update({f"billing_address.{key}": value for key, value in _set_values(billing).items()})
    changes.update({key: [None, value] for key, value in extra.items()})
    return changes


def _set_values(values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for key, value in values.items():
        if key in _NOT_AUDITED or not value:  # nothing set: "", None, False, a zero amount
            continue
        changes["group" if key == "group_id" else key] = [None, value if type(value) is str else str(value)]
    return changes
