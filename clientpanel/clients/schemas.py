from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict

from clientpanel.core.api_types import MoneyString
from clientpanel.core.money import format_api_amount

from .models import Address, Client
from .validation import country_name


class StrictSchema(Schema):
    # Unknown keys are refused, so a misspelt field is an error, never silently ignored.
    model_config = ConfigDict(extra="forbid")


class BillingAddressIn(StrictSchema):
    name: Any = None
    contact_name: Any = None
    phone: Any = None
    email: Any = None
    address1: Any = None
    address2: Any = None
    city: Any = None
    postcode: Any = None
    country: Any = None
    region: Any = None
    notes: Any = None


class ClientUpdateIn(StrictSchema):
    firstname: Any = None
    lastname: Any = None
    company_name: Any = None
    tax_id: Any = None
    phone: Any = None
    language: Any = None
    currency: Any = None
    status: Any = None
    credit_limit: MoneyString = None
    id_number: Any = None
    admin_notes: Any = None
    public_notes: Any = None
    group: Any = None
    payment_terms_days: Any = None
    tax_exempt: Any = None
    reminders_enabled: Any = None


class ClientCreateIn(ClientUpdateIn):
    email: Any = None
    password: Any = None
    billing_address: BillingAddressIn | None = None


class AddressIn(BillingAddressIn):
    type: Any = None
    is_default: Any = None


class OwnerOut(Schema):
    id: str
    email: str
    firstname: str
    lastname: str


class AddressOut(Schema):
    id: str
    type: str
    name: str
    contact_name: str
    phone: str
    email: str
    address1: str
    address2: str
    city: str
    postcode: str
    country: str
    country_name: str
    region: str
    notes: str
    is_default: bool
    created_at: str
    updated_at: str


class ClientOut(Schema):
    id: str
    number: str
    id_number: str
    display_name: str
    firstname: str
    lastname: str
    company_name: str
    status: str
    balance: str
    credit_limit: str
    currency: str
    language: str
    tax_id: str
    phone: str
    vies_status: str
    group: int | None
    payment_terms_days: int | None
    tax_exempt: bool | None
    reminders_enabled: bool | None
    owner: OwnerOut
    billing_address: AddressOut | None
    created_at: str
    updated_at: str


class ClientListOut(Schema):
    count: int
    count_capped: bool
    next_cursor: str | None
    results: list[ClientOut]


class AddressListOut(Schema):
    count: int
    results: list[AddressOut]


def address_out(address: Address) -> dict[str, Any]:
    return {
        "id": str(address.id), "type": address.type, "name": address.name, "contact_name": address.contact_name,
        "phone": address.phone, "email": address.email, "address1": address.address1,
        "address2": address.address2, "city": address.city, "postcode": address.postcode,
        "country": address.country, "country_name": country_name(address.country), "region": address.region,
        "notes": address.notes, "is_default": address.is_default,
        "created_at": address.created_at.isoformat(), "updated_at": address.updated_at.isoformat(),
    }


def client_out(client: Client, billing: Address | None) -> dict[str, Any]:
    owner = client.owner
    return {
        "id": str(client.id), "number": client.number, "id_number": client.id_number,
        "display_name": client.display_name, "firstname": client.firstname, "lastname": client.lastname,
        "company_name": client.company_name, "status": client.status,
        "balance": format_api_amount(client.balance), "credit_limit": format_api_amount(client.credit_limit),
        "currency": client.currency, "language": client.language, "tax_id": client.tax_id,
        "phone": client.phone, "vies_status": client.vies_status,
        "group": client.group_id, "payment_terms_days": client.payment_terms_days, "tax_exempt": client.tax_exempt,
        "reminders_enabled": client.reminders_enabled,
        "owner": {"id": str(owner.id), "email": owner.email, "firstname": owner.firstname,
                  "lastname": owner.lastname},
        "billing_address": address_out(billing) if billing else None,
        "created_at": client.created_at.isoformat(), "updated_at": client.updated_at.isoformat(),
    }


class ClientUserLinkIn(StrictSchema):
    email: Any = None
    permissions: Any = None
    firstname: Any = None
    lastname: Any = None
    password: Any = None
    phone: Any = None


class ClientUserPatchIn(StrictSchema):
    permissions: Any = None


class UserCreateIn(StrictSchema):
    email: Any = None
    firstname: Any = None
    lastname: Any = None
    password: Any = None
    language: Any = None


class GroupIn(StrictSchema):
    name: Any = None
    colour: Any = None
    currency: Any = None
    language: Any = None
    payment_terms_days: Any = None
    tax_exempt: Any = None
    reminders_enabled: Any = None


def user_out(user, links=None) -> dict[str, Any]:
    body = {
        "id": str(user.id), "email": user.email, "firstname": user.firstname, "lastname": user.lastname,
        "phone": user.phone, "language": user.language, "email_verified": user.email_verified,
        "two_factor": user.has_2fa, "is_staff": user.is_staff, "created_at": user.created_at.isoformat(),
    }
    if links is not None:
        body["clients"] = [{"client": str(link.client_id), "display_name": link.client.display_name,
                            "owner": link.client.owner_id == user.id, "permissions": link.permissions}
                           for link in links]
    return body


def client_user_out(link) -> dict[str, Any]:
    return {"user": user_out(link.user), "owner": link.client.owner_id == link.user_id,
            "permissions": link.permissions, "created_at": link.created_at.isoformat()}


def group_out(group) -> dict[str, Any]:
    return {
        "id": group.id, "name": group.name, "colour": group.colour, "currency": group.currency or None,
        "language": group.language or None, "payment_terms_days": group.payment_terms_days,
        "tax_exempt": group.tax_exempt, "reminders_enabled": group.reminders_enabled,
        "clients": getattr(group, "client_count", None),
    }
