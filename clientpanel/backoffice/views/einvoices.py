"""A document's e-invoice in the staff panel (issue 16): download the file made at issue, make one
that could not be made again (after the missing rate is entered), record the KSeF number of a file
sent to KSeF by hand. The work is einvoices'; these views parse, call and redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientpanel.accounts.roles import FINANCE, SETTINGS, VIEW_CLIENTS
from clientpanel.core.errors import DomainError, NotFound, ValidationFailed
from clientpanel.einvoices import configuration as einvoice_configuration
from clientpanel.einvoices import nbp
from clientpanel.einvoices import services as einvoice_services
from clientpanel.einvoices.exporters import exporter_choices
from clientpanel.einvoices.models import KsefEnvironment
from clientpanel.einvoices.selectors import einvoice_of, einvoice_profile_of, vat_exchange_rates
from clientpanel.einvoices.storage import einvoice_upo_content
from clientpanel.invoicing import selectors as document_selectors
from clientpanel.tax.models import HomeCompany
from clientpanel.ui.downloads import attachment, einvoice_attachment

from ..access import area_required
from ..feedback import run_and_report
from .common import found_or_404, go_to, page_of

RATES_PER_PAGE = 50


def _back(document_id) -> str:
    return reverse("backoffice:document-detail", args=[document_id])


@area_required(VIEW_CLIENTS)
@require_GET
def einvoice_download(request: HttpRequest, document_id) -> HttpResponse:
    document = _visible_document(request, document_id)
    einvoice = einvoice_of(document)
    if einvoice is None:
        raise Http404("This document has no e-invoice.")
    return einvoice_attachment(request, einvoice, document, back_to=_back(document.pk))


def _visible_document(request: HttpRequest, document_id):
    """The document, or a 404 when the staff member does not see it (another client's, a limited
    member's unassigned one) — before any service is asked."""
    return found_or_404(lambda: document_selectors.document_get(actor=request.user, document_id=document_id),
                        "Document not found.")


@area_required(FINANCE)
@require_POST
def einvoice_make_again(request: HttpRequest, document_id) -> HttpResponse:
    document_id = _visible_document(request, document_id).pk
    run_and_report(request, lambda: einvoice_services.einvoice_make_again(actor=request.user, document_id=document_id),
                   success=lambda made: _("The e-invoice is made.") if made.status != "FAILED"
                   else _("The e-invoice still cannot be made: %(reason)s") % {"reason": made.reader_error},
                   missing=_("Document not found."))
    return go_to(request, _back(document_id))


@area_required(FINANCE)
@require_POST
def einvoice_send(request: HttpRequest, document_id) -> HttpResponse:
    document_id = _visible_document(request, document_id).pk
    run_and_report(request, lambda: einvoice_services.einvoice_send_again(actor=request.user, document_id=document_id),
                   success=_("The e-invoice will be sent to KSeF in a moment."), missing=_("Document not found."))
    return go_to(request, _back(document_id))


@area_required(VIEW_CLIENTS)
@require_GET
def einvoice_upo(request: HttpRequest, document_id) -> HttpResponse:
    """KSeF's official receipt (UPO) of the document's e-invoice."""
    document = _visible_document(request, document_id)
    einvoice = einvoice_of(document)
    if einvoice is None or not einvoice.upo_name:
        raise Http404("This document has no KSeF receipt.")
    return attachment(request, lambda: einvoice_upo_content(einvoice), content_type="application/xml",
                      filename=f"UPO-{einvoice.ksef_number or document.pk}.xml", back_to=_back(document.pk))


@area_required(FINANCE)
@require_POST
def einvoice_ksef_number(request: HttpRequest, document_id) -> HttpResponse:
    document_id = _visible_document(request, document_id).pk
    run_and_report(request, lambda: einvoice_services.einvoice_ksef_number_record(
        actor=request.user, document_id=document_id, ksef_number=request.POST.get("ksef_number", "")[:100]),
        success=_("KSeF number recorded."), missing=_("Document not found."))
    return go_to(request, _back(document_id))


# The e-invoice settings' fields, as the service names them (einvoice_profile_save).
PROFILE_FIELDS = ("format", "ksef_environment", "ksef_token_env", "vat_exemption_basis")


@area_required(SETTINGS)
@require_http_methods(["GET", "POST"])
def einvoice_profile(request: HttpRequest, company_id: int) -> HttpResponse:
    """A home company's e-invoice settings (a card on its settings page). Saved, back to that page;
    refused field by field, this form again on a page of its own, each field's reason under it and
    what was typed kept (a flash message naming fields said nothing and lost the typing)."""
    company = get_object_or_404(HomeCompany, pk=company_id)
    back = reverse("backoffice:home-company-edit", args=[company.pk]) + "#einvoice-card"
    if request.method == "GET":
        return _einvoice_settings_page(request, company)
    typed = {"format": request.POST.get("format", "")[:40],
             "ksef_environment": request.POST.get("ksef_environment", "")[:20],
             "ksef_token_env": request.POST.get("ksef_token_env", "")[:120],
             "vat_exemption_basis": request.POST.get("vat_exemption_basis", "")[:300],
             "split_payment": request.POST.get("split_payment") == "on"}
    try:
        einvoice_configuration.einvoice_profile_save(
            actor=request.user, company_id=company.pk, format_key=typed["format"],
            ksef_environment=typed["ksef_environment"], ksef_token_env=typed["ksef_token_env"],
            vat_exemption_basis=typed["vat_exemption_basis"], split_payment=typed["split_payment"])
    except NotFound:
        messages.error(request, _("Home company not found."))
    except ValidationFailed as refused:
        if not refused.fields:
            messages.error(request, refused.message)
        else:
            return _einvoice_settings_page(request, company, typed=typed, errors=refused.fields)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("E-invoice format saved."))
    return go_to(request, back)


def _einvoice_settings_page(request: HttpRequest, company: HomeCompany, *, typed: dict | None = None,
                            errors: dict[str, list[str]] | None = None) -> HttpResponse:
    errors = errors or {}
    return render(request, "backoffice/settings/einvoice_settings.html", {
        "company": company, "einvoice_profile": einvoice_profile_of(company), "einvoice_formats": exporter_choices(),
        "ksef_environments": KsefEnvironment.choices, "einvoice_typed": typed, "einvoice_errors": errors,
        # A refusal not of one of the form's fields (none today): said above the form.
        "einvoice_other_errors": [message for field, field_messages in errors.items()
                                  if field not in PROFILE_FIELDS for message in field_messages]},
        status=422 if errors else 200)


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def vat_exchange_rate_list(request: HttpRequest) -> HttpResponse:
    """Finance → Tax exchange rates: the rates that put a foreign-currency invoice's VAT in złoty
    (NBP table A of the last working day before issue), entered by staff, newest first."""
    errors: dict[str, list[str]] = {}
    typed = {name: request.POST.get(name, "")[:60] for name in ("currency", "day", "rate", "table")}
    if request.method == "POST":
        try:
            saved = einvoice_configuration.vat_exchange_rate_save(actor=request.user, **typed)
        except DomainError as refused:
            errors = refused.fields or {"": [refused.message]}
        else:
            messages.success(request, _("Rate of %(currency)s for %(day)s saved.") % {
                "currency": saved.currency, "day": saved.day.isoformat()})
            return go_to(request, reverse("backoffice:finance-vat-rates"))
    currency = request.GET.get("currency", "").strip().upper()[:3]
    page = page_of(request, vat_exchange_rates(currency=currency if currency.isalpha() else ""), RATES_PER_PAGE)
    return render(request, "backoffice/finance/vat_rates.html", {
        "page": page, "errors": errors, "typed": typed if errors else {}, "currency": currency},
        status=422 if errors else 200)


@area_required(FINANCE)
@require_POST
def vat_exchange_rates_fetch(request: HttpRequest) -> HttpResponse:
    """"Fetch from NBP": the last working day's table A, where the network allows."""
    run_and_report(request, lambda: nbp.vat_exchange_rates_fetch(actor=request.user),
                   success=lambda done: ngettext("%(count)d rate of %(day)s fetched from NBP.",
                                                 "%(count)d rates of %(day)s fetched from NBP.", done[1])
                   % {"count": done[1], "day": done[0].isoformat()},
                   missing=_("NBP has no such table."))
    return go_to(request, reverse("backoffice:finance-vat-rates"))
