"""Whether a client's personal data was erased, and so which statuses staff may still give it (an
erased client is not reopened: services/status.py refuses it; its Profile form offers only these),
and why nothing new is sold to a closed, fraud or erased client (new_business_refusal)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.audit.models import AuditEvent

from ..models import Client, ClientStatus
from ..rules import takes_new_business

# The erasure's audit event (privacy.client_erase writes it in the erasing transaction): the audit
# trail is never deleted, so it tells an erased client for good. The names erasure leaves do not: an
# edit of the client (a status change too) makes its display name again.
ERASE_ACTION = "client.erase"


def client_erased(client_id) -> bool:
    """Whether the client's personal data was erased (privacy.client_erase)."""
    return AuditEvent.objects.filter(client_id=client_id, action=ERASE_ACTION).exists()


def status_choices_for(client: Client) -> list[tuple[str, str]]:
    """The statuses staff may set on the client, as (value, label): every one, but for an erased
    client those that take no new business (CLOSED, FRAUD) beside the one it has."""
    if not client_erased(client.pk):
        return list(ClientStatus.choices)
    return [(value, label) for value, label in ClientStatus.choices
            if value == client.status or not takes_new_business(value)]


# What is refused to a client that takes no new business (new_business_refusal).
ORDERING, ADDING_FUNDS = "ordering", "adding_funds"


def new_business_refusal(client: Client, doing: str) -> str:
    """Why nothing new may be sold to the client — a service ordered (ORDERING) or funds added
    (ADDING_FUNDS) — in words saying what staff can do about it; "" when it may. The refusal of
    the services and the note beside the disabled buttons alike: an erased client is not told to
    be reopened, since it cannot be."""
    if takes_new_business(client.status):
        return ""
    if client_erased(client.pk):
        return _("This client's personal data is erased, so it stays closed. Create a new client for a "
                 "returning customer.")
    if client.status == ClientStatus.CLOSED:
        return (_("This client is closed: reopen it before ordering a service.") if doing == ORDERING else
                _("This client is closed: reopen it before adding funds."))
    return (_("This client is marked as fraud: change its status before ordering a service.") if doing == ORDERING
            else _("This client is marked as fraud: change its status before adding funds."))
