"""The staff member's own account: two-factor authentication and the login's second step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from clientpanel.accounts import two_factor as totp
from clientpanel.accounts.login import login_completed
from clientpanel.accounts.models import User
from clientpanel.core.errors import DomainError

from .access import staff_required
from .forms import CodeForm

PENDING_USER = "pending_2fa_user"
PENDING_NEXT = "pending_2fa_next"


@staff_required
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CodeForm(request.POST or None)
    recovery_codes = None
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            if action == "confirm":
                recovery_codes = totp.totp_confirm(user=user, code=form.cleaned_data["code"])
                messages.success(request, "Two-factor authentication is on.")
            elif action == "disable":
                totp.totp_disable(user=user, code=form.cleaned_data["code"])
                messages.success(request, "Two-factor authentication is off.")
                return redirect("backoffice:account-2fa")
        except DomainError as error:  # a wrong code, or too many of them
            for message in error.fields.get("code", [error.message]):
                form.add_error("code", message)
        user.refresh_from_db()
    if not user.has_2fa and not user.totp_secret:
        totp.totp_begin(user=user)
    context = {"form": form, "recovery_codes": recovery_codes, "enrolled": user.has_2fa}
    if not user.has_2fa:
        context |= {"qr_svg": totp.qr_svg(user), "secret": user.totp_secret}
    return render(request, "backoffice/account/two_factor.html", context)


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login for staff with 2FA: the password was right, now the code."""
    user = User.objects.filter(pk=request.session.get(PENDING_USER), is_active=True, is_staff=True).first()
    if user is None:
        return redirect("backoffice:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = totp.totp_verify(user=user, code=form.cleaned_data["code"])
        except DomainError as error:  # too many wrong codes for this account
            form.add_error("code", error.message)
        else:
            if accepted:
                login_completed(user=user)
                next_url = request.session.pop(PENDING_NEXT, "")
                request.session.pop(PENDING_USER, None)
                login(request, user, backend="clientpanel.accounts.backends.EmailBackend")
                safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
                return redirect(next_url if next_url and safe else "backoffice:dashboard")
            form.add_error("code", "That code does not match. Use the current code or a recovery code.")
    return render(request, "backoffice/login_verify.html", {"form": form, "anonymous_layout": True})
