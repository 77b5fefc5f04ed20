"""The client's own profile, edited in the portal (Modify Master Account Profile): names, company,
tax ID, phone and the billing address — nothing staff alone decide (status, credit limit,
currency, group, notes, numbers). The fields are cleaned exactly as staff's edits are: this module
calls the same locked steps as client_update and address_update."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.errors import FieldErrors, ValidationFailed, require

from .. import policies
from ..models import Client
from ..selectors import billing_address_of
from .addresses import update_locked_address
from .clients import lock_client, update_locked_client

PROFILE_CLIENT_FIELDS = frozenset({"firstname", "lastname", "company_name", "tax_id", "phone"})
PROFILE_ADDRESS_FIELDS = frozenset({"country", "region", "city", "postcode", "address1", "address2"})


def client_profile_update(*, actor: ActorLike, client_id, data: Mapping[str, Any]) -> Client:
    """Change the profile fields present in data, in one transaction under the client's lock, and
    report every invalid field at once. Any other field is refused, never ignored. A tax ID is
    validated for the billing country it will have, so both may change together."""
    actor = as_actor(actor)
    require(policies.can_edit_own_profile(actor, client_id), _("You are not allowed to edit this profile."))
    unknown = set(data) - PROFILE_CLIENT_FIELDS - PROFILE_ADDRESS_FIELDS
    if unknown:
        raise ValidationFailed.from_fields({name: [_("This field cannot be changed here.")]
                                            for name in sorted(unknown)})
    client_data = {name: value for name, value in data.items() if name in PROFILE_CLIENT_FIELDS}
    address_data = {name: value for name, value in data.items() if name in PROFILE_ADDRESS_FIELDS}
    with transaction.atomic():
        client = lock_client(client_id, actor)
        # Raising rolls back whichever step was written already.
        update_locked_client_and_billing(client, client_data, address_data)
    client.refresh_from_db()
    return client


def update_locked_client_and_billing(client: Client, client_data: Mapping[str, Any], address_data: Mapping[str, Any],
                                     *, publish_event: bool = True) -> None:
    """Change a client's fields and its billing address together, for a client the caller locked
    inside its transaction after checking the actor's rights (the portal's profile, an import's
    update): the same locked steps as client_update and address_update, every refusal of both
    reported at once as one ValidationFailed, and a tax ID that changes too checked against the
    new billing country by the client's step."""
    errors = FieldErrors()
    steps = []
    if address_data:
        steps.append(lambda: update_locked_address(client, billing_address_of(client), address_data,
                                                   check_tax_id="tax_id" not in client_data,
                                                   publish_event=publish_event))
    if client_data:
        steps.append(lambda: update_locked_client(client, client_data, publish_event=publish_event))
    for step in steps:
        try:
            step()
        except ValidationFailed as refused:
            for field, messages in refused.fields.items():
                for message in messages:
                    errors.add(field, message)
    errors.raise_if_any()
