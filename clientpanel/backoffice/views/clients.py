"""Clients: the directory (and its CSV export), creating a client, and the client record's Summary, Profile (with the
addresses) and Activity tabs."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS, SETTINGS, VIEW_CLIENTS, has_area
from clientpanel.audit.selectors import audit_events
from clientpanel.clients import rules as client_rules
from clientpanel.clients import selectors as client_selectors
from clientpanel.clients import services as client_services
from clientpanel.clients.models import AddressType, ClientStatus
from clientpanel.clients.tasks import vies_check_task
from clientpanel.clients.validation import subdivisions_of
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import format_amount_input
from clientpanel.core.pagination import PAGE_SIZES
from clientpanel.invoicing.selectors import amount_owing
from clientpanel.ledger.selectors import paid_to_date
from clientpanel.ui.audit_values import audit_names_attach
from clientpanel.ui.exports import CLIENT_COLUMNS
from clientpanel.ui.forms import SUBMISSION
from clientpanel.ui.labels import country_choices

from ..access import area_required
from ..feedback import run_and_report
from ..forms.clients import AddressForm, ClientCreateForm, ClientProfileForm, QuickCreateForm
from ..query import query_text, refuses_bad_query
from .common import (
    client_or_404,
    csv_export,
    form_page,
    found_or_404,
    go_to,
    page_of,
    record_context,
    reload_page,
    sent_once,
)

DIRECTORY_COLUMNS = [
    ("owner_email", gettext_lazy("Owner")), ("display_name", gettext_lazy("Client")),
    ("status", gettext_lazy("Status")), ("located", gettext_lazy("Located")),
    ("created_at", gettext_lazy("Created")), ("balance", gettext_lazy("Balance")),
]


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def client_list(request: HttpRequest) -> HttpResponse:
    params = {
        "q": query_text(request, max_length=None),
        "status": request.GET.get("status", ""),
        "country": request.GET.get("country", ""),
        "group": request.GET.get("group", ""),
        "sort": request.GET.get("sort", "-created_at"),
    }
    try:
        page_size = int(request.GET.get("page_size", 25))
    except ValueError:
        page_size = 25
    if page_size not in PAGE_SIZES:
        page_size = 25
    error = None
    try:
        page = client_selectors.client_directory(
            actor=request.user, search=params["q"], status=params["status"] or None,
            country=params["country"] or None, group=params["group"] or None, sort=params["sort"],
            page_size=page_size,
            cursor=request.GET.get("cursor") or None,
        )
    except ValidationFailed as failure:
        error = " ".join(m for ms in failure.fields.values() for m in ms) or failure.message
        params["sort"] = "-created_at"
        page = client_selectors.client_directory(actor=request.user, page_size=page_size)
    current, descending = client_selectors.parse_sort(params["sort"])
    # By its column's name ("created" is "created_at"): the phone's picker, the headers and the filter form agree.
    params["sort"] = f"-{current}" if descending else current
    base = {k: v for k, v in params.items() if v} | {"page_size": page_size}

    def url_with(**changes) -> str:
        query = {**base, **changes}
        return "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})

    columns = []
    for key, label in DIRECTORY_COLUMNS:
        active = key == current
        next_sort = key if (active and descending) else f"-{key}" if active else key
        columns.append({"key": key, "label": label, "active": active, "descending": descending,
                        "url": url_with(sort=next_sort, cursor=None)})
    context = {
        "page": page, "params": params, "page_size": page_size, "page_sizes": PAGE_SIZES, "columns": columns,
        "statuses": ClientStatus.choices, "countries": country_choices(), "error": error,
        # Names only: group_list also counts each group's clients, a scan of the whole directory.
        "group_choices": client_selectors.group_names(),
        "next_url": url_with(cursor=page.next_cursor) if page.next_cursor else None,
        "prev_url": url_with(cursor=page.previous_cursor) if page.previous_cursor else None,
        "first_url": url_with(cursor=None) if request.GET.get("cursor") else None,
        "export_url": reverse("backoffice:client-list-export") + url_with(cursor=None, page_size=None),
    }
    template = "backoffice/clients/_directory.html" if request.htmx else "backoffice/clients/list.html"
    return render(request, template, context)


@area_required(VIEW_CLIENTS)
def client_list_export(request: HttpRequest) -> HttpResponse:
    """Every client the directory lists for its search, filters and sort (all pages) as CSV."""
    return csv_export(request, lambda: client_selectors.client_directory_rows(
        actor=request.user, search=query_text(request, max_length=None), status=request.GET.get("status") or None,
        country=request.GET.get("country") or None, group=request.GET.get("group") or None,
        sort=request.GET.get("sort") or None,
    ), columns=CLIENT_COLUMNS, stem="clients", back_to=reverse("backoffice:client-list"))


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientCreateForm(request.POST or None, initial={"status": ClientStatus.NEW})
    return form_page(request, form, "backoffice/clients/create.html",
                     save=lambda data: sent_once(request, form, lambda: _create(request, form)),
                     mapping=ClientCreateForm.ERROR_MAPPING, success=_created, check=lambda data: _check(request, form),
                     then=lambda client: redirect("backoffice:client-summary", client_id=client.id))


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_quick_create(request: HttpRequest) -> HttpResponse:
    form = QuickCreateForm(request.POST or None, prefix="quick")
    return form_page(request, form, "backoffice/clients/_quick_create_form.html", {"quick_form": form},
                     save=lambda data: sent_once(request, form, lambda: _create(request, form)),
                     mapping={"billing_address.country": "country"},
                     success=_created, check=lambda data: _check(request, form),
                     then=lambda client: go_to(request, reverse("backoffice:client-summary", args=[client.id])))


def _create(request: HttpRequest, form):
    """A client from the Add New Client page or the top bar's quick form (both hold its owner and
    billing address, and whether to send the welcome e-mail); each made once per showing of the
    form (its one-time key, claimed by the caller through sent_once)."""
    return client_services.client_create(actor=request.user, data=form.service_data,
                                         send_welcome_email=form.cleaned_data["send_welcome_email"])


def _check(request: HttpRequest, form) -> None:
    """What client_create would refuse in what the form let through (its own checks failed)."""
    client_services.client_create_check(actor=request.user, data=form.service_data)


def _created(client) -> str:
    return _("Client %(number)s %(name)s created.") % {"number": client.number, "name": client.display_name}


@area_required(VIEW_CLIENTS)
def client_summary(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    return render(request, "backoffice/clients/summary.html", record_context(request, client, "summary") | {
        "decision": client_selectors.client_tax_decision(client), "paid_to_date": paid_to_date(client=client),
        "amount_owing": amount_owing(client=client), "vies_checkable": client_services.vies_checkable(client),
        "welcome_possible": client_rules.portal_open(client.status)})


@area_required(VIEW_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_profile(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    if request.method == "POST" and not has_area(request.user, EDIT_CLIENTS):
        raise PermissionDenied("Your role does not include editing clients.")
    initial = {name: getattr(client, name) for name in ClientProfileForm.base_fields if hasattr(client, name)}
    initial["credit_limit"] = format_amount_input(client.credit_limit)
    initial["group"] = client.group_id or ""
    for flag in ("tax_exempt", "reminders_enabled"):
        initial[flag] = {None: "", True: "true", False: "false"}[getattr(client, flag)]
    return form_page(
        request, ClientProfileForm(request.POST or None, initial=initial, currency=client.currency,
                                   statuses=client_selectors.status_choices_for(client)),
        "backoffice/clients/profile.html", record_context(request, client, "profile") | {
            "addresses": client_selectors.client_addresses(client=client),
            "effective": client_selectors.effective_settings(client)},
        save=lambda data: client_services.client_update(actor=request.user, client_id=client.id, data=data),
        check=lambda data: client_services.client_update_check(actor=request.user, client_id=client.id, data=data),
        success=_("Profile saved."), then=lambda saved: redirect("backoffice:client-profile", client_id=saved.id))


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, client_id, address_id=None) -> HttpResponse:
    """The address modal: GET renders the form, POST saves it (re-rendering with errors). A new
    address is made once per showing of the modal (its one-time key); an edit sent twice sets the same."""
    client = client_or_404(request, client_id)
    address = None
    if address_id is not None:
        address = found_or_404(lambda: client_selectors.address_get(client=client, address_id=address_id),
                               "Address not found.")
    is_billing = address is not None and address.type == AddressType.BILLING
    initial = {"type": AddressType.SHIPPING, "country": client.billing_country}
    if address is not None:
        initial = {name: getattr(address, name) for name in AddressForm.base_fields if name != SUBMISSION}
    form = AddressForm(request.POST or None, initial=initial, is_billing=is_billing)

    def save(_cleaned: dict):
        data = {k: v for k, v in form.service_data.items() if not (is_billing and k == "type")}
        if address is None:
            return sent_once(request, form, lambda: client_services.address_create(
                actor=request.user, client_id=client.id, data=data))
        return client_services.address_update(actor=request.user, client_id=client.id, address_id=address.id,
                                              data=data)

    # A refusal that is not about a field (the client's addresses are at their limit, the address was
    # deleted meanwhile) shows above the form (form_page), not as a 500.
    return form_page(request, form, "backoffice/clients/_address_form.html", {"client": client, "address": address},
                     save=save, success=_("Address saved."),
                     then=lambda saved: reload_page(request, "backoffice:client-profile", client_id=client.id))


@area_required(EDIT_CLIENTS)
@require_POST
def address_delete(request: HttpRequest, client_id, address_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    run_and_report(request, lambda: client_services.address_delete(actor=request.user, client_id=client.id,
                                                                   address_id=address_id),
                   success=_("Address deleted."), missing=_("That address no longer exists."))
    return reload_page(request, "backoffice:client-profile", client_id=client.id)


@area_required(VIEW_CLIENTS, SETTINGS)
def region_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the country's subdivisions, for the State/Region input's suggestions: in the
    client forms and in Settings → Home Companies, whose staff may hold no client area."""
    country = request.GET.get("country") or request.GET.get("billing_country") or ""
    return render(request, "ui/_region_options.html",
                  {"regions": subdivisions_of(country.upper()[:2]) if country else ()})


@area_required(EDIT_CLIENTS)
@require_POST
def client_welcome_email(request: HttpRequest, client_id) -> HttpResponse:
    """Summary → Send welcome e-mail: queued now, sent once this commits."""
    client = client_or_404(request, client_id)
    run_and_report(request, lambda: client_services.client_welcome_send(actor=request.user, client_id=client.pk),
                   success=_("Welcome e-mail to %(email)s queued.") % {"email": client.owner.email},
                   missing=_("Client not found."))
    return redirect("backoffice:client-summary", client_id=client.pk)


@area_required(EDIT_CLIENTS)
@require_POST
def client_vies_check(request: HttpRequest, client_id) -> HttpResponse:
    """Queue a VIES check; the job records the answer (never checked inside a request)."""
    client = client_or_404(request, client_id)
    if not client.tax_id:
        messages.error(request, _("This client has no tax ID to check."))
    elif not client_services.vies_checkable(client):
        messages.error(request, _("VIES checks the VAT numbers of EU businesses only: this client is not billed "
                                  "in an EU country with an EU VAT number."))
    else:
        transaction.on_commit(lambda: vies_check_task(str(client.pk)))
        messages.info(request, _("VIES check queued; the status updates when the job has run."))
    return redirect("backoffice:client-summary", client_id=client.pk)


@area_required(VIEW_CLIENTS)
def client_activity(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    page = page_of(request, audit_events(client_id=client.id), 25)
    page.object_list = audit_names_attach(page.object_list)
    return render(request, "backoffice/clients/activity.html", record_context(request, client, "activity") | {
        "page": page})
