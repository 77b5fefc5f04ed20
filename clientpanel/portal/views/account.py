"""The signed-in user's own account: names and language, password, two-factor authentication and
which optional e-mails it wants about the client it acts for. Staff signed in as the user (Login as
Owner) see it but change no password or second factor (the services refuse; the page says why)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clientpanel.accounts import two_factor as totp
from clientpanel.accounts.login import own_password_changed
from clientpanel.accounts.services import user_account_update, user_password_change
from clientpanel.core.errors import DomainError
from clientpanel.notifications.selectors import email_switches
from clientpanel.notifications.services import own_muted_emails_set
from clientpanel.ui.forms import TwoFactorChangeForm
from clientpanel.ui.languages import remember_language

from .. import session
from ..access import portal_page
from ..forms import AccountForm, EmailChoicesForm, PasswordChangeForm, show_refusal


def _link(request: HttpRequest):
    return next(link for link in request.portal.links if link.client_id == request.portal.client.pk)


@sensitive_post_parameters("current_password", "password", "password_again")
@portal_page()
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    portal, user = request.portal, request.portal.user
    action = request.POST.get("action") if request.method == "POST" else None
    details = AccountForm(request.POST if action == "details" else None,
                          initial={"firstname": user.firstname, "lastname": user.lastname, "language": user.language})
    password = PasswordChangeForm(request.POST if action == "password" else None)
    muted = set(_link(request).muted_emails)
    # Only messages the user is sent and its home company sends; those the company switched off are named.
    offered, company_off = email_switches(permissions=portal.actor.permissions, client=portal.client)
    emails = EmailChoicesForm(request.POST if action == "emails" else None, kinds=offered,
                              initial={"wanted": [kind.key for kind in offered if kind.key not in muted]})
    form, saved = {"details": (details, gettext_lazy("Your details are saved.")),
                   "password": (password, gettext_lazy("Your password is changed.")),
                   "emails": (emails, gettext_lazy("Your e-mail choices are saved."))}.get(action, (None, ""))
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "details":
                user_account_update(actor=portal.actor, data=data)
                translation.activate(data["language"])  # the confirmation speaks the language just chosen
            elif action == "password":
                changed = user_password_change(actor=portal.actor, current_password=data["current_password"],
                                               new_password=data["password"])
                session.keep_after_password_change(request, changed)
            else:
                own_muted_emails_set(actor=portal.actor,
                                     keys=[kind.key for kind in offered if kind.key not in data["wanted"]])
        except DomainError as error:
            show_refusal(form, error, mapping={"new_password": "password"})
        else:
            messages.success(request, str(saved))
            if action == "details" and portal.impersonator is None:  # not staff's browser in Login as Owner
                return remember_language(redirect("portal:account"), data["language"])
            response = redirect("portal:account")
            if action == "password":
                own_password_changed(request=request, response=response, user=changed)
            return response
    return render(request, "portal/account.html", {
        "details": details, "password": password, "emails": emails, "user": user, "company_off": company_off,
        "may_change_credentials": portal.impersonator is None})


@sensitive_post_parameters("current_password")
@portal_page()
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn TOTP on (scan, confirm with the present password and a code, keep the recovery codes) or
    off (the present password and a code)."""
    portal, user = request.portal, request.portal.user
    if portal.impersonator is not None:
        return render(request, "portal/two_factor.html", {"impersonating": True}, status=403)
    form = TwoFactorChangeForm(request.POST if request.method == "POST" else None)
    recovery_codes = None
    if request.method == "POST" and form.is_valid():
        given = {"code": form.cleaned_data["code"], "password": form.cleaned_data["current_password"]}
        try:
            if request.POST.get("action") == "disable":
                totp.totp_disable(user=user, actor=portal.actor, **given)
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("portal:account")
            recovery_codes = totp.totp_confirm(user=user, actor=portal.actor, **given)
            messages.success(request, _("Two-factor authentication is on."))
            # The page now offers Turn off: its form starts empty, not with the code just used.
            form = TwoFactorChangeForm()
        except DomainError as error:  # a wrong password or code, or too many of them
            form.show_refusal(error)
        user.refresh_from_db()
    # Each look at the page shows a new secret (totp_begin): one shown to a borrowed session is
    # replaced when the owner looks, so the secret the owner confirms was shown to the owner alone.
    if not user.has_2fa and (request.method == "GET" or not user.totp_secret):
        totp.totp_begin(user=user, actor=portal.actor)
    context = {"form": form, "recovery_codes": recovery_codes, "enrolled": user.has_2fa}
    if not user.has_2fa:
        context |= {"qr_svg": totp.qr_svg(user), "secret": user.totp_secret}
    return render(request, "portal/two_factor.html", context)
