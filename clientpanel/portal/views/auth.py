"""Signing in and out of the portal, and choosing which client to act for."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.login import LoginRefused, client_password_check, login_completed
from clientpanel.clients.services import signup_enabled
from clientpanel.ui.forms import CodeForm
from clientpanel.ui.redirects import next_within

from .. import session
from ..access import portal_page
from ..forms import LoginForm


def _portal_next(request: HttpRequest, next_url: str) -> str:
    """Where a login or a switch goes on: a portal address of this site, else the dashboard."""
    return next_within(request, next_url, prefix="/portal/", fallback=reverse("portal:dashboard"))


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST if request.method == "POST" else None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            user = client_password_check(request=request, email=form.cleaned_data["email"],
                                         password=form.cleaned_data["password"])
        except LoginRefused as refused:
            form.add_error(None, str(refused))
        else:
            refusal = session.sign_in_refusal(user)
            if refusal:
                form.add_error(None, refusal)
            elif user.has_2fa:
                # Not signed in yet: the second step (login_code below) does that.
                session.await_code(request, user, _portal_next(request, next_url))
                return redirect("portal:login-code")
            else:
                session.sign_in(request, user)
                response = redirect(_portal_next(request, next_url))
                login_completed(request=request, response=response, user=user)
                return response
    return render(request, "portal/login.html", {"form": form, "next": next_url, "signup": signup_enabled()})


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a login for a client user with 2FA: the password was right, now the code."""
    user, next_url = session.awaiting_code(request)
    if user is None:
        return redirect("portal:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.completes_login_of(user):
        refusal = session.sign_in_refusal(user)  # the client may have closed since the password step
        if refusal:
            messages.error(request, refusal)
            return redirect("portal:login")
        session.sign_in(request, user)
        response = redirect(next_url)
        login_completed(request=request, response=response, user=user)
        return response
    return render(request, "portal/login_code.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out of the portal; an impersonating staff member goes back to the staff panel."""
    returning = request.session.get(session.IMPERSONATOR)
    client_id = request.session.get(session.CLIENT)
    signed_in = bool(request.session.get(session.USER))
    session.sign_out(request)
    if returning and client_id:
        return redirect("backoffice:client-summary", client_id=client_id)
    if signed_in:  # until now (not a second click of Log out): the login page says it is done
        messages.success(request, _("You are signed out."))
    return redirect("portal:login")


@portal_page()
@require_POST
def switch_client(request: HttpRequest) -> HttpResponse:
    """Act for another of the user's clients (WHMCS's one login for many accounts), then go on to
    the page asked for (a link to another client's page) or the dashboard."""
    client_id = request.POST.get("client", "")
    link = next((link for link in request.portal.links if str(link.client_id) == client_id), None)
    if link is None:
        raise Http404("Not one of your clients.")
    session.select_client(request, client_id)
    # With its number, as the switcher names it; a name ending in a dot ("Jansen B.V.") then ends no sentence.
    messages.info(request, _("You now act for %(client)s (%(number)s).") % {
        "client": link.client.display_name, "number": link.client.number})
    return redirect(_portal_next(request, request.POST.get("next", "")))
