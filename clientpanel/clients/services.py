"""Writes for clients and addresses. Each service is one transaction: all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clientpanel.accounts.models import User
from clientpanel.accounts.services import clean_email, clean_password
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from clientpanel.core.money import AmountError, parse_amount
from clientpanel.core.numbering import format_number, sequence_next

from .models import Address, AddressType, Client, ClientStatus, ViesStatus
from .validation import (
    FieldInvalid,
    clean_country,
    clean_currency,
    clean_language,
    clean_phone,
    clean_region,
    clean_tax_id,
    clean_text,
)

CLIENT_TEXT_FIELDS = {
    # field: (max length, required, label)
    "firstname": (150, True, "First name"),
    "lastname": (150, True, "Last name"),
    "company_name": (255, False, "Company name"),
    "id_number": (64, False, "ID number"),
    "admin_notes": (10_000, False, "Admin notes"),
    "public_notes": (10_000, False, "Public notes"),
}
ADDRESS_TEXT_FIELDS = {
    "name": (100, False, "Name"),
    "contact_name": (200, False, "Contact"),
    "address1": (255, False, "Address 1"),
    "address2": (255, False, "Address 2"),
    "city": (100, False, "City"),
    "postcode": (20, False, "Postcode"),
    "notes": (2000, False, "Notes"),
}
CLIENT_UPDATABLE = set(CLIENT_TEXT_FIELDS) | {"tax_id", "phone", "language", "currency", "status", "credit_limit"}
ADDRESS_FIELDS = set(ADDRESS_TEXT_FIELDS) | {"type", "phone", "email", "country", "region", "is_default"}


def display_name_of(*, firstname: str, lastname: str, company_name: str) -> str:
    return company_name or f"{firstname} {lastname}".strip()


def search_text_of(client: Client, owner_email: str) -> str:
    digits = "".join(ch for ch in client.phone if ch.isdigit())
    words = [client.number, client.firstname, client.lastname, client.company_name, owner_email,
             client.tax_id, client.phone, digits, client.id_number]
    return " ".join(w for w in words if w).lower()


def _run(errors: FieldErrors, field: str, clean, *args) -> Any:
    try:
        return clean(*args)
    except (FieldInvalid, AmountError) as error:
        errors.add(field, str(error))
        return None


def _clean_credit_limit(value: object) -> Decimal:
    if value is None or value == "":
        return Decimal("0.0000")
    amount = parse_amount(value)
    if amount < 0:
        raise AmountError("The credit limit cannot be negative.")
    return amount


def _clean_status(value: object) -> str:
    status = clean_text(value, max_length=10, required=True, label="Status").upper()
    if status not in ClientStatus.values:
        raise FieldInvalid(f"Unknown status {status!r}; use one of {', '.join(ClientStatus.values)}.")
    return status


def _clean_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", "false", "False", "0", "off"):
        return False
    if value in ("true", "True", "1", "on"):
        return True
    raise FieldInvalid("Use true or false.")


def _clean_address_type(value: object) -> str:
    kind = clean_text(value, max_length=10, required=True, label="Type").upper()
    if kind not in AddressType.values:
        raise FieldInvalid(f"Unknown address type {kind!r}; use one of {', '.join(AddressType.values)}.")
    return kind


def _clean_address(data: Mapping[str, Any], errors: FieldErrors, prefix: str = "",
                   current: Address | None = None) -> dict[str, Any]:
    """Validate the address keys present in data (all of them when creating)."""
    cleaned: dict[str, Any] = {}
    for field, (max_length, required, label) in ADDRESS_TEXT_FIELDS.items():
        if field in data:
            cleaned[field] = _text(errors, prefix + field, data[field], max_length, required, label)
    if "country" in data or current is None:
        cleaned["country"] = _run(errors, prefix + "country", clean_country, data.get("country"))
    country = cleaned.get("country") or (current.country if current else None)
    if ("region" in data or "country" in data) and country:
        region = data.get("region", current.region if current else "")
        cleaned["region"] = _run(errors, prefix + "region", clean_region, region, country)
    if "phone" in data:
        cleaned["phone"] = _run(errors, prefix + "phone", clean_phone, data["phone"], country)
    if "email" in data:
        email = _text(errors, prefix + "email", data["email"], 254, False, "Email")
        if email:
            sub = FieldErrors()
            email = clean_email(email, sub, must_be_new=False)
            for message in sub.fields.get("email", []):
                errors.add(prefix + "email", message)
        cleaned["email"] = email
    if "type" in data:
        cleaned["type"] = _run(errors, prefix + "type", _clean_address_type, data["type"])
    if "is_default" in data:
        cleaned["is_default"] = _run(errors, prefix + "is_default", _clean_bool, data["is_default"])
    return cleaned


def _text(errors: FieldErrors, field: str, value: object, max_length: int, required: bool, label: str) -> str:
    try:
        return clean_text(value, max_length=max_length, required=required, label=label)
    except FieldInvalid as error:
        errors.add(field, str(error))
        return ""


def _next_client_number() -> str:
    number = sequence_next(key="client")
    return format_number(settings.CLIENTPANEL_CLIENT_NUMBER_PATTERN, number, timezone.localdate())


def client_create(*, actor: User | None, data: Mapping[str, Any]) -> Client:
    """Create a client with its owner user and billing address, in one transaction.

    Validates every field first and reports all problems at once; writes nothing on any error.
    The owner gets the password given, or none (an unusable password) until one is set.
    """
    errors = FieldErrors()
    email = clean_email(data.get("email") or "", errors)
    password = data.get("password") or None
    if password is not None and not isinstance(password, str):
        errors.add("password", "The password must be text.")
        password = None
    cleaned: dict[str, Any] = {}
    for field, (max_length, required, label) in CLIENT_TEXT_FIELDS.items():
        cleaned[field] = _text(errors, field, data.get(field), max_length, required, label)
    billing_data = data.get("billing_address")
    if not isinstance(billing_data, Mapping):
        errors.add("billing_address", "A client needs a billing address (at least its country).")
        billing_data = {}
    billing = _clean_address({k: v for k, v in billing_data.items() if k in ADDRESS_FIELDS - {"type", "is_default"}},
                             errors, prefix="billing_address.")
    country = billing.get("country")
    cleaned["tax_id"] = _run(errors, "tax_id", clean_tax_id, data.get("tax_id"), country) if country else ""
    cleaned["phone"] = _run(errors, "phone", clean_phone, data.get("phone"), country)
    cleaned["language"] = _run(errors, "language", clean_language,
                               data.get("language") or settings.CLIENTPANEL_DEFAULT_LANGUAGE)
    cleaned["currency"] = _run(errors, "currency", clean_currency,
                               data.get("currency") or settings.CLIENTPANEL_DEFAULT_CURRENCY)
    cleaned["status"] = _run(errors, "status", _clean_status, data.get("status") or ClientStatus.NEW)
    cleaned["credit_limit"] = _run(errors, "credit_limit", _clean_credit_limit, data.get("credit_limit"))
    clean_password(password, errors, user=User(email=email, firstname=cleaned["firstname"],
                                               lastname=cleaned["lastname"]))
    errors.raise_if_any()

    try:
        with transaction.atomic():
            owner = User.objects.create_user(
                email, password, firstname=cleaned["firstname"], lastname=cleaned["lastname"],
                phone=cleaned["phone"] or "", language=cleaned["language"],
            )
            client = Client(
                number=_next_client_number(),
                owner=owner,
                display_name=display_name_of(**{k: cleaned[k] for k in ("firstname", "lastname", "company_name")}),
                billing_country=billing["country"],
                billing_city=billing.get("city", ""),
                **{k: v if v is not None else "" for k, v in cleaned.items()},
            )
            client.search_text = search_text_of(client, owner.email)
            client.save(force_insert=True)
            if not billing.get("name"):
                billing["name"] = "Default"
            # The billing contact is the owner unless told otherwise, as on the seed's Profile tab.
            billing["contact_name"] = billing.get("contact_name") or f"{owner.firstname} {owner.lastname}"
            billing["email"] = billing.get("email") or owner.email
            billing["phone"] = billing.get("phone") or owner.phone
            Address.objects.create(client=client, type=AddressType.BILLING, **billing)
    except IntegrityError:
        # Another request took the email between our check and the insert.
        raise ValidationFailed.from_fields({"email": ["A user with this email address already exists."]}) from None
    return client


def _lock_client(client_id) -> Client:
    try:
        return Client.objects.select_for_update().select_related("owner").get(pk=client_id)
    except (Client.DoesNotExist, ValueError):
        raise NotFound("Client not found.") from None


def client_update(*, actor: User | None, client_id, data: Mapping[str, Any]) -> Client:
    """Change the fields present in data; others keep their value. Locks the client row.

    A changed tax ID is validated for the billing country and resets the VIES status.
    """
    unknown = set(data) - CLIENT_UPDATABLE
    if unknown:
        raise ValidationFailed.from_fields({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    with transaction.atomic():
        client = _lock_client(client_id)
        errors = FieldErrors()
        changes: dict[str, Any] = {}
        for field, (max_length, required, label) in CLIENT_TEXT_FIELDS.items():
            if field in data:
                changes[field] = _text(errors, field, data[field], max_length, required, label)
        if "tax_id" in data:
            changes["tax_id"] = _run(errors, "tax_id", clean_tax_id, data["tax_id"], client.billing_country)
        if "phone" in data:
            changes["phone"] = _run(errors, "phone", clean_phone, data["phone"], client.billing_country)
        if "language" in data:
            changes["language"] = _run(errors, "language", clean_language, data["language"])
        if "currency" in data:
            changes["currency"] = _run(errors, "currency", clean_currency, data["currency"])
        if "status" in data:
            changes["status"] = _run(errors, "status", _clean_status, data["status"])
        if "credit_limit" in data:
            changes["credit_limit"] = _run(errors, "credit_limit", _clean_credit_limit, data["credit_limit"])
        errors.raise_if_any()
        if "tax_id" in changes and changes["tax_id"] != client.tax_id:
            client.vies_status = ViesStatus.UNCHECKED
            client.vies_checked_at = None
        for field, value in changes.items():
            setattr(client, field, value)
        client.display_name = display_name_of(firstname=client.firstname, lastname=client.lastname,
                                              company_name=client.company_name)
        client.search_text = search_text_of(client, client.owner.email)
        client.save()
    return client


def _address_of(client_id, address_id) -> Address:
    try:
        return Address.objects.select_for_update().get(pk=address_id, client_id=client_id)
    except (Address.DoesNotExist, ValueError):
        raise NotFound("Address not found for this client.") from None


def _clear_other_defaults(client: Client, keep: Address | None) -> None:
    # Cleared before the new default is written: the partial unique index allows one at a time.
    others = Address.objects.filter(client=client, type=AddressType.SHIPPING, is_default=True)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    others.update(is_default=False)


def address_create(*, actor: User | None, client_id, data: Mapping[str, Any]) -> Address:
    """Add a shipping or service address. A second billing address is refused; setting this one as
    the default shipping address clears the flag on the others in the same transaction."""
    with transaction.atomic():
        client = _lock_client(client_id)
        errors = FieldErrors()
        cleaned = _clean_address({k: v for k, v in data.items() if k in ADDRESS_FIELDS}, errors)
        if "type" not in data:
            errors.add("type", "Choose the address type: SHIPPING or SERVICE.")
        unknown = set(data) - ADDRESS_FIELDS
        for name in sorted(unknown):
            errors.add(name, "Unknown field.")
        if cleaned.get("type") == AddressType.BILLING:
            errors.add("type", "A client has exactly one billing address; edit it instead of adding another.")
        if cleaned.get("is_default") and cleaned.get("type") != AddressType.SHIPPING:
            errors.add("is_default", "Only a shipping address can be the default one.")
        errors.raise_if_any()
        if not cleaned.get("name"):
            cleaned["name"] = cleaned["type"].title()
        if cleaned.get("is_default"):
            _clear_other_defaults(client, None)
        address = Address.objects.create(client=client, **cleaned)
    return address


def address_update(*, actor: User | None, client_id, address_id, data: Mapping[str, Any]) -> Address:
    """Change an address. The billing address cannot be retyped, nor another made billing; when
    the billing country changes the client's tax ID must still be valid there."""
    with transaction.atomic():
        client = _lock_client(client_id)
        address = _address_of(client.pk, address_id)
        errors = FieldErrors()
        unknown = set(data) - ADDRESS_FIELDS
        for name in sorted(unknown):
            errors.add(name, "Unknown field.")
        cleaned = _clean_address({k: v for k, v in data.items() if k in ADDRESS_FIELDS}, errors, current=address)
        new_type = cleaned.get("type", address.type)
        if address.type == AddressType.BILLING and new_type != AddressType.BILLING:
            errors.add("type", "The billing address cannot change its type.")
        elif address.type != AddressType.BILLING and new_type == AddressType.BILLING:
            errors.add("type", "A client has exactly one billing address; edit it instead.")
        is_default = cleaned.get("is_default", address.is_default)
        if is_default and new_type != AddressType.SHIPPING:
            if "is_default" in data and cleaned.get("is_default"):
                errors.add("is_default", "Only a shipping address can be the default one.")
            else:
                cleaned["is_default"] = False
        if (address.type == AddressType.BILLING and cleaned.get("country")
                and cleaned["country"] != address.country and client.tax_id):
            try:
                clean_tax_id(client.tax_id, cleaned["country"])
            except FieldInvalid as error:
                errors.add("country", f"The client's tax ID {client.tax_id} does not fit this country: {error} "
                                      "Change the tax ID on the profile first.")
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
    return address


def address_delete(*, actor: User | None, client_id, address_id) -> None:
    """Delete a shipping or service address; the billing address can never be deleted."""
    with transaction.atomic():
        client = _lock_client(client_id)
        address = _address_of(client.pk, address_id)
        if address.type == AddressType.BILLING:
            raise Conflict(
                "The billing address cannot be deleted; edit it instead.",
                fields={"type": ["The billing address cannot be deleted."]},
                code="billing_address_required",
            )
        address.delete()
