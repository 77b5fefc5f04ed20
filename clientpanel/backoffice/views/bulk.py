"""Bulk actions in the client directory (issue 13): the rows ticked, or every client the search and
filters find, → an action → its confirmation page → a background task and its page.

The selection travels as what the directory sent — the ticked ids, or "all matching" with the
search and filters — and is read again on every step (clients.selectors.client_selection), within
the staff member's scope: ids of clients the staff member may not see are left out, and "all
matching" is the directory's query run again, never a list from the browser. Export answers the CSV
at once; the others run as a task (clients.bulk, clients.bulk_email) that rebuilds the staff member
and checks its rights again when it runs."""

from __future__ import annotations

import hashlib
import logging
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from clientpanel.accounts.roles import EDIT_CLIENTS, VIEW_CLIENTS, has_area
from clientpanel.automation.background import background_task_start
from clientpanel.clients import selectors as client_selectors
from clientpanel.core.actor import client_ip
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.text import text_problem
from clientpanel.ui import exports
from clientpanel.ui.downloads import csv_attachment

from ..access import area_required
from ..forms.bulk import BulkEmailForm, BulkGroupForm, BulkStatusForm

# action → (the area it needs, its form, the background task kind, the confirmation's title)
ACTIONS = {
    "status": (EDIT_CLIENTS, BulkStatusForm, "clients.bulk", gettext_lazy("Change status")),
    "group": (EDIT_CLIENTS, BulkGroupForm, "clients.bulk", gettext_lazy("Assign group")),
    "email": (EDIT_CLIENTS, BulkEmailForm, "clients.bulk_email", gettext_lazy("Send e-mail")),
    "export": (VIEW_CLIENTS, None, None, gettext_lazy("Export CSV")),
}
# The directory's search, filters and sort, as its query string names them.
FILTERS = ("q", "status", "country", "group", "sort")
# The confirmation names this many of the selected clients; the count says how many there are.
SHOWN_ON_CONFIRMATION = 20
RUN_TOKEN_SECONDS = 24 * 3600  # how long a confirmation page remembers that it started its task
logger = logging.getLogger(__name__)


class _Refused(Exception):
    """The request names no action, nothing to act on, or something the directory refuses."""


def _filters(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "").strip() for name in FILTERS}


def _directory_url(filters: dict[str, str]) -> str:
    query = urlencode({name: value for name, value in filters.items() if value})
    return reverse("backoffice:client-list") + (f"?{query}" if query else "")


def _action(request: HttpRequest) -> str:
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise _Refused(_("Choose one of the bulk actions."))
    if not has_area(request.user, ACTIONS[action][0]):
        raise PermissionDenied("Your role does not include this action.")
    return action


def _selection(request: HttpRequest, filters: dict[str, str]) -> client_selectors.ClientSelection:
    problem = text_problem(filters["q"])
    if problem:
        raise _Refused(f"{_('Search')}: {problem}")
    try:
        return client_selectors.client_selection(
            actor=request.user, client_ids=request.POST.getlist("ids"),
            all_matching=request.POST.get("all_matching") == "1", search=filters["q"],
            status=filters["status"] or None, country=filters["country"] or None, group=filters["group"] or None,
            sort=filters["sort"] or None)
    except ValidationFailed as refused:
        details = [m for ms in refused.fields.values() for m in ms if m != refused.message]
        raise _Refused(" ".join([refused.message, *details])) from None


def _confirmation(request: HttpRequest, action: str, selection, filters: dict[str, str], form) -> HttpResponse:
    shown = {client.pk: client for client in client_selectors.clients_selected(
        actor=request.user, client_ids=selection.client_ids[:SHOWN_ON_CONFIRMATION], sort=filters["sort"] or None)}
    all_matching = request.POST.get("all_matching") == "1"
    return render(request, "backoffice/clients/bulk_confirm.html", {
        "run_token": secrets.token_urlsafe(16),
        "action": action, "title": ACTIONS[action][3], "form": form, "count": len(selection),
        "left_out": selection.left_out, "all_matching": all_matching, "filters": filters,
        "ids": [] if all_matching else selection.client_ids,
        "shown": [shown[pk] for pk in selection.client_ids[:SHOWN_ON_CONFIRMATION] if pk in shown],
        "more": max(0, len(selection) - SHOWN_ON_CONFIRMATION), "back_url": _directory_url(filters),
    })


def _export(request: HttpRequest, selection, filters: dict[str, str]) -> HttpResponse:
    """All matching: the directory's own export (its search, filters and sort); ticked rows: those."""
    if request.POST.get("all_matching") == "1":
        query = urlencode({name: value for name, value in filters.items() if value})
        return redirect(reverse("backoffice:client-list-export") + (f"?{query}" if query else ""))
    clients = client_selectors.clients_selected(actor=request.user, client_ids=selection.client_ids,
                                                sort=filters["sort"] or None)
    return csv_attachment(exports.header(exports.CLIENT_COLUMNS),
                          exports.rows(exports.CLIENT_COLUMNS, clients.iterator(chunk_size=exports.CHUNK_SIZE)),
                          filename=exports.export_filename("clients"))


@area_required(VIEW_CLIENTS)
@require_POST
def client_bulk(request: HttpRequest) -> HttpResponse:
    """The directory's selection and chosen action: its confirmation page (Export: the CSV now)."""
    filters = _filters(request)
    try:
        action = _action(request)
        selection = _selection(request, filters)
    except _Refused as refused:
        messages.error(request, str(refused))
        return redirect(_directory_url(filters))
    if action == "export":
        return _export(request, selection, filters)
    return _confirmation(request, action, selection, filters, ACTIONS[action][1](prefix="set"))


@area_required(VIEW_CLIENTS)
@require_POST
def client_bulk_run(request: HttpRequest) -> HttpResponse:
    """The confirmed action: the selection read again, the action's form checked, the task started
    (its page follows its progress and shows the result)."""
    filters = _filters(request)
    try:
        action = _action(request)
        if action == "export":
            raise _Refused(_("Choose one of the bulk actions."))
        selection = _selection(request, filters)
    except _Refused as refused:
        messages.error(request, str(refused))
        return redirect(_directory_url(filters))
    _area, form_class, kind, _title = ACTIONS[action]
    form = form_class(request.POST, prefix="set")
    if not form.is_valid():
        return _confirmation(request, action, selection, filters, form)
    # The confirmation page's one-time token: a second submit of the same page (a double click,
    # the browser's resend) opens the task the first one started instead of e-mailing everybody
    # twice. cache.add is atomic (Redis, or the database cache's unique key).
    token = request.POST.get("run_token", "")[:64]
    # The key holds the token's digest, never the token: a NUL or a lone surrogate in the posted
    # value is refused by PostgreSQL in the database cache's table (a 500).
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    token_key = f"clientpanel:bulk-run:{request.user.pk}:{digest}"
    if token and not cache.add(token_key, 0, RUN_TOKEN_SECONDS):
        started = cache.get(token_key)
        messages.info(request, _("This action was started already from this page; here is its task."))
        if started:
            return redirect("backoffice:background-task", task_id=started)
        return redirect(_directory_url(filters))
    task = background_task_start(kind, requested_by=request.user, arguments={
        "actor_id": str(request.user.pk), "ip": client_ip(request),
        "client_ids": [str(client_id) for client_id in selection.client_ids], **form.arguments()})
    if token:
        try:
            cache.set(token_key, task.pk, RUN_TOKEN_SECONDS)
        except RedisError as error:
            # The task is started (its e-mails go out): its page, not a 503 telling to try again. The
            # same page sent again then finds its key without the task and goes back to the directory.
            logger.error("Bulk %s task %s started; its confirmation page's key was not saved: %s: %s",
                         action, task.pk, type(error).__name__, error)
    return redirect("backoffice:background-task", task_id=task.pk)
