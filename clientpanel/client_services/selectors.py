"""Reads of clients' services, scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.selectors import clients_found_by, clients_visible_to
from clientpanel.core.errors import FieldErrors, NotFound
from clientpanel.core.sorting import sort_of
from clientpanel.ledger.selectors import ServiceNames

from . import policies
from .calculations import charges_between
from .models import ProvisionStatus, Service, ServiceStatus


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


def service_for_cancellation(*, actor: ActorLike, service_id) -> Service:
    """A service of a client the actor sees, for a cancellation request: in the portal that right is
    Place New Orders/Upgrades/Cancellations, which does not need Manage Services, so the portal's
    services filter is not applied here; the caller checks policies.can_request_cancellation."""
    actor = as_actor(actor)
    try:
        service = (Service.objects.filter(client__in=clients_visible_to(actor)).select_related("product")
                   .get(pk=service_id))
    except (Service.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Service not found.")) from None
    return service


def entry_service_names() -> ServiceNames:
    """Ledger entries' services named as the pages name a service, "VPS D4E0GV" (product and label),
    for the ledger's lists: one subquery in the list's query; a deleted service names nothing, and
    its entries read as stored. Search words find a service by its label or product, as service_list."""
    named = (Service.objects.filter(pk=OuterRef("service_id"))
             .annotate(shown=Concat("product__name", Value(" "), "label")).values("shown")[:1])
    return ServiceNames(name=Subquery(named), matching=lambda word: Service.objects.filter(
        Q(label__icontains=word) | Q(product__name__icontains=word)).values("pk"))


def upcoming_charges(*, client_ids, now: dt.datetime, until: dt.datetime) -> dict:
    """What each client's active services will be charged for the periods starting before `until`
    ({client id: amount}; clients without any are left out). One query, however many clients. A
    service whose cancellation is requested ends with its paid period: billing charges it no more,
    so it is no upcoming charge (nor a reason to top up, warn of a low balance or show a cost)."""
    totals: dict = {}
    services = (Service.objects.filter(client_id__in=client_ids, status=ServiceStatus.ACTIVE, cancel_requested=False)
                .exclude(period="ONE_TIME").select_related("product")
                .only("client_id", "period", "amount", "billed_until", "billing_anchor_day",
                      "product__hourly_billing"))
    for service in services:
        start = max(service.billed_until or now, now)
        amount = charges_between(period=service.period, amount=service.amount,
                                 hourly_billing=service.product.hourly_billing, start=start, until=until,
                                 anchor_day=service.billing_anchor_day)
        if amount:
            totals[service.client_id] = totals.get(service.client_id, Decimal(0)) + amount
    return totals


# Clients → Services' sorts (core.sorting): each read off an index of the services (migration 0008) —
# none of them holds billed_until, so charging a period stays a HOT update. A price sorts by currency
# first: 10 EUR and 10 PLN are not the same amount (as the directory's balance).
SERVICE_SORTS: dict[str, tuple[str, ...]] = {
    "ordered": ("order_date", "id"),
    "activated": ("activation_date", "id"),
    "price": ("currency", "amount", "id"),
}
SERVICE_DEFAULT_SORT = "-ordered"
# The portal's Services: one client's, which (service_client_idx) are few enough to sort by the day
# they are billed until without an index of it.
CLIENT_SERVICE_SORTS: dict[str, tuple[str, ...]] = {**SERVICE_SORTS, "billed_until": ("billed_until", "id")}


def service_list(*, actor: ActorLike, status: str = "", provision_status: str = "",
                 search: str = "", sort: str = "") -> QuerySet[Service]:
    """Every service the actor sees, newest order first unless `sort` names another of SERVICE_SORTS
    (ValidationFailed on `sort` for one it does not): by status, by provisioning status (ERROR: the
    dashboard's "failed to provision"), and by words of its label, product or client — the client
    found by the words the directory finds it by (name, number, owner's e-mail, tax ID, phone). In the
    portal, one client's services: the words are of the label or product, the sorts CLIENT_SERVICE_SORTS."""
    actor = as_actor(actor)
    order = sort_of(sort, CLIENT_SERVICE_SORTS if actor.is_portal else SERVICE_SORTS, default=SERVICE_DEFAULT_SORT)
    services = services_visible_to(actor).select_related("product", "client")
    errors = FieldErrors()
    if status and status not in ServiceStatus.values:
        errors.add("status", _("Use one of %(choices)s.") % {"choices": ", ".join(ServiceStatus.values)})
    if provision_status and provision_status not in ProvisionStatus.values:
        errors.add("provision_status", _("Use one of %(choices)s.") % {"choices": ", ".join(ProvisionStatus.values)})
    errors.raise_if_any()
    if status:
        services = services.filter(status=status)
    if provision_status:
        services = services.filter(provision_status=provision_status)
    for word in (search or "").split()[:4]:
        found = Q(label__icontains=word) | Q(product__name__icontains=word)
        services = services.filter(found if actor.is_portal else found | Q(client__in=clients_found_by(word)))
    return services.order_by(*order.ordering)
