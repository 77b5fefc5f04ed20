"""The values a commit writes for a batch of new clients (as client_create would write them): owners,
clients, balance rows, billing addresses, owner links, assignments and one audit event per client —
values, not model instances: at 100,000 clients building instances costs more than writing them —
and the numbers of new clients the file gives none."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent
from clientpanel.audit.services import audit_events_of
from clientpanel.core.actor import Actor
from clientpanel.core.ids import new_id_texts
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
    assignments for staff limited to their clients), one audit event per client and the welcome
    e-mails when asked — as values, not model instances: at 100,000 clients building instances
    costs more than writing them.

    The audit event (client.create) names the import, the file's line and the owner; it does not
    repeat the values the row was created with, as client_create's does: those are the client's
    own row, and every later change is audited with its value before. Repeating them made the
    audit rows of a 100,000-client import 115 MB of JSON to build and parse (docs/decisions.md)."""
    users, clients, balances, addresses, links, assignments, records = [], [], [], [], [], [], []
    limited = actor.is_staff_side and actor.limited_to_assigned
    # No password until the owner sets one (as client_create without one): Django's unusable
    # mark and a random tail, drawn once per batch — it is never checked against anything.
    unusable = make_password(None)
    permissions = list(ALL_PERMISSIONS)
    from_import = [None, str(imported.pk)]
    ids = iter(new_id_texts(3 * len(rows)))
    for new, number, line in rows:
        cleaned = new["client"]
        number = number or next_number()
        owner = {"id": next(ids), "email": new["email"], "firstname": cleaned["firstname"],
                 "lastname": cleaned["lastname"], "phone": cleaned["phone"] or "", "language": cleaned["language"],
                 "password": unusable}
        group = new["group"]
        client, address = new_client_values(cleaned, new["billing"], owner=owner, number=number,
                                            group_id=group.pk if group else None, ids=(next(ids), next(ids)))
        users.append(owner)
        clients.append(client)
        balances.append({"client_id": client["id"], "currency": client["currency"]})
        addresses.append(address)
        links.append({"client_id": client["id"], "user_id": owner["id"], "permissions": permissions})
        if limited:
            assignments.append({"staff_id": actor.user_id, "client_id": client["id"]})
        records.append({"action": "client.create", "object_type": "client", "object_id": client["id"],
                        "object_label": f"{number} {client['display_name']}", "client_id": client["id"],
                        "changes": {"client_import": from_import, "line": [None, str(line)],
                                    "owner": [None, owner["email"]]}})
        if imported.send_welcome_emails:
            welcome.append(WelcomeEmailRequested(client_id=UUID(client["id"]), user_id=UUID(owner["id"])))
    return [(User, users), (Client, clients), (ClientBalance, balances), (Address, addresses), (ClientUser, links),
            (StaffAssignment, assignments), (AuditEvent, audit_events_of(records, plain=True))]
