"""Who may order, change and act on a client's services: predicates over an Actor (see
clientpanel.core.actor). What a service's state allows is rules.py; which services an actor sees at
all is selectors.services_visible_to."""

from __future__ import annotations

from clientpanel.accounts.roles import EDIT_CLIENTS
from clientpanel.catalog.models import Product
from clientpanel.catalog.rules import orderable_by_client, orderable_by_staff
from clientpanel.clients.permissions import MANAGE_ORDERS, MANAGE_SERVICES
from clientpanel.core.actor import Actor, holds_area


def can_order(actor: Actor, client_id) -> bool:
    """Add a service: staff with Edit clients, a portal user with Place New Orders on the client."""
    return actor.has_area(EDIT_CLIENTS) or actor.may_on_client(client_id, MANAGE_ORDERS)


def can_order_product(actor: Actor, product: Product) -> bool:
    """Staff sell hidden products too (WHMCS's "hidden"); clients order only what is on show."""
    return orderable_by_client(product) if actor.is_portal else orderable_by_staff(product)


def can_override_funds(actor: Actor) -> bool:
    """Ordering beyond balance + credit limit is a staff decision, recorded in the audit trail."""
    return not actor.is_portal and actor.has_area(EDIT_CLIENTS)


def can_view_services(actor: Actor, client_id) -> bool:
    """A client's services: staff who see the client (selectors scope that), a portal user with
    Manage Services on it."""
    return not actor.is_portal or actor.may_on_client(client_id, MANAGE_SERVICES)


# Suspend, unsuspend, terminate, retry provisioning: staff only.
can_change_service_status = holds_area(EDIT_CLIENTS)


def can_run_service_actions(actor: Actor, client_id) -> bool:
    """The product's module actions (reboot, reset password…)."""
    return actor.has_area(EDIT_CLIENTS) or actor.may_on_client(client_id, MANAGE_SERVICES)


def can_request_cancellation(actor: Actor, client_id) -> bool:
    return actor.has_area(EDIT_CLIENTS) or actor.may_on_client(client_id, MANAGE_ORDERS)
