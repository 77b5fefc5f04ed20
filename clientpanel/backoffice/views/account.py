"""The staff member's own account: its password, two-factor authentication and the language the
panel speaks to them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts import two_factor as totp
from clientpanel.accounts.actors import staff_actor
from clientpanel.accounts.login import own_password_changed
from clientpanel.accounts.services import user_language_set, user_password_change
from clientpanel.core.actor import client_ip
from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.ui.languages import remember_language

from ..access import staff_required
from ..forms.account import PasswordChangeForm, TwoFactorChangeForm
from .common import form_page
from .login import staff_next


@sensitive_post_parameters("current_password", "password", "password_again")
@staff_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change my password: the present one, then the new one twice. This session stays signed in;
    the staff member's other sessions end (Django checks each against the password hash)."""

    def change(data: dict):
        user = user_password_change(actor=request.user, current_password=data["current_password"],
                                    new_password=data["password"])
        update_session_auth_hash(request, user)
        return user

    return form_page(request, PasswordChangeForm(request.POST or None), "backoffice/account/password.html",
                     {"tab": "password"}, save=change, mapping={"new_password": "password"},
                     success=_("Your password is changed. Your other sessions have ended."),
                     then=lambda user: _device_kept(request, redirect("backoffice:account-password"), user))


def _device_kept(request: HttpRequest, response: HttpResponse, user) -> HttpResponse:
    own_password_changed(request=request, response=response, user=user)
    return response


@sensitive_post_parameters("current_password")
@staff_required
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn my 2FA on or off: each asks for my present password (throttled as the login is) and a code."""
    user = request.user
    form = TwoFactorChangeForm(request.POST or None)
    recovery_codes = None
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        actor = staff_actor(user, ip=client_ip(request))
        given = {"code": form.cleaned_data["code"], "password": form.cleaned_data["current_password"]}
        try:
            if action == "confirm":
                recovery_codes = totp.totp_confirm(user=user, actor=actor, **given)
                messages.success(request, _("Two-factor authentication is on."))
                # The page now offers Turn off: its form starts empty, not with the code just used.
                form = TwoFactorChangeForm()
            elif action == "disable":
                totp.totp_disable(user=user, actor=actor, **given)
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("backoffice:account-2fa")
        except DomainError as error:  # a wrong password or code, or too many of them
            form.show_refusal(error)
        user.refresh_from_db()
    # Each look at the page shows a new secret (totp_begin): one shown to a borrowed session is
    # replaced when the owner looks, so the secret the owner confirms was shown to the owner alone.
    if not user.has_2fa and (request.method == "GET" or not user.totp_secret):
        totp.totp_begin(user=user)
    context = {"form": form, "recovery_codes": recovery_codes, "enrolled": user.has_2fa, "tab": "2fa"}
    if not user.has_2fa:
        context |= {"qr_svg": totp.qr_svg(user), "secret": user.totp_secret}
    return render(request, "backoffice/account/two_factor.html", context)


@staff_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The top bar's English/Polish switch: kept on the account (so every later request and the
    next login speak it, StaffLanguageMiddleware) and in the language cookie (so the login page
    after a logout does too); then back to the page it was pressed on."""
    language = request.POST.get("language", "")
    try:
        user_language_set(user=request.user, language=language)
    except ValidationFailed:
        messages.error(request, _("The panel does not speak that language."))
    else:
        translation.activate(language)
    return remember_language(redirect(staff_next(request, request.POST.get("next", ""))), language)
