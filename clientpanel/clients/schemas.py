"""The API's shapes for clients, addresses, users and groups: every input typed and bounded
(core/api_types.py), every answer declared."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StrictBool

from clientpanel.core.api_types import Int, IntId, MoneyString, OneLine, Text
from clientpanel.core.api_types import strict_example as example
from clientpanel.core.money import format_api_amount
from clientpanel.core.schemas import ListOut, StrictSchema

from .models import Address, Client
from .validation import country_name

Email = OneLine(254)
Password = OneLine(128)  # as the logins read one (accounts.services.cleaning.clean_password)
Name = OneLine(150)
Phone = OneLine(64)
Days = Int(0, 365)
PermissionKeys = Annotated[list[OneLine(64)], Field(max_length=50)]


BILLING_EXAMPLE = {"address1": "Main Street 1", "city": "Warszawa", "postcode": "02-454", "country": "PL",
                   "region": "Mazowieckie"}


class BillingAddressIn(StrictSchema):
    name: OneLine(100) | None = None
    contact_name: OneLine(200) | None = None
    phone: Phone | None = None
    email: Email | None = None
    address1: OneLine(255) | None = None
    address2: OneLine(255) | None = None
    city: OneLine(100) | None = None
    postcode: OneLine(20) | None = None
    country: OneLine(2) | None = Field(None, description="ISO 3166-1 alpha-2, e.g. PL")
    region: OneLine(100) | None = Field(None, description="ISO 3166-2 code or name, e.g. PL-14 or Mazowieckie")
    notes: Text(2000) | None = None


class ClientUpdateIn(StrictSchema):
    model_config = example(company_name="Acme Hosting", credit_limit="250.00", admin_notes="Pays by wire.\nVIP")
    firstname: Name | None = None
    lastname: Name | None = None
    company_name: OneLine(255) | None = None
    tax_id: OneLine(64) | None = None
    phone: Phone | None = None
    language: OneLine(8) | None = None
    currency: OneLine(3) | None = None
    status: OneLine(10) | None = None
    credit_limit: MoneyString = None
    id_number: OneLine(64) | None = None
    admin_notes: Text(10_000) | None = None
    public_notes: Text(10_000) | None = None
    group: IntId | None = None
    payment_terms_days: Days | None = None
    tax_exempt: StrictBool | None = None
    reminders_enabled: StrictBool | None = None
    einvoice_format: OneLine(20) | None = Field(None, description="The e-invoice the client asked for: ubl, cii or "
                                                                  "facturx; empty for its home company's")
    peppol_id: OneLine(60) | None = Field(None, description="Peppol participant ID, e.g. 0088:5790000436057")


class ClientCreateIn(ClientUpdateIn):
    model_config = example(email="owner@example.com", firstname="Ruslan", lastname="Polovyi", currency="PLN",
                           language="pl", billing_address=BILLING_EXAMPLE)
    email: Email | None = None
    password: Password | None = None
    billing_address: BillingAddressIn | None = None
    send_welcome_email: StrictBool = Field(False, description="Send the owner the welcome e-mail (with a link to "
                                                              "choose a password when none is given)")


class AddressIn(BillingAddressIn):
    model_config = example(type="SHIPPING", name="Warehouse", address1="ul. Długa 5", city="Kraków", postcode="31-147",
                           country="PL", region="PL-12")
    type: OneLine(10) | None = Field(None, description="BILLING or SHIPPING")
    is_default: StrictBool | None = None


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
    einvoice_format: str
    peppol_id: str
    owner: OwnerOut
    billing_address: AddressOut | None
    created_at: str
    updated_at: str


class ClientListOut(Schema):
    count: int
    count_capped: bool
    next_cursor: str | None
    results: list[ClientOut]


class AddressListOut(ListOut[AddressOut]):
    """A client's addresses, with how many there are."""


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
        "reminders_enabled": client.reminders_enabled, "einvoice_format": client.einvoice_format,
        "peppol_id": client.peppol_id,
        "owner": {"id": str(owner.id), "email": owner.email, "firstname": owner.firstname,
                  "lastname": owner.lastname},
        "billing_address": address_out(billing) if billing else None,
        "created_at": client.created_at.isoformat(), "updated_at": client.updated_at.isoformat(),
    }


class ClientUserLinkIn(StrictSchema):
    model_config = example(email="accountant@example.com", firstname="Anna", lastname="Nowak",
                           permissions=["manage-invoices", "view-documents"])
    email: Email | None = None
    permissions: PermissionKeys | None = None
    firstname: Name | None = None
    lastname: Name | None = None
    password: Password | None = None
    phone: Phone | None = None
    send_invitation: StrictBool = Field(False, description="Tell the user by e-mail (with a link to choose a "
                                                           "password when it has none)")


class ClientUserPatchIn(StrictSchema):
    model_config = example(permissions=["manage-invoices"])
    permissions: PermissionKeys | None = None


class UserCreateIn(StrictSchema):
    model_config = example(email="new.user@example.com", firstname="Jan", lastname="Kowalski", language="pl")
    email: Email | None = None
    firstname: Name | None = None
    lastname: Name | None = None
    password: Password | None = None
    language: OneLine(8) | None = None


class GroupIn(StrictSchema):
    model_config = example(name="Wholesale", colour="#336699", currency="EUR", payment_terms_days=30)
    name: OneLine(100) | None = None
    colour: OneLine(7) | None = Field(None, description="#rrggbb")
    currency: OneLine(3) | None = None
    language: OneLine(8) | None = None
    payment_terms_days: Days | None = None
    tax_exempt: StrictBool | None = None
    reminders_enabled: StrictBool | None = None
    reminder_days_before: Int(0, 60) | None = Field(None, description="null: the home company's days")
    reminder_days_overdue: Int(0, 60) | None = Field(None, description="null: the home company's days")


class UserOut(Schema):
    id: str
    email: str
    firstname: str
    lastname: str
    phone: str
    language: str
    email_verified: bool
    two_factor: bool
    is_staff: bool
    created_at: str


class UserClientOut(Schema):
    client: str
    display_name: str
    owner: bool
    permissions: list[str]


class UserDetailOut(UserOut):
    clients: list[UserClientOut]


class UserListOut(ListOut[UserOut]):
    # `count` stops at the directory's cap (core/pagination.py COUNT_CAP); this says when it did.
    count_capped: bool


class ClientUserOut(Schema):
    user: UserOut
    owner: bool
    permissions: list[str]
    created_at: str


class ClientUserListOut(ListOut[ClientUserOut]):
    """The users of a client, with how many there are."""


class GroupOut(Schema):
    id: int
    name: str
    colour: str
    currency: str | None
    language: str | None
    payment_terms_days: int | None
    tax_exempt: bool | None
    reminders_enabled: bool | None
    reminder_days_before: int | None
    reminder_days_overdue: int | None
    clients: int | None


class GroupListOut(ListOut[GroupOut]):
    """The client groups, with how many there are."""


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
        "reminder_days_before": group.reminder_days_before, "reminder_days_overdue": group.reminder_days_overdue,
        "clients": getattr(group, "client_count", None),
    }
