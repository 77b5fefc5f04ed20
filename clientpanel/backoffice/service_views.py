"""Services (the client's Services tab and a service's page), the Products area and Settings →
Automation."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS, PRODUCTS, SETTINGS, VIEW_CLIENTS
from clientpanel.catalog import services as catalog_services
from clientpanel.catalog.models import Product
from clientpanel.catalog.modules import ModuleError, get_module
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import DomainError, NotFound, ValidationFailed
from clientpanel.core.models import JobRun
from clientpanel.services import rules as service_rules
from clientpanel.services import services as service_services
from clientpanel.services.models import Service

from . import labels
from .access import area_required
from .forms import AddServiceForm, PriceForm, ProductForm
from .query import query_text, refuses_bad_query
from .views import _client_or_404, _record_context


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def client_services(request: HttpRequest, client_id) -> HttpResponse:
    client = _client_or_404(request, client_id)
    search = query_text(request)
    services = client.services.select_related("product").order_by("-order_date")
    for word in search.split()[:4]:
        services = services.filter(Q(label__icontains=word) | Q(product__name__icontains=word)
                                   | Q(product__key__icontains=word) | Q(status__iexact=word))
    page = Paginator(services, 25).get_page(request.GET.get("page"))
    return render(request, "backoffice/clients/services.html", _record_context(request, client, "services") | {
        "page": page, "q": search})


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def service_add(request: HttpRequest, client_id) -> HttpResponse:
    client = _client_or_404(request, client_id)
    form = AddServiceForm(request.POST or None, client=client, initial={"product": request.GET.get("product", "")})
    if request.htmx and request.method == "GET" and request.GET.get("product") is not None:
        return render(request, "backoffice/services/_price_options.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        try:
            service = service_services.service_order(
                actor=request.user, client_id=client.id, product_id=form.cleaned_data["product"],
                price_id=form.cleaned_data["price"], allow_over_limit=form.cleaned_data["allow_over_limit"])
        except ValidationFailed as error:
            form.apply_errors(error)
        except DomainError as error:
            form.add_error("price", error.message)
        else:
            messages.success(request, _("Service %(label)s ordered; provisioning runs as a job.") % {
                "label": service.label})
            return redirect("backoffice:client-services", client_id=client.id)
    return render(request, "backoffice/services/add.html", _record_context(request, client, "services") | {
        "form": form})


def _service_or_404(request: HttpRequest, service_id) -> Service:
    service = Service.objects.filter(pk=service_id, client__in=clients_visible_to(request.user)).select_related(
        "product", "client").first()
    if service is None:
        raise Http404("Service not found.")
    return service


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
    return render(request, "backoffice/services/detail.html", {
        "service": service, "client": service.client, "charges": service.charges.all()[:100],
        "events": service.provisioning_events.all()[:50], "module_actions": module_actions, "allows": allows})


# The buttons of a service's page, as their outcome message names them.
SERVICE_OPERATIONS = {"suspend": gettext_lazy("Suspend"), "unsuspend": gettext_lazy("Unsuspend"),
                      "terminate": gettext_lazy("Terminate"), "retry": gettext_lazy("Retry provisioning")}


@area_required(EDIT_CLIENTS)
@require_POST
def service_do(request: HttpRequest, service_id, action: str) -> HttpResponse:
    service = _service_or_404(request, service_id)
    operations = {"suspend": service_services.service_suspend, "unsuspend": service_services.service_unsuspend,
                  "terminate": service_services.service_terminate, "retry": service_services.service_retry}
    try:
        if action in operations:
            result = operations[action](actor=request.user, service_id=service.pk)
            messages.success(request, _("%(operation)s: the service is %(status)s, provisioning %(provisioning)s.") % {
                "operation": SERVICE_OPERATIONS[action], "status": result.get_status_display().lower(),
                "provisioning": result.get_provision_status_display().lower()})
        else:
            ok, message = service_services.service_action(actor=request.user, service_id=service.pk, action=action)
            (messages.success if ok else messages.error)(request, message)
    except NotFound:
        raise Http404("Service not found.") from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("backoffice:service-detail", service_id=service.pk)


@area_required(PRODUCTS)
def product_list(request: HttpRequest) -> HttpResponse:
    products = Product.objects.prefetch_related("prices").order_by("retired", "name")
    return render(request, "backoffice/products/list.html", {"products": products})


@area_required(PRODUCTS)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id=None) -> HttpResponse:
    product = Product.objects.filter(pk=product_id).first() if product_id else None
    if product_id and product is None:
        raise Http404("Product not found.")
    initial = {"module": "manual", "termination_delay_hours": 48, "cancellation_delay_hours": 48}
    if product is not None:
        initial = {name: getattr(product, name) for name in ProductForm.base_fields}
        initial["module_settings"] = json.dumps(product.module_settings) if product.module_settings else ""
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = catalog_services.product_save(actor=request.user, data=form.cleaned_data, product_id=product_id)
        except ValidationFailed as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Product %(name)s saved.") % {"name": saved.name})
            return redirect("backoffice:product-edit", product_id=saved.pk)
    return render(request, "backoffice/products/edit.html", {
        "form": form, "product": product, "prices": product.prices.all() if product else [],
        "price_form": PriceForm(initial={"setup_fee": "0"})})


@area_required(PRODUCTS)
@require_POST
def price_add(request: HttpRequest, product_id) -> HttpResponse:
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            catalog_services.price_save(actor=request.user, product_id=product_id, data=form.cleaned_data)
        except NotFound:
            raise Http404("Product not found.") from None
        except DomainError as error:
            details = " ".join(f"{field}: {m}" for field, ms in error.fields.items() for m in ms)
            messages.error(request, f"{error.message} {details}".strip())
        else:
            messages.success(request, _("Price added."))
    else:
        problems = "; ".join(f"{form.fields[k].label if k in form.fields else k}: {v[0]}"
                             for k, v in form.errors.items())
        messages.error(request, _("Check the price: %(problems)s") % {"problems": problems})
    return redirect("backoffice:product-edit", product_id=product_id)


@area_required(PRODUCTS)
@require_POST
def product_retire(request: HttpRequest, product_id) -> HttpResponse:
    try:
        product = catalog_services.product_retire(actor=request.user, product_id=product_id)
    except NotFound:
        raise Http404("Product not found.") from None
    messages.success(request, _("%(name)s is retired: no new orders; its services go on.") % {"name": product.name})
    return redirect("backoffice:product-list")


@area_required(SETTINGS)
def automation(request: HttpRequest) -> HttpResponse:
    jobs = []
    for name, job in service_services.JOBS.items():
        runs = list(JobRun.objects.filter(name=name)[:10])
        jobs.append({"name": name, "doc": " ".join(line.strip() for line in (job.__doc__ or "").splitlines()),
                     "runs": runs,
                     "last": runs[0] if runs else None})
    return render(request, "backoffice/settings/automation.html", {"jobs": jobs})


@area_required(SETTINGS)
@require_POST
def automation_run_now(request: HttpRequest, name: str) -> HttpResponse:
    from clientpanel.services.tasks import run_job_task

    if name not in service_services.JOBS:
        raise Http404("No such job.")
    run_job_task(name)
    messages.success(request, _("%(job)s queued; its run appears below when a worker has done it.") % {
        "job": labels.JOB_TITLES.get(name, name)})
    return redirect("backoffice:automation")


