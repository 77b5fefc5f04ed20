"""Clients → Services: every service the staff member sees, by status and provisioning status
(the dashboard's service figures link here), sorted by its headers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from clientpanel.accounts.roles import VIEW_CLIENTS
from clientpanel.client_services.models import ProvisionStatus, ServiceStatus
from clientpanel.client_services.selectors import SERVICE_DEFAULT_SORT, SERVICE_SORTS
from clientpanel.client_services.selectors import service_list as services_of
from clientpanel.ui.sorting import list_sort

from ..access import area_required
from ..query import query_text, refuses_bad_query
from .common import page_of

SERVICE_COLUMNS = [("ordered", gettext_lazy("Order Date")), ("activated", gettext_lazy("Activation Date")),
                   ("price", gettext_lazy("Price"))]


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def service_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    provision_status = request.GET.get("provision_status", "")
    filters = {"status": status if status in ServiceStatus.values else "",
               "provision_status": provision_status if provision_status in ProvisionStatus.values else "",
               "search": query_text(request)}
    # A sort the list does not offer: its default order, and the reason above it (as the directory).
    sorting = list_sort(query=request.GET, sorts=SERVICE_SORTS, default=SERVICE_DEFAULT_SORT, columns=SERVICE_COLUMNS)
    page = page_of(request, services_of(actor=request.user, sort=sorting.value, **filters), 50)
    return render(request, "backoffice/services/list.html", {
        "page": page, "filters": filters, "statuses": ServiceStatus.choices,
        "provision_statuses": ProvisionStatus.choices, "sorting": sorting,
        "kept": [("status", filters["status"]), ("provision_status", filters["provision_status"]),
                 ("q", filters["search"]), ("sort", sorting.value)]})
