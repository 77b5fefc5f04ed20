"""Writes for a client's addresses: add, change and delete a shipping or service address, and edit the
one billing address (whose country and city the client row mirrors). Each service is one transaction
with the client row locked. Staff with Edit clients call them from the panel and the API; a portal
user with Modify Master Account Profile from its address book, for its own client, with the same
rules and cleaning (only staff's notes on an address are not its to change)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, created, deleted, diff, snapshot
from clientpanel.core.actor import Actor
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import publish

from .. import policies
from ..events import ClientUpdated
from ..models import Address, AddressType, Client
from ..validation import FieldInvalid, clean_tax_id
from .cleaning import ADDRESS_FIELDS, clean_address
from .clients import lock_client

# Staff's notes on an address (a gate code, what a technician should know): the portal's address book
# neither shows nor changes them.
STAFF_ONLY_ADDRESS_FIELDS = frozenset({"notes"})
# Enough for any shop's depots and sites, and it keeps the address book one page: without a bound a
# portal user could add addresses until the page (which lists them all) no longer loads.
MAX_ADDRESSES = 100


def _require_address_right(actor: Actor, client_id, data: Mapping[str, Any] | None = None) -> None:
    """Refuse an actor that may not change this client's addresses (policies.can_manage_addresses)
    and a portal user's change of a staff-only field, before anything is locked."""
    if not actor.is_portal:
        require(policies.can_manage_addresses(actor, client_id), _("You are not allowed to edit clients."))
        return
    require(policies.can_manage_addresses(actor, client_id),
            _("You are not allowed to change this client's addresses."))
    refused = sorted(set(data or ()) & STAFF_ONLY_ADDRESS_FIELDS)
    if refused:
        raise ValidationFailed.from_fields({name: [_("This field cannot be changed here.")] for name in refused})


def _address_of(client_id, address_id) -> Address:
    try:
        return Address.objects.select_for_update().get(pk=address_id, client_id=client_id)
    except (Address.DoesNotExist, ValueError):
        raise NotFound(_("Address not found for this client.")) from None


def _clear_other_defaults(client: Client, keep: Address | None) -> None:
    # Cleared before the new default is written: the partial unique index allows one at a time.
    others = Address.objects.filter(client=client, type=AddressType.SHIPPING, is_default=True)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    for other in others:
        other.is_default = False
        other.save(update_fields=["is_default", "updated_at"])
        audit_record(action="address.update", target=other, client_id=client.pk, changes={"is_default": [True, False]})


def _require_street_and_city(cleaned: Mapping[str, Any], errors: FieldErrors, current: Address | None = None) -> None:
    """A shipping or service address is somewhere to send a parcel or a technician: it needs its
    first line and city besides the country. (The billing address may be a country alone, which is
    all tax needs: clients and their CSV imports are created that way.)"""
    kind = cleaned.get("type", current.type if current else None)
    if kind == AddressType.BILLING:
        return
    for field, message in (("address1", _("Enter the street and number.")), ("city", _("Enter the city."))):
        value = cleaned[field] if field in cleaned else (getattr(current, field) if current else "")
        if not value and field not in errors.fields:
            errors.add(field, message)


def address_create(*, actor: ActorLike, client_id, data: Mapping[str, Any]) -> Address:
    """Add a shipping or service address. A second billing address is refused; setting this one as
    the default shipping address clears the flag on the others in the same transaction."""
    actor = as_actor(actor)
    _require_address_right(actor, client_id, data)
    with transaction.atomic():
        client = lock_client(client_id, actor)
        # Counted under the client's lock, so two adds at once cannot both take the last place.
        if Address.objects.filter(client=client).count() >= MAX_ADDRESSES:
            raise Conflict(_("A client keeps at most %(count)d addresses; delete one that is no longer used "
                             "first.") % {"count": MAX_ADDRESSES})
        errors = FieldErrors()
        cleaned = clean_address({k: v for k, v in data.items() if k in ADDRESS_FIELDS}, errors)
        if "type" not in data:
            errors.add("type", _("Choose the address type: SHIPPING or SERVICE."))
        unknown = set(data) - ADDRESS_FIELDS
        for name in sorted(unknown):
            errors.add(name, _("Unknown field."))
        if cleaned.get("type") == AddressType.BILLING:
            errors.add("type", _("A client has exactly one billing address; edit it instead of adding another."))
        if cleaned.get("is_default") and cleaned.get("type") != AddressType.SHIPPING:
            errors.add("is_default", _("Only a shipping address can be the default one."))
        _require_street_and_city(cleaned, errors)
        errors.raise_if_any()
        if not cleaned.get("name"):
            cleaned["name"] = cleaned["type"].title()
        if cleaned.get("is_default"):
            _clear_other_defaults(client, None)
        address = Address.objects.create(client=client, **cleaned)
        audit_record(action="address.create", target=address, client_id=client.pk, changes=created(address))
        publish(ClientUpdated(client_id=client.pk, fields=("addresses",)))
    return address


def address_update(*, actor: ActorLike, client_id, address_id, data: Mapping[str, Any]) -> Address:
    """Change an address. The billing address cannot be retyped, nor another made billing; when
    the billing country changes the client's tax ID must still be valid there."""
    actor = as_actor(actor)
    _require_address_right(actor, client_id, data)
    with transaction.atomic():
        client = lock_client(client_id, actor)
        return update_locked_address(client, _address_of(client.pk, address_id), data)


def update_locked_address(client: Client, address: Address, data: Mapping[str, Any], *,
                          check_tax_id: bool = True, publish_event: bool = True) -> Address:
    """address_update's cleaning and write, for a client the caller locked inside its transaction
    after checking the actor's right. check_tax_id=False when the caller validates a new tax ID
    against the new billing country itself (the portal's profile changes both at once);
    publish_event=False when the caller publishes one event for a batch (the CSV import)."""
    before = snapshot(address)
    errors = FieldErrors()
    unknown = set(data) - ADDRESS_FIELDS
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."))
    cleaned = clean_address({k: v for k, v in data.items() if k in ADDRESS_FIELDS}, errors, current=address)
    new_type = cleaned.get("type", address.type)
    if address.type == AddressType.BILLING and new_type != AddressType.BILLING:
        errors.add("type", _("The billing address cannot change its type."))
    elif address.type != AddressType.BILLING and new_type == AddressType.BILLING:
        errors.add("type", _("A client has exactly one billing address; edit it instead."))
    _require_street_and_city(cleaned, errors, address)
    is_default = cleaned.get("is_default", address.is_default)
    if is_default and new_type != AddressType.SHIPPING:
        if "is_default" in data and cleaned.get("is_default"):
            errors.add("is_default", _("Only a shipping address can be the default one."))
        else:
            cleaned["is_default"] = False
    if (check_tax_id and address.type == AddressType.BILLING and cleaned.get("country")
            and cleaned["country"] != address.country and client.tax_id):
        try:
            clean_tax_id(client.tax_id, cleaned["country"])
        except FieldInvalid as error:
            errors.add("country", _("The client's tax ID %(tax_id)s does not fit this country: %(reason)s "
                                    "Change the tax ID on the profile first.")
                       % {"tax_id": client.tax_id, "reason": error})
    errors.raise_if_any()
    for field, value in cleaned.items():
        setattr(address, field, value)
    if not address.name:
        address.name = "Default" if address.type == AddressType.BILLING else address.type.title()
    if address.is_default:
        _clear_other_defaults(client, address)
    address.save()
    if address.type == AddressType.BILLING:
        client.billing_country = address.country
        client.billing_city = address.city
        client.save(update_fields=["billing_country", "billing_city", "updated_at"])
    changed = diff(before, snapshot(address))
    if changed:
        audit_record(action="address.update", target=address, client_id=client.pk, changes=changed)
        if publish_event:
            publish(ClientUpdated(client_id=client.pk, fields=("addresses",)))
    return address


def address_delete(*, actor: ActorLike, client_id, address_id) -> None:
    """Delete a shipping or service address; the billing address can never be deleted."""
    actor = as_actor(actor)
    _require_address_right(actor, client_id)
    with transaction.atomic():
        client = lock_client(client_id, actor)
        address = _address_of(client.pk, address_id)
        if address.type == AddressType.BILLING:
            raise Conflict(
                _("The billing address cannot be deleted; edit it instead."),
                fields={"type": [_("The billing address cannot be deleted.")]},
                code="billing_address_required",
            )
        audit_record(action="address.delete", target=address, client_id=client.pk, changes=deleted(address))
        publish(ClientUpdated(client_id=client.pk, fields=("addresses",)))
        address.delete()
