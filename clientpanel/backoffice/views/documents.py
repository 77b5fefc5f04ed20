"""Documents: the client's Invoices tab, a document's page and its actions, PDFs, ZIP export and
Finance → Documents across clients; both lists' CSV exports."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.actors import as_actor
from clientpanel.accounts.roles import FINANCE, VIEW_CLIENTS
from clientpanel.catalog import selectors as catalog_selectors
from clientpanel.core.errors import Conflict, ValidationFailed
from clientpanel.core.money import reader_amount
from clientpanel.einvoices import rules as einvoice_rules
from clientpanel.einvoices.exporters import exporter_choices
from clientpanel.einvoices.selectors import awaiting_acceptance, einvoice_of, einvoice_profile_of
from clientpanel.einvoices.sending import sends_through_api
from clientpanel.invoicing import rules as document_rules
from clientpanel.invoicing import selectors as document_selectors
from clientpanel.invoicing import services as document_services
from clientpanel.invoicing.models import DocumentStatus, DocumentType
from clientpanel.invoicing.pdf.tax_currency import rate_sentence, vat_in_tax_currency
from clientpanel.invoicing.policies import can_issue_credit_notes
from clientpanel.invoicing.storage import documents_zip
from clientpanel.ledger import selectors as ledger_selectors
from clientpanel.payments.models import GatewayRefund
from clientpanel.payments.selectors import payments_settling, reversal_notices
from clientpanel.ui.downloads import attachment, document_pdf_attachment
from clientpanel.ui.exports import DOCUMENT_COLUMNS
from clientpanel.ui.forms import SentOnceForm
from clientpanel.ui.sorting import list_sort

from ..access import area_required
from ..forms.finance import (
    AddFundsForm,
    line_items,
    lines_with_errors,
    new_line,
    proforma_lines,
)
from ..query import query_text, refuses_bad_query
from .common import (
    client_or_404,
    csv_export,
    document_or_404,
    form_page,
    page_of,
    record_context,
    reload_page,
    sent_once,
)

# Finance → Documents' sortable headers, in the table's order (invoicing.selectors.DOCUMENT_SORTS).
DOCUMENT_SORT_COLUMNS = [("number", gettext_lazy("Number")), ("issue_date", gettext_lazy("Issue Date")),
                         ("due_date", gettext_lazy("Due Date")), ("total", gettext_lazy("Total")),
                         ("status", gettext_lazy("Status"))]


def _filters(request: HttpRequest) -> dict:
    return {"type": request.GET.get("type", "") if request.GET.get("type") in DocumentType.values else "",
            "status": request.GET.get("status", "") if request.GET.get("status") in DocumentStatus.values else "",
            "search": query_text(request), "overdue": request.GET.get("overdue") == "1"}


def _kept(filters: dict) -> list[tuple[str, str]]:
    return [("type", filters["type"]), ("status", filters["status"]), ("q", filters["search"]),
            *([("overdue", "1")] if filters["overdue"] else [])]


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def client_invoices(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    filters = _filters(request)
    documents = document_selectors.document_list(actor=request.user, client=client, **filters)
    page = page_of(request, documents, 25)
    return render(request, "backoffice/clients/invoices.html", record_context(request, client, "invoices") | {
        "page": page, "filters": filters, "types": DocumentType.choices, "statuses": DocumentStatus.choices,
        "kept": _kept(filters)})


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def add_funds(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    form = AddFundsForm(request.POST or None, currency=client.currency)
    return form_page(
        request, form, "backoffice/documents/_add_funds_form.html", {"client": client},
        save=lambda data: sent_once(request, form, lambda: document_services.proforma_add_funds(
            actor=request.user, client_id=client.id, net_amount=data["net_amount"])),
        success=lambda document: _("Proforma %(number)s issued: %(total)s.") % {
            "number": document.number, "total": reader_amount(document.total, document.currency)},
        then=lambda document: reload_page(request, "backoffice:client-invoices", client_id=client.id))


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def proforma_create(request: HttpRequest, client_id) -> HttpResponse:
    """The proforma editor: a grid of lines (a product's price or free text, quantity, unit price,
    top-up), previewed with the client's taxes as staff type (proforma_preview), issued by the same
    service and validation as the API's."""
    client = client_or_404(request, client_id)
    lines = proforma_lines(request.POST) if request.method == "POST" else [new_line(1)]
    errors: dict[str, list[str]] = {}
    once = SentOnceForm(request.POST or None)  # the page's one-time key (shown again with the errors)
    if request.method == "POST":
        try:
            if not once.is_valid():
                raise ValidationFailed(once.non_field_errors()[0])
            document = sent_once(request, once, lambda: document_services.proforma_issue(
                actor=request.user, client_id=client.id, items=line_items(lines)))
        except (ValidationFailed, Conflict) as refused:
            errors = refused.fields or {"items": [refused.message]}
        else:
            messages.success(request, _("Proforma %(number)s issued.") % {"number": document.number})
            return redirect("backoffice:document-detail", document_id=document.id)
    preview, _problems = document_selectors.proforma_preview(actor=request.user, client_id=client.id,
                                                            items=line_items(lines))
    context = record_context(request, client, "invoices")
    response = render(request, "backoffice/documents/proforma_form.html", context | {
        "lines": lines_with_errors(lines, errors, preview.nets if preview else None),
        "item_errors": errors.get("items", []), "preview": preview,
        "products": catalog_selectors.products_for_staff_order(currency=client.currency), "once": once,
        "next_line": max((line["id"] for line in lines), default=0) + 1})
    if errors:
        response.status_code = 400
    return response


@area_required(FINANCE)
@require_POST
def proforma_preview(request: HttpRequest, client_id) -> HttpResponse:
    """The editor's totals as staff type (htmx): each line's net, the tax per rate, the total, and
    what is wrong with a line."""
    client = client_or_404(request, client_id)
    lines = proforma_lines(request.POST)
    preview, problems = document_selectors.proforma_preview(actor=request.user, client_id=client.id,
                                                            items=line_items(lines))
    return render(request, "backoffice/documents/_proforma_totals.html", {
        "client": client, "preview": preview,
        "lines": lines_with_errors(lines, problems, preview.nets if preview else None),
        "item_errors": problems.get("items", [])})


@area_required(VIEW_CLIENTS)
def document_detail(request: HttpRequest, document_id) -> HttpResponse:
    document = document_or_404(request, document_id)
    zone = document.zone  # the zone it was numbered and dated in (its snapshot), not the company's today
    with timezone.override(zone):  # a document's dates read in its home company's time zone
        return render(request, "backoffice/documents/detail.html", {
            "document": document, "client": document.client, "items": document.items.all(),
            "payments": document.payments.order_by("paid_at"), "derived": document.derived.order_by("created_at"),
            "entries": ledger_selectors.document_entries(client_id=document.client_id, document_id=document.pk),
            "zone": zone,
            "allows": {"pay": document_rules.takes_payment(document),
                       "cancel": document_rules.can_be_cancelled(document),
                       "partly_paid": document_rules.partly_paid(document),
                       "credit": document_rules.can_be_credited(document)},
            "gateway_refund": GatewayRefund.objects.select_related("attempt").filter(credit_note=document).first()
            if document.type == DocumentType.CREDIT_NOTE else None,
            "allows_refund_retry": can_issue_credit_notes(as_actor(request.user)),
            # Refunds and disputes made at the gateway, outside the panel: staff are to record them.
            "reversals": reversal_notices(document=document),
            # An online payment of it still settling: held for staff's review, or processing at the gateway.
            "settling": payments_settling([document]).get(document.pk),
            # A Polish company's foreign-currency invoice: its VAT in złoty, as its KSeF file (and its
            # PDF, when the rate was known at issue) carries it.
            **_tax_currency_context(document),
            **_einvoice_context(document),
        })


def _tax_currency_context(document) -> dict:
    figures = vat_in_tax_currency(document)
    return {"vat_in_tax_currency": figures, "vat_rate_sentence": rate_sentence(
        figures, currency=document.currency, locale=translation.to_locale(translation.get_language() or "en"))
        if figures else ""}


def _einvoice_context(document) -> dict:
    """The e-invoice card: the e-invoice made, or whether one can be made now (einvoices.rules —
    the format making would write, not merely the company's) and if not, the true reason. No card
    where neither the company nor the client chose a format (nothing about e-invoices applies)."""
    einvoice, profile = einvoice_of(document), einvoice_profile_of(document.home_company)
    # Asked of one not made (yet) or that could not be made: its button, or why it cannot be made.
    unmade = einvoice is None or einvoice.status == "FAILED"
    makeable = einvoice_rules.einvoice_makeable(document, einvoice) if unmade else None
    shown = einvoice is not None or makeable.refusal not in (einvoice_rules.NOT_ISSUED, einvoice_rules.NO_FORMAT)
    return {"einvoice": einvoice, "einvoice_card": shown, "einvoice_makeable": makeable,
            "einvoice_sends": sends_through_api(profile),
            "einvoice_title": dict(exporter_choices()).get(
                einvoice.format if einvoice else makeable.format_key, "")}


@area_required(VIEW_CLIENTS)
def document_pdf_view(request: HttpRequest, document_id) -> HttpResponse:
    """The PDF stored when the document was issued (never rendered anew)."""
    document = document_or_404(request, document_id)
    return document_pdf_attachment(request, document, back_to=reverse("backoffice:document-detail",
                                                                       args=[document.pk]))


@area_required(VIEW_CLIENTS)
def client_documents_zip(request: HttpRequest, client_id) -> HttpResponse:
    """Perfex's "Export": the client's documents of one status (or all) as a ZIP of PDFs."""
    client = client_or_404(request, client_id)
    filters = _filters(request)
    documents = list(document_selectors.document_list(actor=request.user, client=client, **filters)[:500])
    return attachment(request, lambda: documents_zip(documents), content_type="application/zip",
                     filename=f"{client.number}-documents.zip",
                     back_to=reverse("backoffice:client-invoices", args=[client.id]))


@area_required(FINANCE)
@refuses_bad_query
def finance_documents(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    # A sort the list does not offer: its default order, and the reason above it (as the directory).
    sorting = list_sort(query=request.GET, sorts=document_selectors.DOCUMENT_SORTS,
                        default=document_selectors.DOCUMENT_DEFAULT_SORT, columns=DOCUMENT_SORT_COLUMNS)
    documents = document_selectors.document_list(actor=request.user, sort=sorting.value, **filters)
    awaiting = request.GET.get("einvoice") == "awaiting"
    if awaiting:
        documents = awaiting_acceptance(documents)
    page = page_of(request, documents, 50)
    return render(request, "backoffice/finance/documents.html", {
        "page": page, "filters": filters, "types": DocumentType.choices, "statuses": DocumentStatus.choices,
        "kept": _kept(filters) + ([("einvoice", "awaiting")] if awaiting else []) + [("sort", sorting.value)],
        "einvoice_awaiting": awaiting, "einvoice_filter": True, "sorting": sorting})


@area_required(VIEW_CLIENTS)
def client_invoices_export(request: HttpRequest, client_id) -> HttpResponse:
    """The client's Invoices tab as CSV: every document its filters list, all pages."""
    client = client_or_404(request, client_id)
    return csv_export(request, lambda: document_selectors.document_list(actor=request.user, client=client,
                                                                        **_filters(request)),
                      columns=DOCUMENT_COLUMNS, stem=f"{client.number}-documents",
                      back_to=reverse("backoffice:client-invoices", args=[client.id]))


@area_required(FINANCE)
def finance_documents_export(request: HttpRequest) -> HttpResponse:
    """Finance → Documents as CSV: every document its filters list, all pages."""
    def documents():
        listed = document_selectors.document_list(actor=request.user, sort=request.GET.get("sort", ""),
                                                  **_filters(request))
        return awaiting_acceptance(listed) if request.GET.get("einvoice") == "awaiting" else listed

    return csv_export(request, documents, columns=DOCUMENT_COLUMNS, stem="documents",
                      back_to=reverse("backoffice:finance-documents"))
