"""Finance → Bank statements (issue 15): the uploaded statements, the upload, and a statement's
review — each line with the proforma it matched, another chosen, a line set aside, and "Record the
matched payments". Staff with Finance who see every client (payments.bank.policies); the work is
payments.bank's, these views parse, call and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientpanel.accounts.roles import FINANCE
from clientpanel.automation.background import background_task_start
from clientpanel.core.errors import DomainError, NotFound
from clientpanel.payments import bank
from clientpanel.payments.models import BankLineStatus
from clientpanel.tax.models import HomeCompany
from clientpanel.ui.uploads import FileSizeLimit, upload_limited

from ..access import policy_required
from .common import page_of

LINES_PER_PAGE = 50
STATEMENTS_PER_PAGE = 25


_bank_page = policy_required(FINANCE, bank.can_import_bank_statements,
                             "Bank statements need the Finance area and every client.")


def _statement_or_404(request: HttpRequest, statement_id):
    try:
        return bank.bank_statement_get(actor=request.user, statement_id=statement_id)
    except NotFound:
        raise Http404("No such bank statement.") from None


@_bank_page
@require_GET
def bank_statement_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, bank.bank_statement_list(actor=request.user), STATEMENTS_PER_PAGE)
    return render(request, "backoffice/finance/bank_statements/list.html", {"page": page, "kept": []})


@_bank_page
@require_http_methods(["GET", "POST"])
@upload_limited(bank.max_bytes)
def bank_statement_upload(request: HttpRequest, upload_limit: FileSizeLimit) -> HttpResponse:
    errors: list[str] = []
    chosen = {"home_company": request.POST.get("home_company", ""), "currency": request.POST.get("currency", "")}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if "file" in upload_limit.too_large:
            errors = [bank.too_large_message()]
        elif upload is None:
            errors = [_("Choose the statement's CSV file.")]
        elif not upload.size:
            errors = [_("The file is empty.")]
        else:
            try:
                # The options first, on the form: a worker's page is no place to say a field is wrong.
                bank.bank_statement_options_clean(chosen["home_company"] or None, chosen["currency"])
                stored_name = bank.bank_statement_file_keep(actor=request.user, data=upload.read())
            except DomainError as refused:
                errors = [message for messages_ in refused.fields.values() for message in messages_] \
                    or [refused.message]
            else:
                # Read, matched and stored by a worker: a statement of thousands of bookings takes
                # longer than a page may wait. The task's page shows its progress, then the result.
                task = background_task_start(bank.UPLOAD_KIND, requested_by=request.user, arguments={
                    "actor_id": str(request.user.pk), "stored_name": stored_name, "name": upload.name[-255:],
                    "home_company_id": chosen["home_company"] or None, "currency": chosen["currency"]})
                return redirect("backoffice:background-task", task_id=task.pk)
    return render(request, "backoffice/finance/bank_statements/upload.html", {
        "errors": errors, "chosen": chosen, "companies": HomeCompany.objects.order_by("name"),
        "currencies": settings.CLIENTPANEL_CURRENCIES, "columns": bank.column_names(),
        "max_megabytes": bank.max_bytes() // (1024 * 1024)}, status=422 if errors else 200)


def _filters(request: HttpRequest) -> tuple[str, str]:
    status = request.GET.get("status", "")
    return (status if status in (*BankLineStatus.values, "RECORDABLE") else ""), request.GET.get("page", "")


@_bank_page
@require_GET
def bank_statement_detail(request: HttpRequest, statement_id) -> HttpResponse:
    statement = _statement_or_404(request, statement_id)
    status, _page = _filters(request)
    page = page_of(request, bank.bank_statement_lines(statement=statement, status=status), LINES_PER_PAGE)
    lines = list(page)
    open_lines = [line for line in lines if line.status != BankLineStatus.RECORDED and line.amount > 0]
    suggestions = bank.proformas_due(open_lines, statement.home_company_id)
    rows = [{"line": line, "suggestions": [d for d in suggestions.get((line.currency, line.amount), [])
                                           if d.pk != line.document_id]} for line in lines]
    totals = bank.bank_statement_totals(statement)
    tabs = [("", _("All"), statement.line_count)] + [
        (value, label, totals[value]) for value, label in BankLineStatus.choices]
    return render(request, "backoffice/finance/bank_statements/detail.html", {
        "statement": statement, "page": page, "rows": rows, "status": status, "tabs": tabs, "totals": totals,
        "kept": [("status", status)] if status else [], "back": request.get_full_path(),
        "refused": {"line": request.GET.get("refused_line", ""), "number": request.GET.get("number", "")[:100]}})


def _back_to(request: HttpRequest, statement_id, refused: dict | None = None) -> HttpResponse:
    """The statement's page the form was posted from (its filter and page kept); after a refused
    choice, with the line and the number typed, shown again in its field."""
    url = reverse("backoffice:finance-bank-statement", args=[statement_id])
    query = {name: request.POST[name] for name in ("status", "page") if request.POST.get(name)} | (refused or {})
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@_bank_page
@require_POST
def bank_line_choose(request: HttpRequest, statement_id, line_id: int) -> HttpResponse:
    try:
        line = bank.bank_line_choose(actor=request.user, statement_id=statement_id, line_id=line_id,
                                     document_id=request.POST.get("document") or None,
                                     number=request.POST.get("number", ""))
    except NotFound:
        raise Http404("No such line.") from None
    except DomainError as refused:
        messages.error(request, refused.message)
        typed = request.POST.get("number", "").strip()[:100]
        return _back_to(request, statement_id, {"refused_line": line_id, "number": typed} if typed else None)
    else:
        messages.success(request, _("Line %(line)d pays %(number)s.") % {"line": line.position,
                                                                         "number": line.document.number})
    return _back_to(request, statement_id)


@_bank_page
@require_POST
def bank_line_ignore(request: HttpRequest, statement_id, line_id: int) -> HttpResponse:
    try:
        line = bank.bank_line_ignore(actor=request.user, statement_id=statement_id, line_id=line_id)
    except NotFound:
        raise Http404("No such line.") from None
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Line %(line)d is ignored.") % {"line": line.position})
    return _back_to(request, statement_id)


@_bank_page
@require_POST
def bank_statement_record(request: HttpRequest, statement_id) -> HttpResponse:
    statement = _statement_or_404(request, statement_id)
    # Each payment settles a proforma and issues its invoice: thousands take a worker, with progress.
    # Two presses record each line once (proforma_pay posts once per transaction ID).
    task = background_task_start(bank.RECORD_KIND, requested_by=request.user, arguments={
        "actor_id": str(request.user.pk), "statement_id": str(statement.pk)})
    return redirect("backoffice:background-task", task_id=task.pk)
