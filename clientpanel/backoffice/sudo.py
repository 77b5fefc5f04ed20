"""The re-authentication step of sudo mode (accounts/sudo.py) in the staff panel: what a protected
action answers while the staff member's password proof is missing or stale.

The step is a password form posted back to the very action it stopped, carrying what the action
was sent as hidden fields (not the ones the view marks sensitive, nor the CSRF token: the form has
its own), so that a right password continues to the action in the same request. Works without
JavaScript; asked by htmx (a Users tab button), the step replaces the page's main area."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from clientpanel.accounts import sudo
from clientpanel.core.actor import client_ip
from clientpanel.core.errors import ValidationFailed
from clientpanel.ui.redirects import came_from

PASSWORD = "sudo_password"
RESUME = "sudo_resume"  # "open": the step guarded opening a page (GET); a proof reloads it
NOT_REPLAYED = {"csrfmiddlewaretoken", PASSWORD, RESUME}


class SudoForm(forms.Form):
    sudo_password = forms.CharField(
        label=_("Your password"), strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}))


def _replayed_fields(request: HttpRequest) -> list[tuple[str, str]]:
    sensitive = getattr(request, "sensitive_post_parameters", ())
    if request.method != "POST" or sensitive == "__ALL__":
        return []
    return [(name, value) for name in request.POST if name not in NOT_REPLAYED and name not in sensitive
            for value in request.POST.getlist(name)]


@sensitive_variables("password")
def sudo_step(request: HttpRequest, view, *args, **kwargs) -> HttpResponse:
    """Run view when the staff member's proof is fresh, or proved with this request; otherwise the
    re-authentication step (with the refusal, after a wrong password)."""
    user = request.user
    asked_on_open = request.POST.get(RESUME) == "open"
    if sudo.sudo_active(request.session, user=user):
        return redirect(request.get_full_path()) if asked_on_open else view(request, *args, **kwargs)
    form = SudoForm(request.POST if request.method == "POST" and PASSWORD in request.POST else None)
    if form.is_bound and form.is_valid():
        password = form.cleaned_data[PASSWORD]
        try:
            sudo.sudo_confirm(request.session, user=user, password=password, ip=client_ip(request))
        except ValidationFailed as refused:
            form.add_error(PASSWORD, refused.message)
        else:
            return redirect(request.get_full_path()) if asked_on_open else view(request, *args, **kwargs)
    context = {"sudo_form": form, "action": request.get_full_path(), "replayed": _replayed_fields(request),
               "resume": "open" if request.method != "POST" or asked_on_open else "",
               "minutes": int(sudo.sudo_window().total_seconds() // 60),
               "back": came_from(request) or reverse("backoffice:dashboard")}
    if request.htmx:
        # htmx does not swap a 4xx answer: a 200 that replaces the page's main area with the step.
        response = render(request, "backoffice/account/_sudo_step.html", context)
        response["HX-Retarget"], response["HX-Reswap"] = "main", "innerHTML"
        return response
    return render(request, "backoffice/account/sudo.html", context, status=403)
