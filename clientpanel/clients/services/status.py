"""A client's status change refused by its history: an erased client (privacy.client_erase, GDPR
art. 17) is not reopened. Its personal data is gone and its users' logins with it; reopened, it
would be sold services and Add Funds again under "Erased client N" (clients.rules.takes_new_business).
A returning customer gets a new client account (docs/decisions.md)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.core.errors import Conflict

from ..models import Client
from ..rules import takes_new_business
from ..selectors.statuses import client_erased


def refuse_reopening_erased(client: Client, status: str | None) -> None:
    """Refuse (409 `client_erased`) a change of an erased client's status to one that takes new
    business (NEW, ACTIVE, INACTIVE); CLOSED and FRAUD stay open to it. For the locked client row,
    before the change is written (clients.services.clients.update_locked_client: staff's Profile tab,
    the API, bulk actions and the CSV import alike)."""
    if status is None or status == client.status or not takes_new_business(status):
        return
    if client_erased(client.pk):
        message = _("This client's personal data is erased, so it stays closed. Create a new client for a "
                    "returning customer.")
        raise Conflict(message, fields={"status": [message]}, code="client_erased")
