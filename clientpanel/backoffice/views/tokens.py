"""Settings → API tokens: a staff member's tokens (and, for staff managers, those of the staff they
manage): create one, see when each was last used, revoke it."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts import selectors as account_selectors
from clientpanel.accounts import services as account_services
from clientpanel.accounts.roles import MANAGE_STAFF, has_area
from clientpanel.accounts.scopes import scopes_of_staff
from clientpanel.core.errors import DomainError, ValidationFailed
from clientpanel.ui.forms import SENT_TWICE

from ..access import staff_required, sudo_required
from ..feedback import run_and_report
from ..forms.account import NewApiTokenForm
from .common import page_of, sent_once


@staff_required
@sudo_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    held = sorted(scopes_of_staff(request.user))
    form = NewApiTokenForm(request.POST or None, scopes=held, initial={"scopes": held})
    created = secret = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        try:
            # Made once per showing of the form (its one-time key): the same form sent again makes no
            # second token, whose secret would replace the first's on the page.
            created, secret = sent_once(request, form, lambda: account_services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=dt.datetime.combine(expires_on, dt.time.min, tzinfo=dt.UTC) if expires_on else None))
        except ValidationFailed as error:
            form.apply_errors(error, {"expires_at": "expires_on", "email": "__all__"})
        except DomainError as error:  # sent already
            form.add_error(None, error.message)
            if error.code == SENT_TWICE:  # the first answer, with the secret, was not the one shown
                form.add_error(None, _("The token it made is listed above; its secret was shown only in the "
                                       "answer to the first send. If you have not copied it, revoke the token "
                                       "and create another."))
        else:
            # The secret is shown in this answer only (never stored, never in a redirect or message).
            form = NewApiTokenForm(scopes=held, initial={"scopes": held})
    tokens = account_selectors.api_tokens_visible_to(request.user).order_by("-created_at", "-id")
    page = page_of(request, tokens, 50)
    return render(request, "backoffice/settings/api_tokens.html", {
        "form": form, "page": page, "created": created, "secret": secret, "held": held,
        "show_owner": has_area(request.user, MANAGE_STAFF)})


@staff_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    run_and_report(request, lambda: account_services.api_token_revoke(actor=request.user, token_id=token_id),
                   success=lambda token: _("Token %(prefix)s… is revoked: requests with it are refused.") % {
                       "prefix": token.prefix},
                   missing=_("That token does not exist, or it is not yours to revoke."))
    return redirect("backoffice:api-token-list")
