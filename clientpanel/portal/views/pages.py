"""The portal's pages for the selected client, each behind its permission key (SPEC §3): the
dashboard, invoices (with their PDFs and Add Funds) and transactions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from clientpanel.client_services.selectors import entry_service_names, services_visible_to, upcoming_charges
from clientpanel.client_services.shortfalls import shortfalls
from clientpanel.clients.permissions import MANAGE_INVOICES, MANAGE_SERVICES
from clientpanel.clients.selectors import client_tax_decision
from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.core.money import format_amount_input, parse_currency_amount
from clientpanel.einvoices.selectors import einvoice_of
from clientpanel.invoicing import rules
from clientpanel.invoicing.add_funds_limits import portal_limits
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.selectors import DOCUMENT_SORTS, document_list, documents_of_the_sale, documents_visible_to
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.selectors import CLIENT_ENTRY_SORTS, ENTRY_DEFAULT_SORT, entries_visible_to
from clientpanel.payments.selectors import online_gateways, payable_online, saved_methods_offered
from clientpanel.ui.downloads import document_pdf_attachment, einvoice_attachment

from ..access import not_here, portal_page
from ..forms import AddFundsForm, sent_once
from ..lists import ListQuery
from .payments import start_paying

COVER_DAYS = 30  # "what the balance covers" looks this far ahead


@portal_page()
def dashboard(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    client = portal.client
    context = {"client": client, "company": client_tax_decision(client).home_company}
    if portal.may(MANAGE_INVOICES):
        now = timezone.now()
        monthly = upcoming_charges(client_ids=[client.pk], now=now, until=now + dt.timedelta(days=COVER_DAYS))
        unpaid = list(documents_visible_to(portal.actor).filter(status=DocumentStatus.UNPAID).order_by("due_date")[:10])
        context |= {"unpaid": unpaid, "payable": _payment_states(unpaid), "upcoming": monthly.get(client.pk),
                    "cover_days": COVER_DAYS}
        # Services suspended for insufficient funds and what brings them back (the credit job's rule).
        context["shortfalls"], context["all_shortfall"] = shortfalls(client, now=now)
        context["service_links"] = portal.may(MANAGE_SERVICES)
    if portal.may(MANAGE_SERVICES):
        context["service_counts"] = dict(services_visible_to(portal.actor).values_list("status")
                                         .annotate(n=Count("id")).order_by())
    return render(request, "portal/dashboard.html", context)


# The Invoices list's filters (a portal user never sees a draft) and sortable columns (DOCUMENT_SORTS).
DOCUMENT_STATUSES = [(value, label) for value, label in DocumentStatus.choices if value != DocumentStatus.DRAFT]
OVERDUE = "OVERDUE"  # a status of the filter only: unpaid past the due date (document_list's `overdue`)
DOCUMENT_COLUMNS = [("issue_date", gettext_lazy("Issue date")), ("due_date", gettext_lazy("Due date")),
                    ("total", gettext_lazy("Total"))]


@portal_page(MANAGE_INVOICES)
def invoices(request: HttpRequest) -> HttpResponse:
    """The client's documents, newest first, 25 a page: found by number, of one type, of one status
    (or overdue), sorted by issue date, due date or total; the pages keep all of it (portal/lists.py)."""
    query = ListQuery(request)
    search = query.search()
    document_type = query.choice("type", DocumentType.values, label=_("Type"))
    status = query.choice("status", [*(value for value, _label in DOCUMENT_STATUSES), OVERDUE], label=_("Status"))
    sorting, picker = query.sort(sorts=DOCUMENT_SORTS, default="-issue_date", columns=DOCUMENT_COLUMNS)
    documents = document_list(actor=request.portal.actor, search=search, type=document_type, sort=sorting.value,
                              status="" if status == OVERDUE else status, overdue=status == OVERDUE)
    page = Paginator(documents, 25).get_page(request.GET.get("page"))
    return render(request, "portal/invoices.html", {
        "page": page, "client": request.portal.client, "payable": _payment_states(page.object_list),
        "q": search, "type": document_type, "status": status, "types": DocumentType.choices,
        "statuses": [*DOCUMENT_STATUSES, (OVERDUE, pgettext_lazy("document status", "Overdue"))],
        "filtered": bool(search or document_type or status), "sorting": sorting, "picker": picker, "kept": query.kept},
        status=query.status)


def _payment_states(documents) -> set:
    """The ids of the listed documents the portal offers to pay online now; each document gets
    `settling`, the status of a payment of it still settling (its row says why it offers no Pay,
    portal/_payment_settling.html) — the invoices list's and the dashboard's rows alike."""
    payable, settling = payable_online(documents)
    for document in documents:
        document.settling = settling.get(document.pk)
    return payable


def _document(request: HttpRequest, document_id):
    """One of the selected client's documents; another client's, or one the user may not see, is a 404."""
    try:
        return documents_visible_to(request.portal.actor).select_related("home_company").get(pk=document_id)
    except Document.DoesNotExist:
        not_here(request, Document, document_id)


@portal_page(MANAGE_INVOICES)
def document(request: HttpRequest, document_id) -> HttpResponse:
    shown = _document(request, document_id)
    einvoice = einvoice_of(shown)
    online, settling_of = payable_online([shown])
    payable, settling = shown.pk in online, settling_of.get(shown.pk)  # settling: its payment's status
    by_transfer = rules.pays_by_transfer(shown, settling=bool(settling))
    return render(request, "portal/document.html", {"document": shown, "items": shown.items.order_by("position"),
                                                    "client": request.portal.client, "payable": payable,
                                                    "saved_methods": saved_methods_offered(
                                                        request.portal.actor, shown) if payable else [],
                                                    "document_as_list": [shown],
                                                    "settling": settling, "by_transfer": by_transfer,
                                                    # no way offered, nor a payment on its way: ask to be told how
                                                    "ask_how_to_pay": not (payable or by_transfer or settling),
                                                    "einvoice": einvoice if einvoice and einvoice.sha256 else None,
                                                    # the proforma, its invoice and the credit notes the user may open
                                                    "sale": documents_of_the_sale(actor=request.portal.actor,
                                                                                  document=shown)})


@portal_page(MANAGE_INVOICES)
def document_pdf(request: HttpRequest, document_id) -> HttpResponse:
    shown = _document(request, document_id)
    return document_pdf_attachment(request, shown, back_to=reverse("portal:document", args=[shown.pk]))


@portal_page(MANAGE_INVOICES)
def document_einvoice(request: HttpRequest, document_id) -> HttpResponse:
    """The structured e-invoice (KSeF, UBL, CII, Factur-X) made when the document was issued."""
    shown = _document(request, document_id)
    einvoice = einvoice_of(shown)
    if einvoice is None or not einvoice.sha256:
        raise Http404("This document has no e-invoice.")
    return einvoice_attachment(request, einvoice, shown, back_to=reverse("portal:document", args=[shown.pk]))


@portal_page(MANAGE_INVOICES)
@require_http_methods(["GET", "POST"])
def add_funds(request: HttpRequest) -> HttpResponse:
    """Add Funds. The form starts with the amount a link asks for (?amount=19.47: what a suspended
    service lacks), else with what brings back the services suspended for insufficient funds."""
    client = request.portal.client
    each, together = shortfalls(client, now=timezone.now())
    wanted = together or (each[0] if len(each) == 1 else None)
    form = AddFundsForm(request.POST if request.method == "POST" else None, initial={
        "amount": _asked_amount(request.GET.get("amount"), client.currency) or (wanted.top_up if wanted else "")})
    if request.method == "POST" and form.is_valid():
        try:
            proforma = sent_once(request, form.submission_key, lambda: proforma_add_funds(
                actor=request.portal.actor, client_id=request.portal.client.pk, net_amount=form.cleaned_data["amount"]))
        except ValidationFailed as error:
            for message in error.fields.get("net_amount", [error.message]):
                form.add_error("amount", message)
        except DomainError as error:  # sent already
            form.add_error(None, error.message)
        else:
            if "pay_now" in request.POST and payable_online([proforma])[0]:
                # The form's key is spent on the proforma: the payment is part of the same sending.
                return start_paying(request, [str(proforma.pk)])
            if rules.pays_by_transfer(proforma):
                messages.success(request, _("Proforma %(number)s is issued; pay it by bank transfer with its number "
                                            "as the title.") % {"number": proforma.number})
            else:
                messages.success(request, _("Proforma %(number)s is issued.") % {"number": proforma.number})
            return redirect("portal:document", document_id=proforma.pk)
    company = client_tax_decision(client).home_company
    online = bool(online_gateways(home_company_id=company.pk, currency=client.currency))
    return render(request, "portal/add_funds.html", {"form": form, "client": client, "type": DocumentType,
                                                     "online": online, "limits": portal_limits(client.currency),
                                                     "by_transfer": rules.takes_bank_transfers(company.bank_details),
                                                     "shortfalls": each, "all_shortfall": together,
                                                     "service_links": request.portal.may(MANAGE_SERVICES)})


def _asked_amount(value: str | None, currency: str) -> str:
    """The amount a link asks Add Funds for, as the form shows it ("19.47"); nothing unless it is a
    positive amount in the currency's decimals (the service checks the limits when it is sent)."""
    try:
        amount = parse_currency_amount(value, currency, allow_negative=False)
    except ValueError:
        return ""
    return format_amount_input(amount, currency) if amount > 0 else ""


ENTRY_COLUMNS = [("date", gettext_lazy("Date")), ("amount", gettext_lazy("Amount"))]


@portal_page(MANAGE_INVOICES)
def transactions(request: HttpRequest) -> HttpResponse:
    """The client's ledger, newest first, 50 a page; its search finds the words as the page shows them
    (and transaction IDs); sorted by date or amount; the pages keep both (portal/lists.py)."""
    query = ListQuery(request)
    search = query.search()
    sorting, picker = query.sort(sorts=CLIENT_ENTRY_SORTS, default=ENTRY_DEFAULT_SORT, columns=ENTRY_COLUMNS)
    entries = entries_visible_to(request.portal.actor, search=search, names=entry_service_names(), sort=sorting.value)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "portal/transactions.html", {"page": page, "client": request.portal.client, "q": search,
                                                        "sorting": sorting, "picker": picker, "kept": query.kept},
                  status=query.status)
