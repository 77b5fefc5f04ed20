"""Documents: the client's Invoices tab, a document's page and its actions, PDFs, ZIP export and
Finance → Documents across clients; both lists' CSV exports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.actors import as_actor
from clientpanel.accounts.roles import FINANCE, VIEW_CLIENTS
from clientpanel.catalog import selectors as catalog_selectors
from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.core.money import format_amount_input
from clientpanel.einvoices.exporters import exporter_choices
from clientpanel.einvoices.selectors import awaiting_acceptance, einvoice_of, einvoice_profile_of
from clientpanel.einvoices.sending import sends_through_api
from clientpanel.invoicing import rules as document_rules
from clientpanel.invoicing import selectors as document_selectors
from clientpanel.invoicing import services as document_services
from clientpanel.invoicing.models import DocumentStatus, DocumentType
from clientpanel.invoicing.policies import can_issue_credit_notes
from clientpanel.invoicing.storage import documents_zip
from clientpanel.ledger.models import LedgerEntry
from clientpanel.payments.models import GatewayRefund, RefundStatus
from clientpanel.payments.refunds import credit_note_with_gateway_refund, gateway_refund_send, refundable_attempt
from clientpanel.ui.downloads import attachment, document_pdf_attachment
from clientpanel.ui.exports import DOCUMENT_COLUMNS

from ..access import area_required
from ..feedback import run_and_report
from ..forms.finance import (
    AddFundsForm,
    CreditNoteForm,
    PaymentForm,
    line_items,
    lines_with_errors,
    new_line,
    proforma_lines,
)
from ..query import query_text, refuses_bad_query
from .common import client_or_404, csv_export, form_page, found_or_404, go_to, page_of, record_context, reload_page


def _document_or_404(request: HttpRequest, document_id):
    return found_or_404(lambda: document_selectors.document_get(actor=request.user, document_id=document_id),
                        "Document not found.")


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
    return form_page(
        request, AddFundsForm(request.POST or None, currency=client.currency),
        "backoffice/documents/_add_funds_form.html", {"client": client},
        save=lambda data: document_services.proforma_add_funds(actor=request.user, client_id=client.id,
                                                               net_amount=data["net_amount"]),
        success=lambda document: _("Proforma %(number)s issued: %(total)s %(currency)s.") % {
            "number": document.number, "total": document.total, "currency": document.currency},
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
    if request.method == "POST":
        try:
            document = document_services.proforma_issue(actor=request.user, client_id=client.id,
                                                        items=line_items(lines))
        except ValidationFailed as refused:
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
        "products": catalog_selectors.products_for_staff_order(currency=client.currency),
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
    document = _document_or_404(request, document_id)
    zone = document.home_company.zone
    with timezone.override(zone):  # a document's dates read in its home company's time zone
        return render(request, "backoffice/documents/detail.html", {
            "document": document, "client": document.client, "items": document.items.all(),
            "payments": document.payments.order_by("paid_at"), "derived": document.derived.order_by("created_at"),
            "entries": LedgerEntry.objects.filter(document_id=document.pk).order_by("sequence"), "zone": zone,
            "allows": {"pay": document_rules.takes_payment(document),
                       "cancel": document_rules.can_be_cancelled(document),
                       "credit": document_rules.can_be_credited(document)},
            "gateway_refund": GatewayRefund.objects.select_related("attempt").filter(credit_note=document).first()
            if document.type == DocumentType.CREDIT_NOTE else None,
            "allows_refund_retry": can_issue_credit_notes(as_actor(request.user)),
            **_einvoice_context(document),
        })


def _einvoice_context(document) -> dict:
    einvoice, profile = einvoice_of(document), einvoice_profile_of(document.home_company)
    company_format = profile.format if profile else ""
    return {"einvoice": einvoice, "einvoice_format": company_format, "einvoice_sends": sends_through_api(profile),
            "einvoice_title": dict(exporter_choices()).get(einvoice.format if einvoice else company_format, "")}


def _action_response(request: HttpRequest, document) -> HttpResponse:
    return go_to(request, reverse("backoffice:document-detail", args=[document.pk]))


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def document_pay(request: HttpRequest, document_id) -> HttpResponse:
    document = _document_or_404(request, document_id)
    due = format_amount_input(document.amount_due, document.currency)
    form = PaymentForm(request.POST or None, initial={"amount": due}, currency=document.currency)
    # A time typed without a zone is the home company's local time.
    with timezone.override(document.home_company.zone):
        valid = request.method == "POST" and form.is_valid()
    if valid:
        try:
            outcome = document_services.proforma_pay(actor=request.user, document_id=document.pk,
                                                     **{k: v for k, v in form.cleaned_data.items() if v})
        except DomainError as error:
            form.apply_errors(error)
        else:
            payment = outcome.payment
            if outcome.created:
                messages.success(request, _("Payment of %(amount)s %(currency)s recorded.") % {
                    "amount": format_amount_input(payment.gross), "currency": document.currency})
            else:
                messages.info(request, _("Payment %(transaction_id)s of %(amount)s %(currency)s was already recorded "
                                         "on %(date)s (entry #%(sequence)s); nothing new was posted.") % {
                    "transaction_id": payment.transaction_id, "amount": format_amount_input(payment.gross),
                    "currency": document.currency, "date": f"{payment.created_at:%Y-%m-%d}",
                    "sequence": outcome.entry_sequence})
            return _action_response(request, document)
    return render(request, "backoffice/documents/_payment_form.html", {"document": document, "form": form})


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def document_credit_note(request: HttpRequest, document_id) -> HttpResponse:
    document = _document_or_404(request, document_id)
    paid_online = refundable_attempt(document)
    form = CreditNoteForm(request.POST or None, currency=document.currency, gateway_refund=paid_online is not None)

    def issue(data: dict):
        if data.pop("refund_through_gateway", False):
            outcome, refund = credit_note_with_gateway_refund(
                actor=request.user, invoice_id=document.pk, net_amount=data["net_amount"], reason=data["reason"],
                transaction_id=data.get("transaction_id", ""))
            if refund.status == RefundStatus.SUCCEEDED:
                messages.success(request, _("The money went back through the gateway (refund %(id)s).") % {
                    "id": refund.refund_id})
            else:
                messages.error(request, _("The credit note is issued, but the gateway refused the refund: "
                                          "%(reason)s Retry it from the credit note's page.") % {
                    "reason": refund.error})
            return outcome
        return document_services.credit_note_issue(actor=request.user, invoice_id=document.pk, **data)

    def issued(outcome) -> HttpResponse:
        note = outcome.note
        if outcome.created:
            messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
        else:
            messages.info(request, _("Credit note %(number)s was already issued for this transaction ID on "
                                     "%(date)s; nothing new was posted.") % {
                "number": note.number, "date": f"{note.issue_date:%Y-%m-%d}"})
        return _action_response(request, note)

    return form_page(request, form, "backoffice/documents/_credit_note_form.html",
                     {"document": document, "paid_online": paid_online},
                     save=issue, refused=form.apply_errors, then=issued)


@area_required(FINANCE)
@require_POST
def document_gateway_refund_retry(request: HttpRequest, document_id) -> HttpResponse:
    """Ask the gateway again for a credit note's refund it refused or did not answer."""
    note = _document_or_404(request, document_id)
    refund = GatewayRefund.objects.filter(credit_note=note).first()
    if refund is None:
        raise Http404("No refund through a gateway for this document.")
    refund = gateway_refund_send(refund_id=refund.pk, actor=request.user)
    if refund.status == RefundStatus.SUCCEEDED:
        messages.success(request, _("The money went back through the gateway (refund %(id)s).") % {
            "id": refund.refund_id})
    else:
        messages.error(request, _("The gateway refused the refund again: %(reason)s") % {"reason": refund.error})
    return redirect("backoffice:document-detail", document_id=note.pk)


@area_required(FINANCE)
@require_POST
def document_cancel(request: HttpRequest, document_id) -> HttpResponse:
    document = _document_or_404(request, document_id)
    run_and_report(request, lambda: document_services.proforma_cancel(actor=request.user, document_id=document.pk),
                   success=_("Proforma %(number)s cancelled.") % {"number": document.number},
                   missing=_("That document no longer exists."))
    return redirect("backoffice:document-detail", document_id=document.pk)


@area_required(VIEW_CLIENTS)
def document_pdf_view(request: HttpRequest, document_id) -> HttpResponse:
    """The PDF stored when the document was issued (never rendered anew)."""
    document = _document_or_404(request, document_id)
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
    documents = document_selectors.document_list(actor=request.user, **filters)
    awaiting = request.GET.get("einvoice") == "awaiting"
    if awaiting:
        documents = awaiting_acceptance(documents)
    page = page_of(request, documents, 50)
    return render(request, "backoffice/finance/documents.html", {
        "page": page, "filters": filters, "types": DocumentType.choices, "statuses": DocumentStatus.choices,
        "kept": _kept(filters) + ([("einvoice", "awaiting")] if awaiting else []), "einvoice_awaiting": awaiting,
        "einvoice_filter": True})


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
        listed = document_selectors.document_list(actor=request.user, **_filters(request))
        return awaiting_acceptance(listed) if request.GET.get("einvoice") == "awaiting" else listed

    return csv_export(request, documents, columns=DOCUMENT_COLUMNS, stem="documents",
                      back_to=reverse("backoffice:finance-documents"))
