"""The client's address book (Modify Master Account Profile, as its profile): every address with the
billing one and the default shipping one marked; add, edit, delete (never the billing address) and
choose the default shipping address. The clients.services address services decide, with the staff's
validation and under clients.policies.can_manage_addresses; these views parse, call and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.clients.models import Address, AddressType
from clientpanel.clients.permissions import MODIFY_MASTER_PROFILE
from clientpanel.clients.selectors import address_get, client_addresses
from clientpanel.clients.services import address_create, address_delete, address_update
from clientpanel.core.errors import DomainError, NotFound, ValidationFailed
from clientpanel.core.places import region_name

from ..access import not_here, portal_page, shown_or_not_here
from ..forms import AddressForm, sent_once, show_refusal

EDITED = ("name", "contact_name", "phone", "email", "address1", "address2", "city", "postcode", "country", "region")


@portal_page(MODIFY_MASTER_PROFILE)
def addresses(request: HttpRequest) -> HttpResponse:
    client = request.portal.client
    return render(request, "portal/addresses.html", {"client": client, "addresses": client_addresses(client=client)})


@portal_page(MODIFY_MASTER_PROFILE)
@require_http_methods(["GET", "POST"])
def address_new(request: HttpRequest) -> HttpResponse:
    client = request.portal.client
    form = AddressForm(request.POST if request.method == "POST" else None,
                       initial={"type": AddressType.SHIPPING, "country": client.billing_country})
    if request.method == "POST" and form.is_valid():
        try:
            # Only the form's own fields reach the service (staff's notes are not among them).
            added = sent_once(request, form.submission_key, lambda: address_create(
                actor=request.portal.actor, client_id=client.pk, data=form.service_data))
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Address “%(name)s” is added.") % {"name": added.name})
            return redirect("portal:addresses")
    return render(request, "portal/address.html", {"form": form, "address": None, "client": client})


@portal_page(MODIFY_MASTER_PROFILE)
@require_http_methods(["GET", "POST"])
def address(request: HttpRequest, address_id) -> HttpResponse:
    client = request.portal.client
    shown = shown_or_not_here(request, lambda: address_get(client=client, address_id=address_id), Address, address_id)
    is_billing = shown.type == AddressType.BILLING
    initial = {name: getattr(shown, name) for name in (*EDITED, "type", "is_default")}
    initial["region"] = region_name(shown.country, shown.region)  # "Noord-Holland", not "NL-NH"
    form = AddressForm(request.POST if request.method == "POST" else None, initial=initial, is_billing=is_billing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = address_update(actor=request.portal.actor, client_id=client.pk, address_id=shown.pk,
                                   data=form.service_data)
        except NotFound:  # deleted meanwhile (by staff or another user)
            not_here(request, Address, address_id)
        except DomainError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Address “%(name)s” is saved.") % {"name": saved.name})
            return redirect("portal:addresses")
    return render(request, "portal/address.html", {"form": form, "address": shown, "client": client})


def _act(request: HttpRequest, address_id, action, success: str) -> HttpResponse:
    """Run a one-button action on one of the client's addresses: its refusal, or success, as a
    message on the address book; another client's address is no page at all."""
    try:
        done = action()
    except NotFound:
        not_here(request, Address, address_id)
    except DomainError as error:
        # A validation failure's message only lists its fields' keys: its fields' own words say it.
        said = [m for ms in error.fields.values() for m in ms] if isinstance(error, ValidationFailed) else []
        for message in said or [error.message]:
            messages.error(request, message)
    else:
        messages.success(request, success % {"name": done.name})
    return redirect("portal:addresses")


@portal_page(MODIFY_MASTER_PROFILE)
@require_POST
def address_remove(request: HttpRequest, address_id) -> HttpResponse:
    portal = request.portal

    def remove() -> Address:
        # Its name, for the message, read under the same scope the service applies.
        removed = address_get(client=portal.client, address_id=address_id)
        address_delete(actor=portal.actor, client_id=portal.client.pk, address_id=address_id)
        return removed

    return _act(request, address_id, remove, _("Address “%(name)s” is deleted."))


@portal_page(MODIFY_MASTER_PROFILE)
@require_POST
def address_make_default(request: HttpRequest, address_id) -> HttpResponse:
    """The default shipping address: setting it clears the flag on the previous one (the service)."""
    portal = request.portal
    return _act(request, address_id, lambda: address_update(
        actor=portal.actor, client_id=portal.client.pk, address_id=address_id, data={"is_default": True}),
        _("“%(name)s” is now the default shipping address."))
