"""What an import's row means for the existing client it names (by its number, or its owner's
e-mail address): a row whose number and e-mail address name two clients is refused, an update
never changes a client's number or its owner's e-mail address (a row saying otherwise is refused,
not half applied), and an update moving the client to another country clears the stored region
that is no region of the new one when the row names none."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from clientpanel.core.places import FieldInvalid, clean_country, clean_region

from ..models import Client
from ..selectors import billing_address_of


class Match(NamedTuple):
    """An existing client a row names (by its number, or its owner's e-mail address)."""

    pk: uuid.UUID
    number: str
    owner_email: str  # normalized, as the rows' addresses are compared


def two_clients(client: Match, email: str, by_owner: Mapping[str, Match]) -> str | None:
    """Why a row is refused whatever the import does with existing clients: its number is one
    client's and its e-mail address another's (the auditor's row changed client 0092 with the
    address of client 0093's owner)."""
    other = by_owner.get(email) if email and email != client.owner_email else None
    if other is None or other.pk == client.pk:
        return None
    return _("Client number %(number)s is the client of %(owner)s, but %(email)s is the e-mail address of client "
             "%(other)s: one row cannot name two clients.") % {
        "number": client.number, "owner": client.owner_email, "email": email, "other": other.number}


def not_changed_by_update(client: Match, email: str, number: str) -> str | None:
    """Why an update refuses a row: it gives the client another owner's e-mail address or another
    number, which an import does not change (they would be left as they are, silently)."""
    if email and email != client.owner_email:
        return _("The owner of client %(number)s has the e-mail address %(owner)s, not %(email)s: an import does "
                 "not change a client's e-mail address (leave the cell empty or put %(owner)s).") % {
            "number": client.number, "owner": client.owner_email, "email": email}
    if number and number != client.number:
        return _("%(email)s is the e-mail address of client %(number)s, not of client number %(given)s: an import "
                 "does not change client numbers (leave the cell empty or put %(number)s).") % {
            "email": client.owner_email, "number": client.number, "given": number}
    return None


def clear_region_left_behind(client: Client, address_data: dict[str, Any]) -> None:
    """A row moving the client to another country without naming a region: the stored region
    is cleared when it is no region of the new country (else the row was refused for a region the
    file never mentioned); one the new country also takes (free text) is kept."""
    if not address_data.get("country") or address_data.get("region"):
        return
    try:
        country = clean_country(address_data["country"])
    except FieldInvalid:
        return  # the address's own step says why
    if country == client.billing_country:
        return
    region = billing_address_of(client).region
    if not region:
        return
    try:
        clean_region(region, country)
    except FieldInvalid:
        address_data["region"] = ""
