"""Client users (the Users tab, with a linked user's own account: details, verified address, second
factor, password-reset e-mail), Manage Users and a user's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import EDIT_CLIENTS, VIEW_CLIENTS
from clientpanel.clients import selectors as client_selectors
from clientpanel.clients import services as client_services
from clientpanel.clients.permissions import ALL_PERMISSIONS, CLIENT_PERMISSIONS, OTHER_MODULE_PERMISSIONS
from clientpanel.core.errors import Conflict
from clientpanel.notifications import selectors as email_selectors
from clientpanel.notifications import services as email_services
from clientpanel.ui.sorting import parse_sort

from ..access import area_required, sudo_required
from ..feedback import run_and_report
from ..forms.users import AssociateUserForm, LinkForm, UserAccountForm
from ..query import query_text, refuses_bad_query
from .common import client_or_404, form_page, found_or_404, page_of, record_context, reload_page


def _back_to_users(request: HttpRequest, client) -> HttpResponse:
    return reload_page(request, "backoffice:client-users", client_id=client.id)


@area_required(VIEW_CLIENTS)
def client_users(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    context = record_context(request, client, "users") | {
        "links": client_selectors.client_user_links(client=client),
        "labels": CLIENT_PERMISSIONS, "other_modules": OTHER_MODULE_PERMISSIONS,
    }
    return render(request, "backoffice/clients/users.html", context)


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_user_associate(request: HttpRequest, client_id) -> HttpResponse:
    client = client_or_404(request, client_id)

    def link(cleaned: dict):
        data = {k: v for k, v in cleaned.items()
                if (v not in ("", None) or k == "permissions") and k != "send_invitation"}
        return client_services.client_user_link(actor=request.user, client_id=client.id, data=data,
                                                send_invitation=cleaned["send_invitation"])

    return form_page(request, AssociateUserForm(request.POST or None), "backoffice/clients/_associate_user_form.html",
                     {"client": client, "other_modules": OTHER_MODULE_PERMISSIONS}, save=link,
                     success=lambda linked: _("%(email)s is now linked to %(client)s.") % {
                         "email": linked.user.email, "client": client.display_name},
                     then=lambda linked: _back_to_users(request, client))


@area_required(EDIT_CLIENTS)
@refuses_bad_query
def user_candidates(request: HttpRequest, client_id) -> HttpResponse:
    """Search-as-you-type suggestions for the Associate User picker."""
    client = client_or_404(request, client_id)
    users = client_selectors.user_candidates(actor=request.user, search=query_text(request, "email"), client=client)
    return render(request, "backoffice/clients/_user_candidates.html", {"users": users})


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_user_edit(request: HttpRequest, client_id, user_id) -> HttpResponse:
    client = client_or_404(request, client_id)
    link = client_selectors.client_user_links(client=client).filter(user_id=user_id).first()
    if link is None:
        raise Http404("This user is not linked to the client.")
    # The switches of whichever permissions the dialog gives, but not the e-mails the client's home
    # company switched off for everybody: those are named, and their stored switch is kept.
    offered, company_off = email_selectors.email_switches(permissions=ALL_PERMISSIONS, client=client)
    form = LinkForm(request.POST or None, kinds=offered,
                    initial={"permissions": link.permissions, "muted_emails": link.muted_emails})

    @transaction.atomic  # the permissions and the e-mail choices, or neither
    def save(data: dict) -> None:
        client_services.client_user_update(actor=request.user, client_id=client.id, user_id=link.user_id,
                                           permissions=data["permissions"])
        email_services.client_user_muted_emails_set(actor=request.user, client_id=client.id, user_id=link.user_id,
                                                    keys=data["muted_emails"])

    return form_page(request, form, "backoffice/clients/_user_permissions_form.html",
                     {"client": client, "link": link, "other_modules": OTHER_MODULE_PERMISSIONS,
                      "company_off": company_off, "home_company": email_selectors.home_company_of(client)}, save=save,
                     success=_("Permissions of %(email)s saved.") % {"email": link.user.email},
                     then=lambda saved: _back_to_users(request, client))


def _linked_user_or_404(client, user_id):
    link = client_selectors.client_user_links(client=client).filter(user_id=user_id).first()
    if link is None:
        raise Http404("This user is not linked to the client.")
    return link.user


@area_required(EDIT_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_user_account(request: HttpRequest, client_id, user_id) -> HttpResponse:
    """The Users tab → Account: a linked user's names, phone and language (a modal)."""
    client = client_or_404(request, client_id)
    user = _linked_user_or_404(client, user_id)
    form = UserAccountForm(request.POST or None, initial={
        "firstname": user.firstname, "lastname": user.lastname, "phone": user.phone, "language": user.language})
    return form_page(request, form, "backoffice/clients/_user_account_form.html", {"client": client, "shown": user},
                     save=lambda data: client_services.client_user_account_update(
                         actor=request.user, client_id=client.id, user_id=user.pk, data=data),
                     success=_("Details of %(email)s saved.") % {"email": user.email},
                     then=lambda saved: _back_to_users(request, client))


# The Users tab's buttons on one linked user (urls.py names the action of each path): the service each
# runs, and what the panel says once it is done (from what the service answers).
USER_ACTIONS: dict[str, tuple[Callable[..., Any], Callable[[Any], str]]] = {
    "remove": (client_services.client_user_remove, lambda link: _("User unlinked.")),
    "verify-email": (client_services.client_user_email_mark_verified,
                     lambda user: _("The address %(email)s is marked verified.") % {"email": user.email}),
    "two-factor-reset": (client_services.client_user_2fa_reset,
                         lambda user: _("Two-factor authentication of %(email)s reset; they can set it up again "
                                        "after their next login.") % {"email": user.email}),
    "password-reset": (client_services.client_user_password_reset_send,
                       lambda user: _("Password-reset e-mail to %(email)s queued.") % {"email": user.email}),
    "make-owner": (client_services.client_transfer_ownership,
                   lambda moved: _("%(email)s now owns %(client)s.") % {
                       "email": moved.owner.email, "client": moved.display_name}),
}


@area_required(EDIT_CLIENTS)
@require_POST
def client_user_do(request: HttpRequest, client_id, user_id, action: str) -> HttpResponse:
    """One of the Users tab's buttons (USER_ACTIONS): the service on the linked user, its outcome
    flashed, the tab shown again."""
    return _user_action(request, client_id, user_id, action)


@area_required(EDIT_CLIENTS)
@sudo_required
@require_POST
def client_user_do_in_sudo(request: HttpRequest, client_id, user_id, action: str) -> HttpResponse:
    """A Users tab button whose action needs a recently proved password: a second factor reset, a
    transfer of ownership (the owner manages the client's users and may be given the client)."""
    return _user_action(request, client_id, user_id, action)


def _user_action(request: HttpRequest, client_id, user_id, action: str) -> HttpResponse:
    service, success = USER_ACTIONS[action]
    client = client_or_404(request, client_id)
    run_and_report(request, lambda: service(actor=request.user, client_id=client.id, user_id=user_id),
                   success=success, missing=_("That user is not linked to the client."))
    return _back_to_users(request, client)


USER_SORTS = {"email": "email", "name": "lastname", "clients": "client_count", "created": "created_at",
              "verified": "email_verified"}


@area_required(VIEW_CLIENTS)
@refuses_bad_query
def user_list(request: HttpRequest) -> HttpResponse:
    search = query_text(request)
    kind = request.GET.get("kind", "")
    key, descending = parse_sort(request.GET.get("sort", ""))
    if key not in USER_SORTS:  # none asked, or one the list does not know: its default, shown as such
        key, descending = "created", True
    sort = f"-{key}" if descending else key  # what the headers, the phone's picker and the search form carry
    ordering = [f"-{USER_SORTS[key]}" if descending else USER_SORTS[key], "id"]
    users = client_selectors.users_visible_to(request.user, search=search, kind=kind).order_by(*ordering)
    page = page_of(request, users, 25)
    return render(request, "backoffice/users/list.html", {
        "title": _("Users"), "heading": _("Manage Users"), "page": page, "q": search, "kind": kind, "sort": sort})


@area_required(VIEW_CLIENTS)
def user_detail(request: HttpRequest, user_id) -> HttpResponse:
    shown = found_or_404(lambda: client_selectors.user_get(actor=request.user, user_id=user_id), "User not found.")
    links = client_selectors.user_client_links(actor=request.user, user=shown)
    return render(request, "backoffice/users/detail.html", {"shown": shown, "links": links,
                                                            "labels": CLIENT_PERMISSIONS})


@area_required(EDIT_CLIENTS)
@require_POST
def user_verification_email(request: HttpRequest, user_id) -> HttpResponse:
    """A user's page → Send verification e-mail (queued now, sent once this commits)."""
    try:
        message = found_or_404(lambda: email_services.email_verification_send(actor=request.user, user_id=user_id),
                               "User not found.")
    except Conflict as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Verification e-mail to %(email)s queued.") % {"email": message.recipient})
    return redirect("backoffice:user-detail", user_id=user_id)
