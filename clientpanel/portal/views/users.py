"""The client's users (Manage Users; off for every client when CLIENTPANEL_PORTAL_MANAGE_USERS is
false): invite somebody by e-mail with permissions, change a user's permissions, remove a user.
Never the owner, never the signed-in user itself, and only permissions the signed-in user holds —
the services refuse the rest (clients.policies), the page offers only what they allow."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.clients.models import ClientUser
from clientpanel.clients.permissions import ALL_PERMISSIONS, MANAGE_USERS, OTHER_MODULE_PERMISSIONS
from clientpanel.clients.selectors import client_user_links
from clientpanel.clients.services import client_user_link, client_user_remove, client_user_update
from clientpanel.core.errors import DomainError

from ..access import portal_page
from ..forms import InviteForm, PermissionsForm, sent_once, show_refusal


def _users_page(view):
    """The page exists only while the setting allows it (Portal.manages_users, as the menu)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.portal.manages_users:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def _grantable(request: HttpRequest) -> list[str]:
    """What the signed-in user may give: its own permissions, less those of modules not built yet."""
    held = request.portal.actor.permissions
    return [key for key in ALL_PERMISSIONS if key in held and key not in OTHER_MODULE_PERMISSIONS]


def _editable_link(request: HttpRequest, user_id) -> ClientUser:
    portal = request.portal
    link = client_user_links(client=portal.client).filter(user_id=user_id).first()
    if link is None or link.user_id in (portal.client.owner_id, portal.user.pk):
        raise Http404("Not a user you may change.")
    return link


@portal_page(MANAGE_USERS)
@_users_page
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    portal = request.portal
    form = InviteForm(request.POST if request.method == "POST" else None, grantable=_grantable(request))
    if request.method == "POST" and form.is_valid():
        try:
            sent_once(request, form.submission_key, lambda: client_user_link(
                actor=portal.actor, client_id=portal.client.pk, data=form.service_data, send_invitation=True))
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("%(email)s is invited.") % {"email": form.cleaned_data["email"]})
            return redirect("portal:users")
    links = client_user_links(client=portal.client)
    return render(request, "portal/users.html", {"links": links, "form": form, "client": portal.client})


@portal_page(MANAGE_USERS)
@_users_page
@require_http_methods(["GET", "POST"])
def user(request: HttpRequest, user_id) -> HttpResponse:
    portal = request.portal
    link = _editable_link(request, user_id)
    form = PermissionsForm(request.POST if request.method == "POST" else None, grantable=_grantable(request),
                           initial={"permissions": link.permissions})
    if request.method == "POST" and form.is_valid():
        # Permissions the signed-in user does not hold are not on the form: they stay as they are.
        kept = [key for key in link.permissions if key not in _grantable(request)]
        try:
            client_user_update(actor=portal.actor, client_id=portal.client.pk, user_id=link.user_id,
                               permissions=kept + form.cleaned_data["permissions"])
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The permissions of %(email)s are saved.") % {"email": link.user.email})
            return redirect("portal:users")
    return render(request, "portal/user.html", {"link": link, "form": form})


@portal_page(MANAGE_USERS)
@_users_page
@require_POST
def user_remove(request: HttpRequest, user_id) -> HttpResponse:
    portal = request.portal
    link = _editable_link(request, user_id)
    try:
        client_user_remove(actor=portal.actor, client_id=portal.client.pk, user_id=link.user_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(email)s no longer has access.") % {"email": link.user.email})
    return redirect("portal:users")
