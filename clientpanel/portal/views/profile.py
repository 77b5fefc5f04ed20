"""The client's profile (Modify Master Account Profile): names, company, tax ID, phone and the
billing address, saved by clients.services.client_profile_update with the staff's validation. The
currency is shown, never edited."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clientpanel.clients.permissions import MODIFY_MASTER_PROFILE
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import PROFILE_ADDRESS_FIELDS, PROFILE_CLIENT_FIELDS, client_profile_update
from clientpanel.clients.validation import subdivisions_of
from clientpanel.core.errors import DomainError
from clientpanel.core.places import region_name

from ..access import portal_page
from ..forms import ProfileForm, show_refusal


@portal_page(MODIFY_MASTER_PROFILE)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    client = request.portal.client
    billing = billing_address_of(client)
    initial = {name: getattr(client, name) for name in PROFILE_CLIENT_FIELDS} | {
        name: getattr(billing, name) for name in PROFILE_ADDRESS_FIELDS}
    initial["region"] = region_name(billing.country, billing.region)  # its name, not its ISO code
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # Only the form's own fields reach the service: anything else posted is dropped here
            # and would be refused there.
            client_profile_update(actor=request.portal.actor, client_id=client.pk, data=form.cleaned_data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("portal:profile")
    return render(request, "portal/profile.html", {"form": form, "client": client})


@portal_page()
@require_http_methods(["GET"])
def region_options(request: HttpRequest) -> HttpResponse:
    """<option>s of the country's states and regions, suggested in a State/Region input."""
    country = (request.GET.get("country") or "").upper()[:2]
    return render(request, "ui/_region_options.html", {"regions": subdivisions_of(country) if country else ()})
