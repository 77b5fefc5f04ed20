"""Whether a client's personal data was erased, and so which statuses staff may still give it: an
erased client is not reopened (services/status.py refuses it; its Profile form offers only these)."""

from __future__ import annotations

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
