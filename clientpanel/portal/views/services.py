"""The selected client's services (Manage Services), ordering a new one and requesting a
cancellation (Place New Orders/Upgrades/Cancellations). The client_services services decide; these
views parse, call and render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.catalog.selectors import products_for_client_order
from clientpanel.client_services import rules
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.client_services.selectors import (
    CLIENT_SERVICE_SORTS,
    SERVICE_DEFAULT_SORT,
    service_for_cancellation,
    service_get,
    service_list,
    services_visible_to,
)
from clientpanel.client_services.services import (
    CANCEL_AT_PERIOD_END,
    CANCEL_NOW,
    service_cancellation_request,
    service_cancellation_withdraw,
    service_order,
)
from clientpanel.client_services.shortfalls import OrderNotCovered, shortfall_of
from clientpanel.clients.permissions import MANAGE_INVOICES, MANAGE_ORDERS, MANAGE_SERVICES
from clientpanel.core.errors import DomainError, NotFound

from ..access import not_here, portal_page, shown_or_not_here
from ..forms import CancellationForm, OrderServiceForm, sent_once, show_refusal
from ..lists import ListQuery

CANCELLATION_CHOICES = {CANCEL_AT_PERIOD_END: gettext_lazy("At the end of the paid period"),
                        CANCEL_NOW: gettext_lazy("Now (time already paid is not refunded)")}
# A service never set up is given back what it was charged when it ends (client_services' ending).
CANCEL_NEVER_PROVISIONED = gettext_lazy("Now (it was never set up: what it was charged is given back)")
# The Services list's sortable columns (client_services.selectors.CLIENT_SERVICE_SORTS).
SERVICE_COLUMNS = [("ordered", gettext_lazy("Ordered")), ("price", gettext_lazy("Price")),
                   ("billed_until", gettext_lazy("Billed until"))]


@portal_page(MANAGE_SERVICES)
def services(request: HttpRequest) -> HttpResponse:
    """The client's services, newest order first, 25 a page: found by product or label, of one status
    (?status=ACTIVE; an unknown one lists them all, and says so), sorted by order date, price or the
    day they are billed until; the filter offers each status the client has services in, with their
    count; the pages keep all of it (portal/lists.py)."""
    query = ListQuery(request)
    search = query.search()
    status = query.choice("status", ServiceStatus.values, label=_("Status"))
    sorting, picker = query.sort(sorts=CLIENT_SERVICE_SORTS, default=SERVICE_DEFAULT_SORT, columns=SERVICE_COLUMNS)
    listed = service_list(actor=request.portal.actor, status=status, search=search, sort=sorting.value)
    page = Paginator(listed, 25).get_page(request.GET.get("page"))
    counts = dict(services_visible_to(request.portal.actor).values_list("status").annotate(n=Count("id")).order_by())
    statuses = [(value, label, counts.get(value, 0)) for value, label in ServiceStatus.choices
                if counts.get(value) or value == status]
    ending = {service.pk for service in page if rules.cancellation_pending(service)}
    return render(request, "portal/services.html", {
        "page": page, "client": request.portal.client, "ending": ending, "status": status, "statuses": statuses,
        "total": sum(counts.values()), "q": search, "sorting": sorting, "picker": picker, "kept": query.kept},
        status=query.status)


@portal_page(MANAGE_SERVICES)
def service(request: HttpRequest, service_id) -> HttpResponse:
    shown = shown_or_not_here(request, lambda: service_get(actor=request.portal.actor, service_id=service_id),
                              Service, service_id)
    ordering = request.portal.may(MANAGE_ORDERS)
    client = request.portal.client
    # Suspended for insufficient funds: what brings it back, to whoever sees the balance and adds funds.
    shortfall = shortfall_of(shown, client, now=timezone.now()) if request.portal.may(MANAGE_INVOICES) else None
    return render(request, "portal/service.html", {
        "service": shown, "client": client, "pending": rules.cancellation_pending(shown),
        "cancellable": ordering and rules.can_request_cancellation(shown),
        "withdrawable": ordering and rules.can_withdraw_cancellation(shown), "shortfall": shortfall})


@portal_page(MANAGE_ORDERS)
@require_http_methods(["GET", "POST"])
def order(request: HttpRequest) -> HttpResponse:
    client = request.portal.client
    products = products_for_client_order(currency=client.currency)
    form = OrderServiceForm(request.POST if request.method == "POST" else None, products=products)
    shortfall = None
    if request.method == "POST" and form.is_valid():
        try:
            # The service refuses hidden or retired products, other clients and anything beyond
            # balance plus credit limit; the portal never asks to order over the limit.
            ordered = sent_once(request, form.submission_key, lambda: service_order(
                actor=request.portal.actor, client_id=client.pk, product_id=form.product_of[form.cleaned_data["price"]],
                price_id=form.cleaned_data["price"]))
        except OrderNotCovered as error:
            if request.portal.may(MANAGE_INVOICES):  # what to add, and where, for whoever adds funds
                shortfall = error.shortfall
            show_refusal(form, error, {"product": "price"})
        except DomainError as error:
            show_refusal(form, error, {"product": "price"})
        else:
            messages.success(request, _order_outcome(ordered))
            if request.portal.may(MANAGE_SERVICES):
                return redirect("portal:service", service_id=ordered.pk)
            return redirect("portal:dashboard")
    return render(request, "portal/order.html", {"form": form, "products": products, "client": client,
                                                 "shortfall": shortfall})


def _order_outcome(ordered: Service) -> str:
    """What became of an order, as the service stands once the order is done: provisioning is queued
    when the order commits and may have run already (a module that answers at once), so the service
    is read again rather than assumed to be waiting."""
    ordered.refresh_from_db(fields=["status", "provision_status"])
    label = {"label": ordered.label}
    if ordered.status == ServiceStatus.ACTIVE:
        return _("Service %(label)s is ordered and active.") % label
    if ordered.provision_status == ProvisionStatus.ERROR:
        return _("Service %(label)s is ordered, but setting it up failed; our staff will try again.") % label
    return _("Service %(label)s is ordered; it is set up as soon as provisioning runs.") % label


@portal_page(MANAGE_ORDERS)
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, service_id) -> HttpResponse:
    shown = shown_or_not_here(request, lambda: service_for_cancellation(actor=request.portal.actor,
                                                                        service_id=service_id), Service, service_id)
    allowed = {CANCEL_AT_PERIOD_END: rules.can_be_cancelled_at_period_end(shown),
               CANCEL_NOW: rules.can_be_cancelled_now(shown)}
    refunded = rules.never_provisioned(shown)
    form = CancellationForm(request.POST if request.method == "POST" else None, choices=[
        (when, CANCEL_NEVER_PROVISIONED if refunded and when == CANCEL_NOW else text)
        for when, text in CANCELLATION_CHOICES.items() if allowed[when]])
    if request.method == "POST" and form.is_valid():
        try:
            ended = service_cancellation_request(actor=request.portal.actor, service_id=shown.pk,
                                                 when=form.cleaned_data["when"])
        except DomainError as error:
            show_refusal(form, error)
        else:
            lands_on_service = request.portal.may(MANAGE_SERVICES)
            if rules.cancellation_pending(ended):
                # The service's page says it in its notice (with Keep the service): said once, there.
                if not lands_on_service:
                    messages.success(request, _("Cancellation requested: the service ends on %(date)s.")
                                     % {"date": f"{timezone.localdate(ended.billed_until):%Y-%m-%d}"})
            elif refunded:
                messages.success(request, _("The service is cancelled; what it was charged is given back to "
                                            "your balance."))
            else:
                messages.success(request, _("The service is cancelled."))
            if lands_on_service:
                return redirect("portal:service", service_id=ended.pk)
            return redirect("portal:dashboard")
    return render(request, "portal/cancel.html", {"service": shown, "form": form, "client": request.portal.client,
                                                  "possible": rules.can_request_cancellation(shown),
                                                  "pending": rules.cancellation_pending(shown),
                                                  "withdrawable": rules.can_withdraw_cancellation(shown)})


@portal_page(MANAGE_ORDERS)
@require_POST
def keep(request: HttpRequest, service_id) -> HttpResponse:
    """Withdraw a cancellation at the end of the period: the service goes on and is billed as before."""
    try:
        kept = service_cancellation_withdraw(actor=request.portal.actor, service_id=service_id)
    except NotFound:
        not_here(request, Service, service_id)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("portal:service-cancel", service_id=service_id)
    messages.success(request, _("The cancellation is withdrawn; the service goes on."))
    if request.portal.may(MANAGE_SERVICES):
        return redirect("portal:service", service_id=kept.pk)
    return redirect("portal:dashboard")
