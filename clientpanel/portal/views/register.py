"""Signing up in the portal (CLIENTPANEL_PORTAL_SIGNUP; the page does not exist while it is off): a
NEW client with its owner, who confirms the address from the e-mail before logging in. Bots meet a
honeypot field and the per-address limit of clients.services.client_self_register."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clientpanel.clients.services import client_self_register, signup_enabled
from clientpanel.core.actor import client_ip
from clientpanel.core.errors import DomainError

from ..forms import SignupForm, show_refusal


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if not signup_enabled():
        raise Http404("Sign-up is not open.")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.pop("website"):
            # Only a bot fills the hidden field: it is told what a person would be, and nothing is made.
            return render(request, "portal/signup_done.html", {"email": data["email"]})
        try:
            client_self_register(data=data, ip=client_ip(request), language=translation.get_language())
        except DomainError as error:
            show_refusal(form, error, mapping={"billing_address.country": "country"})
        else:
            # The same page whether the address was new or had an account already (nothing tells which).
            return render(request, "portal/signup_done.html", {"email": data["email"]})
    return render(request, "portal/signup.html", {"form": form})
