"""What a client's status allows (SPEC §1 statuses; the security audit of 2026-11-25).

The one rule of who may act for a client in the portal: nobody, for a CLOSED or FRAUD client —
its users do not sign in for it, do not switch to it, lose a session acting for it on their next
request, and pay, order or invite nothing for it. NEW, ACTIVE and INACTIVE clients keep the portal
(as in WHMCS, an inactive client still logs in: it is a client without active services, not a
barred one). Staff's Login as Owner is not bound by it: staff look at (and act in) a closed
client's portal as their own, audited action. Every path a client user acts through builds its
actor with clients.actors.portal_actor, which asks portal_open.

The one rule of what is sold to a client: nothing new — no service ordered, no Add Funds proforma —
for a CLOSED client (an erased one is CLOSED too: privacy) or one marked as FRAUD, by staff, the API
or the portal alike (takes_new_business; docs/decisions.md, "Closed clients order nothing new").
Staff still bill it (transactions, the proforma editor, credit notes)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ClientStatus

PORTAL_BARRED = frozenset({ClientStatus.CLOSED, ClientStatus.FRAUD})
# The same two statuses, by a rule of its own: a client closed to its users may be reached through
# Login as Owner, and is sold nothing there either.
NEW_BUSINESS_BARRED = frozenset({ClientStatus.CLOSED, ClientStatus.FRAUD})

# Shown only to whoever knew the password, and the same for both statuses: a client marked as fraud
# is not told so (WHMCS says the account is closed).
ACCOUNT_CLOSED = _("This account is closed. Please contact us if you think this is a mistake.")


def portal_open(status: str) -> bool:
    """Whether a client with this status may be acted for in the portal by its users."""
    return status not in PORTAL_BARRED


def portal_open_q(prefix: str = "") -> Q:
    """portal_open as a query filter, on clients (prefix "") or on rows reaching one ("client__")."""
    return ~Q(**{f"{prefix}status__in": sorted(PORTAL_BARRED)})


def takes_new_business(status: str) -> bool:
    """Whether a client with this status may be sold something new: a service ordered
    (client_services.rules.client_takes_orders) or an Add Funds proforma (invoicing's
    proformas.takes_top_ups). The staff panel and the portal offer neither button without it."""
    return status not in NEW_BUSINESS_BARRED
