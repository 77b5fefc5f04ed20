"""Ledger transactions: the client's Transactions tab with its manual transaction modal, and
Finance → Transactions across clients; both lists' CSV exports."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import FINANCE, VIEW_CLIENTS
from clientpanel.client_services.selectors import entry_service_names
from clientpanel.core.money import reader_amount
from clientpanel.ledger import selectors as ledger_selectors
from clientpanel.ledger import services as ledger_services
from clientpanel.payments import rules as payment_rules
from clientpanel.payments import selectors as payment_selectors
from clientpanel.payments import services as payment_services
from clientpanel.ui.exports import ENTRY_COLUMNS
from clientpanel.ui.sorting import list_sort

from ..access import area_required
from ..feedback import run_and_report
from ..forms.finance import ManualTransactionForm
from ..query import query_text, refuses_bad_query
from .common import client_or_404, csv_export, form_page, page_of, record_context, reload_page, sent_once

FINANCE_PAGE_SIZE = 50
ONLINE_PAYMENTS_SHOWN = 20  # the client's latest online payment attempts, above its ledger


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def client_transactions(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    search = query_text(request)
    try:
        page_size = int(request.GET.get("page_size", 25))
    except ValueError:
        page_size = 25
    page_size = page_size if page_size in (10, 25, 50, 100) else 25
    page = page_of(request, ledger_selectors.client_entries(client=client, search=search,
                                                                   names=entry_service_names()), page_size)
    attempts = list(payment_selectors.client_attempts(client=client)[:ONLINE_PAYMENTS_SHOWN])
    now = timezone.now()
    return render(request, "backoffice/clients/transactions.html", record_context(request, client, "transactions") | {
        "page": page, "q": search, "page_size": page_size, "kept": [("q", search), ("page_size", page_size)],
        "attempts": attempts,
        # Refunds and disputes made at the gateway, outside the panel: each attempt's (most have none).
        "reversals": {a.pk: [] for a in attempts} | {notice.attempt.pk: [notice] for notice in
                                                     payment_selectors.reversal_notices(attempts=attempts)},
        "resolvable": {a.pk for a in attempts if payment_rules.can_be_resolved_by_staff(a, now)}})


@area_required(FINANCE)
@require_http_methods(["GET", "POST"])
def client_transaction_create(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    form = ManualTransactionForm(request.POST or None)

    def posted(outcome) -> HttpResponse:
        entry, created = outcome
        if created:
            messages.success(request, _("Transaction #%(sequence)s posted: %(net)s.") % {
                "sequence": entry.sequence, "net": reader_amount(entry.net, client.currency)})
        else:
            messages.info(request, _("Transaction ID %(transaction_id)s was posted before (#%(sequence)s); "
                                     "nothing new was posted.") % {
                "transaction_id": entry.transaction_id, "sequence": entry.sequence})
        return reload_page(request, "backoffice:client-transactions", client_id=client.id)

    return form_page(
        request, form, "backoffice/clients/_transaction_form.html", {"client": client},
        save=lambda _data: sent_once(request, form, lambda: ledger_services.manual_transaction_create(
            actor=request.user, client_id=client.id, **form.service_data)),
        refused=lambda error: form.add_error("amount" if "amount" in error.fields else None, error.message),
        then=posted)


@area_required(FINANCE)
@refuses_bad_query
def finance_transactions(request: HttpRequest) -> HttpResponse:
    """Every entry across the clients the staff member sees, newest first (or oldest, by its Date
    header), 50 a page: Previous and Next carry a cursor (where the page ends) with the search, type
    and sort, and the count stops at 1,000 (ledger.selectors.entries_page). A cursor not made by this
    list shows the first page."""
    search = query_text(request)
    kind = request.GET.get("type", "")
    cursor = request.GET.get("cursor") or None
    # A sort the list does not offer: its default order, and the reason above it (as the directory).
    sorting = list_sort(query=request.GET, sorts=ledger_selectors.ENTRY_SORTS,
                        default=ledger_selectors.ENTRY_DEFAULT_SORT, columns=[("date", gettext_lazy("Date"))])
    find = functools.partial(ledger_selectors.entries_page, request.user, search=search, type=kind,
                             names=entry_service_names(), page_size=FINANCE_PAGE_SIZE, sort=sorting.value)
    error = sorting.error
    try:
        page = find(cursor=cursor)
    except ValueError as refused:
        error, cursor, page = str(refused), None, find(cursor=None)
    # The default order needs no word in the links (they read as before sorting was offered).
    kept = {"q": search, "type": kind, "sort": "" if sorting.value == ledger_selectors.ENTRY_DEFAULT_SORT
            else sorting.value}

    def url_with(**changes) -> str:
        query = {name: value for name, value in (kept | changes).items() if value}
        return "?" + urlencode(query) if query else "?"

    return render(request, "backoffice/finance/transactions.html", {
        "page": page, "q": search, "type": kind, "error": error, "sorting": sorting, "sort": kept["sort"],
        "next_url": url_with(cursor=page.next_cursor) if page.next_cursor else None,
        "prev_url": url_with(cursor=page.previous_cursor) if page.previous_cursor else None,
        "first_url": url_with() if cursor else None,
        "export_url": reverse("backoffice:finance-transactions-export") + "?" + urlencode(kept)})


@area_required(VIEW_CLIENTS)
def client_transactions_export(request: HttpRequest, client_id) -> HttpResponse:
    """The client's Transactions tab as CSV: every entry its search finds, all pages."""
    client = client_or_404(request, client_id)
    return csv_export(request, lambda: ledger_selectors.client_entries(client=client, search=query_text(request),
                                                                       names=entry_service_names()),
                      columns=ENTRY_COLUMNS, stem=f"{client.number}-transactions",
                      back_to=reverse("backoffice:client-transactions", args=[client.id]))


@area_required(FINANCE)
def finance_transactions_export(request: HttpRequest) -> HttpResponse:
    """Finance → Transactions as CSV: every entry its search and type find, all pages."""
    return csv_export(request, lambda: ledger_selectors.entries_visible_to(
        request.user, search=query_text(request), type=request.GET.get("type", ""), names=entry_service_names(),
        sort=request.GET.get("sort", "")),
        columns=ENTRY_COLUMNS, stem="transactions", back_to=reverse("backoffice:finance-transactions"))


@area_required(FINANCE)
@require_POST
def client_payment_resolve(request: HttpRequest, client_id, attempt_id) -> HttpResponse:
    """A held online payment settled by hand: staff say how (payments.services.attempt_resolve)."""
    client = client_or_404(request, client_id)
    if not client.payment_attempts.filter(pk=attempt_id).exists():
        raise Http404("No such payment.")
    run_and_report(request, lambda: payment_services.attempt_resolve(
        actor=request.user, attempt_id=attempt_id, note=request.POST.get("note", "")[:400]),
        success=_("The payment is marked resolved."), missing=_("No such payment."))
    return redirect("backoffice:client-transactions", client_id=client.pk)
