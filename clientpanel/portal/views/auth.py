"""Signing in and out of the portal, and choosing which client to act for."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.login import LoginRefused, client_password_check, login_completed
from clientpanel.clients.models import ClientUser

from .. import session
from ..access import portal_page
from ..forms import LoginForm


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            user = client_password_check(request=request, email=form.cleaned_data["email"],
                                         password=form.cleaned_data["password"])
        except LoginRefused as refused:
            form.add_error(None, str(refused))
        else:
            if not ClientUser.objects.filter(user=user).exists():
                form.add_error(None, _("This login manages no client account yet."))
            else:
                login_completed(user=user)
                session.sign_in(request, user)
                if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()) \
                        or not next_url.startswith("/portal/"):
                    next_url = "/portal/"
                return redirect(next_url)
    return render(request, "portal/login.html", {"form": form, "next": next_url})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out of the portal; an impersonating staff member goes back to the staff panel."""
    returning = request.session.get(session.IMPERSONATOR)
    client_id = request.session.get(session.CLIENT)
    session.sign_out(request)
    if returning and client_id:
        return redirect("backoffice:client-summary", client_id=client_id)
    return redirect("portal:login")


@portal_page()
@require_POST
def switch_client(request: HttpRequest) -> HttpResponse:
    """Act for another of the user's clients (WHMCS's one login for many accounts)."""
    client_id = request.POST.get("client", "")
    if not any(str(link.client_id) == client_id for link in request.portal.links):
        raise Http404("Not one of your clients.")
    session.select_client(request, client_id)
    link = next(link for link in request.portal.links if str(link.client_id) == client_id)
    messages.info(request, _("You now act for %(client)s.") % {"client": link.client.display_name})
    return redirect("portal:dashboard")
