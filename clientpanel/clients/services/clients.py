"""Writes for clients and addresses. Each service is one transaction: all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.accounts.models import User, normalize_email
from clientpanel.accounts.selectors import staff_manageable_by
from clientpanel.accounts.services import clean_email, clean_password, staff_update
from clientpanel.audit.services import audit_record, created, deleted, diff, snapshot
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.money import AmountError, parse_amount, parse_currency_amount
from clientpanel.core.numbering import format_number, sequence_next

from .. import policies
from ..events import ClientCreated
from ..models import (
    Address,
    AddressType,
    Client,
    ClientGroup,
    ClientStatus,
    ClientUser,
    StaffAssignment,
    ViesStatus,
)
from ..permissions import ALL_PERMISSIONS, CLIENT_PERMISSIONS
from ..selectors import client_ids_by_number, clients_visible_to, users_visible_to
from ..validation import (
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
CLIENT_SETTINGS = {"group", "payment_terms_days", "tax_exempt", "reminders_enabled"}
CLIENT_UPDATABLE = set(CLIENT_TEXT_FIELDS) | {"tax_id", "phone", "language", "currency", "status",
                                              "credit_limit"} | CLIENT_SETTINGS
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


def _clean_credit_limit(value: object, currency: str | None) -> Decimal:
    """A limit, so at most the currency's minor unit of decimals (see docs/decisions.md, Money)."""
    if value is None or value == "":
        return Decimal("0.0000")
    amount = parse_currency_amount(value, currency) if currency else parse_amount(value)
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


def _clean_optional_bool(value: object) -> bool | None:
    if value in (None, "", "inherit"):
        return None
    return _clean_bool(value)


def _clean_payment_terms(value: object) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise FieldInvalid("Enter a number of days.")
    try:
        days = int(str(value).strip())
    except ValueError:
        raise FieldInvalid("Enter a whole number of days.") from None
    if not 0 <= days <= 365:
        raise FieldInvalid("Payment terms are 0 to 365 days.")
    return days


def _clean_group(value: object) -> ClientGroup | None:
    if value in (None, ""):
        return None
    if isinstance(value, ClientGroup):
        return value
    try:
        return ClientGroup.objects.get(pk=int(str(value)))
    except (ValueError, ClientGroup.DoesNotExist):
        raise FieldInvalid(f"There is no group {value!r}.") from None


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


def client_create(*, actor: ActorLike, data: Mapping[str, Any]) -> Client:
    """Create a client with its owner user and billing address, in one transaction.

    Validates every field first and reports all problems at once; writes nothing on any error.
    The owner gets the password given, or none (an unusable password) until one is set.
    """
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), "You are not allowed to create clients.")
    errors = FieldErrors()
    group = _run(errors, "group", _clean_group, data.get("group"))
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
    # A new client in a group takes the group's currency and language unless told otherwise.
    cleaned["language"] = _run(errors, "language", clean_language, data.get("language") or (
        group.language if group and group.language else settings.CLIENTPANEL_DEFAULT_LANGUAGE))
    cleaned["currency"] = _run(errors, "currency", clean_currency, data.get("currency") or (
        group.currency if group and group.currency else settings.CLIENTPANEL_DEFAULT_CURRENCY))
    cleaned["status"] = _run(errors, "status", _clean_status, data.get("status") or ClientStatus.NEW)
    cleaned["credit_limit"] = _run(errors, "credit_limit", _clean_credit_limit, data.get("credit_limit"),
                                   cleaned["currency"])
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
                group=group,
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
            address = Address.objects.create(client=client, type=AddressType.BILLING, **billing)
            ClientUser.objects.create(client=client, user=owner, permissions=list(ALL_PERMISSIONS))
            if actor.is_staff_side and actor.limited_to_assigned:
                # Otherwise a customer admin would lose sight of the client they just created.
                StaffAssignment.objects.create(staff=actor.user, client=client)
            audit_record(action="client.create", target=client, client_id=client.pk,
                         changes=created(client, owner=owner.email))
            audit_record(action="address.create", target=address, client_id=client.pk, changes=created(address))
            publish(ClientCreated(client_id=client.pk, number=client.number, owner_id=owner.pk))
    except IntegrityError:
        # Another request took the email between our check and the insert.
        raise ValidationFailed.from_fields({"email": ["A user with this email address already exists."]}) from None
    return client


def _lock_client(client_id, actor: ActorLike = None) -> Client:
    """Lock the client row; a staff actor must be able to see the client (assignment rules)."""
    clients = clients_visible_to(actor)
    try:
        # No select_related here: on PostgreSQL a locked row that another transaction changed is
        # re-checked against the joined rows it was first read with, so a join on the owner would
        # make the client vanish right after an ownership transfer.
        return clients.select_for_update().get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise NotFound("Client not found.") from None


def _has_money_history(client: Client) -> bool:
    # Reverse relations of the apps that hold money (ledger, documents), reached by name so this
    # app does not import them.
    return client.ledger_entries.exists() or client.documents.exclude(status="DRAFT").exists()


def client_update(*, actor: ActorLike, client_id, data: Mapping[str, Any]) -> Client:
    """Change the fields present in data; others keep their value. Locks the client row.

    A changed tax ID is validated for the billing country and resets the VIES status.
    """
    unknown = set(data) - CLIENT_UPDATABLE
    if unknown:
        raise ValidationFailed.from_fields({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    actor = as_actor(actor)
    require(policies.can_edit_client(actor), "You are not allowed to edit clients.")
    with transaction.atomic():
        client = _lock_client(client_id, actor)
        before = snapshot(client)
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
            changes["credit_limit"] = _run(errors, "credit_limit", _clean_credit_limit, data["credit_limit"],
                                           changes.get("currency") or client.currency)
        if "group" in data:
            changes["group"] = _run(errors, "group", _clean_group, data["group"])
        if "payment_terms_days" in data:
            changes["payment_terms_days"] = _run(errors, "payment_terms_days", _clean_payment_terms,
                                                 data["payment_terms_days"])
        for flag in ("tax_exempt", "reminders_enabled"):
            if flag in data:
                changes[flag] = _run(errors, flag, _clean_optional_bool, data[flag])
        errors.raise_if_any()
        if changes.get("currency") and changes["currency"] != client.currency and _has_money_history(client):
            errors.add("currency", f"The currency stays {client.currency}: this client has ledger entries or "
                                   "issued documents in it (SPEC §1). Create a new client account instead.")
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
        changed = diff(before, snapshot(client))
        if changed:
            audit_record(action="client.update", target=client, client_id=client.pk, changes=changed)
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
    for other in others:
        other.is_default = False
        other.save(update_fields=["is_default", "updated_at"])
        audit_record(action="address.update", target=other, client_id=client.pk, changes={"is_default": [True, False]})


def address_create(*, actor: ActorLike, client_id, data: Mapping[str, Any]) -> Address:
    """Add a shipping or service address. A second billing address is refused; setting this one as
    the default shipping address clears the flag on the others in the same transaction."""
    actor = as_actor(actor)
    require(policies.can_edit_client(actor), "You are not allowed to edit clients.")
    with transaction.atomic():
        client = _lock_client(client_id, actor)
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
        audit_record(action="address.create", target=address, client_id=client.pk, changes=created(address))
    return address


def address_update(*, actor: ActorLike, client_id, address_id, data: Mapping[str, Any]) -> Address:
    """Change an address. The billing address cannot be retyped, nor another made billing; when
    the billing country changes the client's tax ID must still be valid there."""
    actor = as_actor(actor)
    require(policies.can_edit_client(actor), "You are not allowed to edit clients.")
    with transaction.atomic():
        client = _lock_client(client_id, actor)
        address = _address_of(client.pk, address_id)
        before = snapshot(address)
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
        changed = diff(before, snapshot(address))
        if changed:
            audit_record(action="address.update", target=address, client_id=client.pk, changes=changed)
    return address


def address_delete(*, actor: ActorLike, client_id, address_id) -> None:
    """Delete a shipping or service address; the billing address can never be deleted."""
    actor = as_actor(actor)
    require(policies.can_edit_client(actor), "You are not allowed to edit clients.")
    with transaction.atomic():
        client = _lock_client(client_id, actor)
        address = _address_of(client.pk, address_id)
        if address.type == AddressType.BILLING:
            raise Conflict(
                "The billing address cannot be deleted; edit it instead.",
                fields={"type": ["The billing address cannot be deleted."]},
                code="billing_address_required",
            )
        audit_record(action="address.delete", target=address, client_id=client.pk, changes=deleted(address))
        address.delete()


# --- client users (SPEC §3) ------------------------------------------------------------------

def _clean_permissions(values: object, errors: FieldErrors) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple, set)):
        errors.add("permissions", "Send a list of permission keys.")
        return []
    unknown = [v for v in values if not isinstance(v, str) or v not in CLIENT_PERMISSIONS]
    for value in unknown:
        errors.add("permissions", f"Unknown permission {value!r}; use one of {', '.join(ALL_PERMISSIONS)}.")
    return [key for key in ALL_PERMISSIONS if key in values]


def _link_of(client: Client, user_id) -> ClientUser:
    try:
        return ClientUser.objects.select_related("user").select_for_update().get(client=client, user_id=user_id)
    except (ClientUser.DoesNotExist, ValueError, TypeError):
        raise NotFound("This user is not linked to the client.") from None


def client_user_link(*, actor: ActorLike, client_id, data: Mapping[str, Any]) -> ClientUser:
    """Link a user to a client with chosen permissions: an existing user by email, or a new one
    (names and optionally a password) when nobody has that email. Refuses a user already linked,
    a staff account, and unknown permissions; writes nothing then."""
    actor = as_actor(actor)
    require(policies.can_manage_client_users(actor, client_id), "You are not allowed to change client users.")
    allowed = {"email", "permissions", "firstname", "lastname", "password", "phone"}
    with transaction.atomic():
        client = _lock_client(client_id, actor)
        errors = FieldErrors()
        for name in sorted(set(data) - allowed):
            errors.add(name, "Unknown field.")
        permissions = _clean_permissions(data.get("permissions"), errors)
        email = clean_email(str(data.get("email") or ""), errors, must_be_new=False)
        user = User.objects.filter(email=normalize_email(email)).first() if email else None
        taken_out_of_scope = False
        if user is not None and not actor.is_system and not users_visible_to(actor).filter(pk=user.pk).exists():
            # An account the actor does not see (issue 9) is answered like a new email: its name,
            # whether it is staff, its clients stay hidden, and it is not linked.
            user, taken_out_of_scope = None, True
        firstname = _text(errors, "firstname", data.get("firstname"), 150, user is None, "First name")
        lastname = _text(errors, "lastname", data.get("lastname"), 150, user is None, "Last name")
        password = data.get("password") or None
        if password is not None and not isinstance(password, str):
            errors.add("password", "The password must be text.")
            password = None
        if user is not None:
            if user.is_staff:
                errors.add("email", "This is a staff account; staff and client users are kept apart.")
            elif ClientUser.objects.filter(client=client, user=user).exists():
                errors.add("email", "This user is linked to the client already.")
        else:
            clean_password(password, errors, user=User(email=email, firstname=firstname, lastname=lastname))
        phone = _run(errors, "phone", clean_phone, data.get("phone"), client.billing_country) or ""
        errors.raise_if_any()
        if taken_out_of_scope:
            # Only now, when a new user would be created, and in the words any user creation uses.
            raise ValidationFailed.from_fields({"email": ["A user with this email address already exists."]})
        if user is None:
            user = User.objects.create_user(email, password, firstname=firstname, lastname=lastname, phone=phone,
                                            language=client.language)
            audit_record(action="user.create", target=user, client_id=client.pk,
                         changes={"email": [None, user.email], "name": [None, user.full_name]})
        link = ClientUser.objects.create(client=client, user=user, permissions=permissions)
        audit_record(action="client_user.link", target=link, client_id=client.pk, object_label=user.email,
                     changes={"permissions": [None, permissions]})
    return link


def client_user_update(*, actor: ActorLike, client_id, user_id, permissions: object) -> ClientUser:
    """Change a linked user's permissions. The owner's link always has every permission."""
    actor = as_actor(actor)
    require(policies.can_manage_client_users(actor, client_id), "You are not allowed to change client users.")
    with transaction.atomic():
        client = _lock_client(client_id, actor)
        link = _link_of(client, user_id)
        errors = FieldErrors()
        cleaned = _clean_permissions(permissions, errors)
        if link.user_id == client.owner_id:
            errors.add("permissions", "The owner has every permission; transfer ownership to restrict this user.")
        errors.raise_if_any()
        before = list(link.permissions)
        link.permissions = cleaned
        link.save(update_fields=["permissions"])
        if before != cleaned:
            audit_record(action="client_user.update", target=link, client_id=client.pk, object_label=link.user.email,
                         changes={"permissions": [before, cleaned]})
    return link


def client_user_remove(*, actor: ActorLike, client_id, user_id) -> None:
    """Unlink a user from a client (the user account stays). Never the owner's link."""
    actor = as_actor(actor)
    require(policies.can_manage_client_users(actor, client_id), "You are not allowed to change client users.")
    with transaction.atomic():
        client = _lock_client(client_id, actor)
        link = _link_of(client, user_id)
        if link.user_id == client.owner_id:
            raise Conflict("The owner's link cannot be removed; transfer ownership first.",
                           fields={"user": ["This user owns the client."]}, code="owner_link_required")
        audit_record(action="client_user.remove", target=link, client_id=client.pk, object_label=link.user.email,
                     changes={"permissions": [link.permissions, None]})
        link.delete()


def client_transfer_ownership(*, actor: ActorLike, client_id, user_id) -> Client:
    """Make a linked user the owner, in one transaction with the client row locked: the new owner
    gets every permission, the old owner keeps a normal link with the permissions it had."""
    actor = as_actor(actor)
    require(policies.can_transfer_ownership(actor), "You are not allowed to transfer ownership.")
    with transaction.atomic():
        client = _lock_client(client_id, actor)
        link = _link_of(client, user_id)
        if link.user_id == client.owner_id:
            raise ValidationFailed("This user owns the client already.",
                                   fields={"user": ["This user owns the client already."]})
        old_owner = client.owner
        link.permissions = list(ALL_PERMISSIONS)
        link.save(update_fields=["permissions"])
        client.owner = link.user
        client.search_text = search_text_of(client, link.user.email)
        client.save(update_fields=["owner", "search_text", "updated_at"])
        audit_record(action="client.transfer_ownership", target=client, client_id=client.pk,
                     changes={"owner": [old_owner.email, link.user.email]})
    return client


# --- groups (SPEC §8) ------------------------------------------------------------------------

GROUP_FIELDS = {"name", "colour", "currency", "language", "payment_terms_days", "tax_exempt", "reminders_enabled"}


def group_save(*, actor: ActorLike, data: Mapping[str, Any], group_id=None) -> ClientGroup:
    """Create a group, or change the fields present in data."""
    actor = as_actor(actor)
    require(policies.can_manage_groups(actor), "You are not allowed to manage groups.")
    with transaction.atomic():
        if group_id is None:
            group, before = ClientGroup(), {}
        else:
            try:
                group = ClientGroup.objects.select_for_update().get(pk=group_id)
            except (ClientGroup.DoesNotExist, ValueError, TypeError):
                raise NotFound("Group not found.") from None
            before = snapshot(group)
        errors = FieldErrors()
        for name in sorted(set(data) - GROUP_FIELDS):
            errors.add(name, "Unknown field.")
        if "name" in data or group_id is None:
            name = _text(errors, "name", data.get("name"), 100, True, "Name")
            if name and ClientGroup.objects.filter(name__iexact=name).exclude(pk=group.pk).exists():
                errors.add("name", "A group with this name exists already.")
            group.name = name
        if "colour" in data:
            colour = _text(errors, "colour", data["colour"], 7, True, "Colour")
            if colour and not (len(colour) == 7 and colour[0] == "#"
                               and all(c in "0123456789abcdefABCDEF" for c in colour[1:])):
                errors.add("colour", "Use a colour like #1a2b3c.")
            group.colour = colour
        if "currency" in data:
            group.currency = _run(errors, "currency", clean_currency, data["currency"]) if data["currency"] else ""
        if "language" in data:
            group.language = _run(errors, "language", clean_language, data["language"]) if data["language"] else ""
        if "payment_terms_days" in data:
            group.payment_terms_days = _run(errors, "payment_terms_days", _clean_payment_terms,
                                            data["payment_terms_days"])
        for flag in ("tax_exempt", "reminders_enabled"):
            if flag in data:
                setattr(group, flag, _run(errors, flag, _clean_optional_bool, data[flag]))
        errors.raise_if_any()
        group.save()
        changed = diff(before, snapshot(group))
        audit_record(action="group.create" if not before else "group.update", target=group, changes=changed)
    return group


def group_delete(*, actor: ActorLike, group_id) -> None:
    """Delete a group that no client belongs to. With clients in it the deletion is refused (move
    them first): silently moving clients would change their settings behind staff's back."""
    actor = as_actor(actor)
    require(policies.can_manage_groups(actor), "You are not allowed to manage groups.")
    with transaction.atomic():
        try:
            group = ClientGroup.objects.select_for_update().get(pk=group_id)
        except (ClientGroup.DoesNotExist, ValueError, TypeError):
            raise NotFound("Group not found.") from None
        members = group.clients.count()
        if members:
            raise Conflict(f"{members} client{'s are' if members != 1 else ' is'} in the group {group.name}; "
                           "move them to another group first.", code="group_not_empty")
        audit_record(action="group.delete", target=group, changes={"name": [group.name, None]})
        group.delete()


# --- staff assignments (SPEC §4) -------------------------------------------------------------

def staff_assignments_set(*, actor: ActorLike, staff_id, client_ids: list) -> list[StaffAssignment]:
    """Replace the clients assigned to a staff member. A staff actor reaches only staff it manages
    (accounts' staff_manageable_by) and assigns only clients it sees (others are answered like
    unknown ones); nobody changes their own assignments (issue 9)."""
    actor = as_actor(actor)
    require(policies.can_manage_staff(actor), "You are not allowed to manage staff.")
    with transaction.atomic():
        try:
            staff = User.objects.select_for_update().get(pk=staff_id, is_staff=True)
        except (User.DoesNotExist, ValueError, TypeError, DjangoValidationError):
            raise NotFound("Staff member not found.") from None
        if not actor.is_system and not staff_manageable_by(actor).filter(pk=staff.pk).exists():
            raise NotFound("Staff member not found.")
        assignable = clients_visible_to(actor)
        wanted = set()
        errors = FieldErrors()
        for value in client_ids:
            try:
                wanted.add(assignable.only("id").get(pk=value).pk)
            except (Client.DoesNotExist, ValueError, TypeError, DjangoValidationError):
                errors.add("clients", f"There is no client {value!r}.")
        current = set(StaffAssignment.objects.filter(staff=staff).values_list("client_id", flat=True))
        if actor.user_id == staff.pk and wanted != current:
            errors.add("clients", "You cannot change your own assigned clients; ask another staff manager.")
        errors.raise_if_any()
        StaffAssignment.objects.filter(staff=staff, client_id__in=current - wanted).delete()
        StaffAssignment.objects.bulk_create([StaffAssignment(staff=staff, client_id=c) for c in wanted - current])
        if current != wanted:
            audit_record(action="staff.assign_clients", target=staff,
                         changes={"clients": [sorted(map(str, current)), sorted(map(str, wanted))]})
    return list(StaffAssignment.objects.filter(staff=staff))


def staff_member_update(*, actor: ActorLike, staff_id, data: Mapping[str, Any],
                        client_numbers: list[str]) -> User:
    """Settings → Staff → a staff member: names, roles, active flag, limitation (accounts'
    staff_update) and assigned clients by number, in one transaction. Both refuse a staff member
    outside the actor's limits, and numbers of clients the actor does not see are answered like
    unknown ones."""
    actor = as_actor(actor)
    require(policies.can_manage_staff(actor), "You are not allowed to manage staff.")
    with transaction.atomic():
        client_ids, unknown = client_ids_by_number(actor=actor, numbers=client_numbers)
        if unknown:
            raise ValidationFailed.from_fields({"clients": [f"No client has the number {', '.join(unknown)}."]})
        staff = staff_update(actor=actor, staff_id=staff_id, data=dict(data))
        staff_assignments_set(actor=actor, staff_id=staff_id, client_ids=client_ids)
    return staff


# --- VIES (SPEC §6) ---------------------------------------------------------------------------

def client_vies_check(*, client_id) -> str | None:
    """Check the client's VAT number with VIES and record VALID, INVALID or ERROR with the time.
    Runs from a job: the HTTP call happens outside any transaction, and a tax ID changed meanwhile
    is not overwritten with the old number's answer. Answers the status, or None when the client
    has no EU VAT number to check."""
    from clientpanel.tax.selectors import vat_member_state
    from clientpanel.tax.vies import check_vat

    client = Client.objects.filter(pk=client_id).only("tax_id").first()
    if client is None or not vat_member_state(client.tax_id):
        return None
    status = check_vat(client.tax_id)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client_id)
        if locked.tax_id != client.tax_id:
            return None
        before = locked.vies_status
        locked.vies_status = status
        locked.vies_checked_at = timezone.now()
        locked.save(update_fields=["vies_status", "vies_checked_at", "updated_at"])
        audit_record(action="client.vies_check", target=locked, client_id=locked.pk,
                     changes={"vies_status": [before, status]})
    return status
