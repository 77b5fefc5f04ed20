"""Services: the client's Services tab, ordering a service and a service's page with its actions."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS, VIEW_CLIENTS
from clientpanel.catalog.modules import ModuleError, get_module
from clientpanel.client_services import rules as service_rules
from clientpanel.client_services import services as service_services
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.client_services.provision_errors import describe_message
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import DomainError, NotFound
from clientpanel.ui.forms import SENT_TWICE

from ..access import area_required
from ..forms.services import AddServiceForm
from ..query import query_text, refuses_bad_query
from .common import client_or_404, form_page, page_of, record_context, sent_once


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def client_services(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    search = query_text(request)
    services = client.services.select_related("product").order_by("-order_date")
    for word in search.split()[:4]:
        services = services.filter(Q(label__icontains=word) | Q(product__name__icontains=word)
                                   | Q(product__key__icontains=word) | Q(status__iexact=word))
    page = page_of(request, services, 25)
    return render(request, "backoffice/clients/services.html", record_context(request, client, "services") | {
        "page": page, "q": search, "kept": [("q", search)]})


# service_order's refusals that are about no one field (the rest concern the price chosen).
WHOLE_FORM_REFUSALS = (SENT_TWICE, "client_closed")


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def service_add(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    form = AddServiceForm(request.POST or None, client=client, initial={"product": request.GET.get("product", "")})
    if request.htmx and request.method == "GET" and request.GET.get("product") is not None:
        return render(request, "backoffice/services/_price_options.html", {"form": form})
    return form_page(
        request, form, "backoffice/services/add.html", record_context(request, client, "services"),
        save=lambda data: sent_once(request, form, lambda: service_services.service_order(
            actor=request.user, client_id=client.id, product_id=data["product"], price_id=data["price"],
            allow_over_limit=data["allow_over_limit"])),
        # The service's refusals concern the price chosen; the form sent twice or a client that takes
        # no orders (closed, fraud), the whole form: shown above it.
        refused=lambda error: form.add_error(None if error.code in WHOLE_FORM_REFUSALS else "price", error.message),
        success=lambda service: _("Service %(label)s ordered; provisioning runs as a job.") % {"label": service.label},
        then=lambda service: redirect("backoffice:client-services", client_id=client.id))


def _service_or_404(request: HttpRequest, service_id) -> Service:
    service = Service.objects.filter(pk=service_id, client__in=clients_visible_to(request.user)).select_related(
        "product", "client").first()
    if service is None:
        raise Http404("Service not found.")
    return service


CHARGES_PER_PAGE = 100


@area_required(VIEW_CLIENTS)
def service_detail(request: HttpRequest, service_id) -> HttpResponse:
    service = _service_or_404(request, service_id)
    try:
        module_actions = get_module(service.product.module).actions
    except ModuleError:
        module_actions = {}
    allows = {"suspend": service_rules.can_be_suspended(service),
              "unsuspend": service_rules.can_be_unsuspended(service),
              "terminate": service_rules.can_be_terminated(service), "retry": service_rules.can_be_retried(service),
              "module_actions": service_rules.runs_module_actions(service)}
    # Suspended for insufficient funds that still fall short: no Unsuspend that can only be refused,
    # its reason in the button's place.
    waits_for_funds = service_services.unsuspend_waits_for_funds(service, now=timezone.now()) \
        if allows["unsuspend"] else None
    allows["unsuspend"] = allows["unsuspend"] and not waits_for_funds
    # Every charge, a page at a time (?page=; the id a fixed order for a setup fee and a period starting
    # together): an hourly service has thousands within months.
    return render(request, "backoffice/services/detail.html", {
        "service": service, "client": service.client,
        "charges": page_of(request, service.charges.order_by("-period_start", "-id"), CHARGES_PER_PAGE),
        "events": service.provisioning_events.all()[:50], "module_actions": module_actions, "allows": allows,
        "waits_for_funds": waits_for_funds})


# The buttons of a service's page, as their outcome message names them.
SERVICE_OPERATIONS = {"suspend": gettext_lazy("Suspend"), "unsuspend": gettext_lazy("Unsuspend"),
                      "terminate": gettext_lazy("Terminate"), "retry": gettext_lazy("Retry provisioning")}


# Where each button means to take the service; its module's failure is shown as a warning too.
SERVICE_OPERATION_AIMS = {"suspend": ServiceStatus.SUSPENDED, "unsuspend": ServiceStatus.ACTIVE}


def _reached(action: str, service: Service) -> bool:
    return (service.provision_status != ProvisionStatus.ERROR
            and service.status == SERVICE_OPERATION_AIMS.get(action, service.status))


@area_required(EDIT_CLIENTS)
@require_POST
def service_do(request: HttpRequest, service_id, action: str) -> HttpResponse:
    service = _service_or_404(request, service_id)
    operations = {"suspend": service_services.service_suspend, "unsuspend": service_services.service_unsuspend,
                  "terminate": service_services.service_terminate, "retry": service_services.service_retry}
    try:
        if action in operations:
            operations[action](actor=request.user, service_id=service.pk)
            # As the action left it, read again: billing may have suspended an unsuspended service
            # at once, a module may have failed — the message never tells of a state that is gone.
            result = _service_or_404(request, service.pk)
            if action == "terminate" and result.status == ServiceStatus.CANCELLED:  # never set up (rules)
                messages.success(request, _("The service was never set up, so it is cancelled and what it was "
                                            "charged is given back to the balance."))
                return redirect("backoffice:service-detail", service_id=service.pk)
            (messages.success if _reached(action, result) else messages.warning)(request, _(
                "%(operation)s: the service is %(status)s, provisioning %(provisioning)s.") % {
                "operation": SERVICE_OPERATIONS[action], "status": result.get_status_display().lower(),
                "provisioning": result.get_provision_status_display().lower()})
        else:
            ok, message = service_services.service_action(actor=request.user, service_id=service.pk, action=action)
            (messages.success if ok else messages.error)(request, describe_message(message))
    except NotFound:
        raise Http404("Service not found.") from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("backoffice:service-detail", service_id=service.pk)
