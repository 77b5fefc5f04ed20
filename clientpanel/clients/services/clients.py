"""Writes for the client row itself: create (with its owner and billing address) and update, and the
display name and search text kept with every change. Each service is one transaction: all or nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record, created, diff, snapshot
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.ids import new_id
from clientpanel.core.numbering import format_number, sequence_next
from clientpanel.core.text import search_folded

from .. import policies, rules
from ..events import ClientCreated, ClientUpdated, WelcomeEmailRequested
from ..models import Address, AddressType, Client, ClientBalance, ClientUser, StaffAssignment, ViesStatus
from ..permissions import ALL_PERMISSIONS
from ..selectors import clients_visible_to
from ..validation import (
    clean_currency,
    clean_einvoice_format,
    clean_language,
    clean_peppol_id,
    clean_phone,
    clean_tax_id,
)
from .cleaning import (
    CLIENT_TEXT_FIELDS,
    CLIENT_UPDATABLE,
    INHERITED_SETTINGS,
    clean_credit_limit,
    clean_group,
    clean_new_client,
    clean_optional_bool,
    clean_payment_terms,
    clean_status,
    clean_text_field,
    run_clean,
)
from .phones import client_phone_mirrors_follow
from .status import refuse_reopening_erased
from .unused_logins import clean_owner_email, owner_for_new_client


def display_name_of(*, firstname: str, lastname: str, company_name: str) -> str:
    return company_name or f"{firstname} {lastname}".strip()


_NOT_DIGIT = re.compile(r"\D")


def search_text_of(client: Client | Mapping[str, Any], owner_email: str) -> str:
    """The directory's search words of a client (a row, or its values by field name)."""
    get = client.get if isinstance(client, Mapping) else lambda name: getattr(client, name)
    phone = get("phone") or ""
    digits = _NOT_DIGIT.sub("", phone)
    words = [get("number"), get("firstname"), get("lastname"), get("company_name"), owner_email,
             get("tax_id"), phone, digits, get("id_number")]
    return search_folded(" ".join(w for w in words if w))  # as search_words folds what is searched


def new_client_values(cleaned: Mapping[str, Any], billing: Mapping[str, Any], *, owner: Mapping[str, Any],
                      group_id, number: str,
                      ids: tuple[Any, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values (by attname, ids included) of a new client's row and billing address row, from
    clean_new_client's answer and its owner's id, email, firstname, lastname and phone:
    client_create makes its rows of them one by one, the CSV import inserts them in batches (and
    gives the two rows' ids, made a batch at a time: core.ids.new_id_texts)."""
    client_id, address_id = ids or (new_id(), new_id())
    client = {k: v if v is not None or k in INHERITED_SETTINGS else "" for k, v in cleaned.items()}
    client.update(
        id=client_id, number=number, owner_id=owner["id"], group_id=group_id,
        display_name=display_name_of(**{k: cleaned[k] for k in ("firstname", "lastname", "company_name")}),
        billing_country=billing["country"], billing_city=billing.get("city", ""))
    client["search_text"] = search_text_of(client, owner["email"])
    address = {**billing, "id": address_id, "client_id": client_id, "type": AddressType.BILLING}
    if not address.get("name"):
        address["name"] = "Default"
    # The billing contact is the owner unless told otherwise, as on the seed's Profile tab.
    address["contact_name"] = address.get("contact_name") or f"{owner['firstname']} {owner['lastname']}"
    address["email"] = address.get("email") or owner["email"]
    address["phone"] = address.get("phone") or owner["phone"]
    return client, address


def _next_client_number() -> str:
    number = sequence_next(key="client")
    return format_number(settings.CLIENTPANEL_CLIENT_NUMBER_PATTERN, number, timezone.localdate())


def client_create(*, actor: ActorLike, data: Mapping[str, Any], send_welcome_email: bool = False,
                  adopt_unused_login: bool = True) -> Client:
    """Create a client with its owner user and billing address, in one transaction.

    Validates every field first and reports all problems at once; writes nothing on any error.
    The owner gets the password given, or none (an unusable password) until one is set — the
    welcome e-mail, sent only when asked, then carries a link to choose one. An address whose login
    nobody ever used (an invitation's) gives that login as the owner (unused_logins.py), unless
    adopt_unused_login is False (a portal sign-up: a stranger's password must not open it).
    """
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    errors = FieldErrors()
    new = clean_new_client(data, errors, email_must_be_new=not adopt_unused_login)
    if adopt_unused_login:
        clean_owner_email(new["email"], errors, actor)
    errors.raise_if_any()
    email, password, group, cleaned, billing = (new["email"], new["password"], new["group"], new["client"],
                                                new["billing"])

    try:
        with transaction.atomic():
            owner = owner_for_new_client(email, password, actor=actor, adopt=adopt_unused_login,
                                         firstname=cleaned["firstname"], lastname=cleaned["lastname"],
                                         phone=cleaned["phone"] or "", language=cleaned["language"])
            client_values, address_values = new_client_values(
                cleaned, billing, number=_next_client_number(), group_id=group.pk if group else None,
                owner={"id": owner.pk, "email": owner.email, "firstname": owner.firstname, "lastname": owner.lastname,
                       "phone": owner.phone})
            client = Client(**client_values)
            client.owner, client.group = owner, group
            client.save(force_insert=True)
            address = Address(**address_values)
            address.client = client
            address.save(force_insert=True)
            ClientUser.objects.create(client=client, user=owner, permissions=list(ALL_PERMISSIONS))
            if actor.is_staff_side and actor.limited_to_assigned:
                # Otherwise a customer admin would lose sight of the client they just created.
                StaffAssignment.objects.create(staff=actor.user, client=client)
            audit_record(action="client.create", target=client, client_id=client.pk,
                         changes=created(client, owner=owner.email))
            audit_record(action="address.create", target=address, client_id=client.pk, changes=created(address))
            publish(ClientCreated(client_id=client.pk, number=client.number, owner_id=owner.pk))
            if send_welcome_email:
                publish(WelcomeEmailRequested(client_id=client.pk, user_id=owner.pk))
    except IntegrityError:
        # Another request took the email between our check and the insert.
        raise ValidationFailed.from_fields({"email": [_("A user with this email address already exists.")]}) from None
    return client


def client_create_check(*, actor: ActorLike, data: Mapping[str, Any]) -> None:
    """client_create's refusal without its write: ValidationFailed with every problem it would find
    in data, for a form whose own checks failed to show them all in one round. Writes nothing."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    errors = FieldErrors()
    clean_owner_email(clean_new_client(data, errors, email_must_be_new=False)["email"], errors, actor)
    errors.raise_if_any()


def client_update_check(*, actor: ActorLike, client_id, data: Mapping[str, Any]) -> None:
    """client_update's refusal without its write (as client_create_check): every problem it would
    find in the fields present in data. Writes nothing and locks nothing."""
    actor = as_actor(actor)
    require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    errors = FieldErrors()
    errors.add_unknown(data, CLIENT_UPDATABLE)
    client = clients_visible_to(actor).filter(pk=client_id).first()
    if client is None:
        raise NotFound(_("Client not found."))
    _clean_changes(client, {k: v for k, v in data.items() if k in CLIENT_UPDATABLE}, errors)
    errors.raise_if_any()


def lock_balance(client_id) -> None:
    """Lock the client's balance row (FOR UPDATE), as a ledger post takes it first: no post moves
    the balance while the caller decides on it. Checks no visibility: callers hold the client."""
    list(ClientBalance.objects.select_for_update().filter(pk=client_id).values_list("pk", flat=True))


def lock_client(client_id, actor: ActorLike = None, *, balance: bool = False) -> Client:
    """Lock the client row; a staff actor must be able to see the client (assignment rules).

    FOR NO KEY UPDATE: a ledger post's entry checks its client at commit (FOR KEY SHARE), and so
    never waits for a profile edit holding the client. With `balance`, the balance row is locked
    first — the order a post takes them (balance row, then the client's key) — so no post moves
    the balance while the caller decides on it."""
    clients = clients_visible_to(actor)
    try:
        if balance:
            lock_balance(client_id)
        # No select_related here: on PostgreSQL a locked row that another transaction changed is
        # re-checked against the joined rows it was first read with, so a join on the owner would
        # make the client vanish right after an ownership transfer.
        return clients.select_for_update(no_key=True).get(pk=client_id)
    except (Client.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Client not found.")) from None


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
        raise ValidationFailed.from_fields({name: [_("This field cannot be changed here.")]
                                            for name in sorted(unknown)})
    actor = as_actor(actor)
    require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    with transaction.atomic():
        # A change of currency holds the balance row too: no ledger post lands between its check that
        # the client has no money history and its commit.
        client = lock_client(client_id, actor, balance="currency" in data)
        return update_locked_client(client, data)


def _clean_changes(client: Client, data: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """The client's new values for the fields in data, cleaned; each problem added to errors (all
    of them at once: a currency the client's money history holds too)."""
    changes: dict[str, Any] = {}
    for field, (max_length, required, label) in CLIENT_TEXT_FIELDS.items():
        if field in data:
            changes[field] = clean_text_field(errors, field, data[field], max_length, required, label,
                                              kept=getattr(client, field))
    if "tax_id" in data:
        changes["tax_id"] = run_clean(errors, "tax_id", clean_tax_id, data["tax_id"], client.billing_country)
    if "phone" in data:
        changes["phone"] = run_clean(errors, "phone", clean_phone, data["phone"], client.billing_country)
    if "language" in data:
        changes["language"] = run_clean(errors, "language", clean_language, data["language"])
    if "einvoice_format" in data:
        changes["einvoice_format"] = run_clean(errors, "einvoice_format", clean_einvoice_format,
                                               data["einvoice_format"])
    if "peppol_id" in data:
        changes["peppol_id"] = run_clean(errors, "peppol_id", clean_peppol_id, data["peppol_id"])
    if "currency" in data:
        changes["currency"] = run_clean(errors, "currency", clean_currency, data["currency"])
    if "status" in data:
        changes["status"] = run_clean(errors, "status", clean_status, data["status"])
    if "credit_limit" in data:
        changes["credit_limit"] = run_clean(errors, "credit_limit", clean_credit_limit, data["credit_limit"],
                                            changes.get("currency") or client.currency)
    if "group" in data:
        changes["group"] = run_clean(errors, "group", clean_group, data["group"])
    if "payment_terms_days" in data:
        changes["payment_terms_days"] = run_clean(errors, "payment_terms_days", clean_payment_terms,
                                                  data["payment_terms_days"])
    for flag in ("tax_exempt", "reminders_enabled"):
        if flag in data:
            changes[flag] = run_clean(errors, flag, clean_optional_bool, data[flag])
    if changes.get("currency") and changes["currency"] != client.currency and _has_money_history(client):
        errors.add("currency", _("The currency stays %(currency)s: this client has ledger entries or issued "
                                 "documents in it. Create a new client account instead.")
                   % {"currency": client.currency})
    elif changes.get("currency") and changes["currency"] != client.currency and client.services.exists():
        # A service keeps the price it was ordered at, in the client's currency then, and charges it
        # later: in another currency it would post dollars as yen.
        errors.add("currency", _("The currency stays %(currency)s: this client has services priced in it. "
                                 "Create a new client account instead.") % {"currency": client.currency})
    elif changes.get("currency") and "credit_limit" not in changes:
        # The limit kept through a change of currency must fit the new one (100.50 is no yen limit).
        run_clean(errors, "credit_limit", clean_credit_limit, client.credit_limit, changes["currency"])
    return changes


def update_locked_client(client: Client, data: Mapping[str, Any], *, publish_event: bool = True) -> Client:
    """client_update's cleaning and write, for a client the caller locked inside its transaction
    after checking the actor's right to change the fields in data (client_update, and
    client_profile_update for the portal's narrower set; the CSV import, which publishes one event
    for the whole file: publish_event=False)."""
    before = snapshot(client)
    old_phone = client.phone
    errors = FieldErrors()
    changes = _clean_changes(client, data, errors)
    errors.raise_if_any()
    refuse_reopening_erased(client, changes.get("status"))  # an erased client stays closed (409)
    if "tax_id" in changes and changes["tax_id"] != client.tax_id:
        client.vies_status = ViesStatus.UNCHECKED
        client.vies_checked_at = None
        client.vies_error = ""
    for field, value in changes.items():
        setattr(client, field, value)
    client.display_name = display_name_of(firstname=client.firstname, lastname=client.lastname,
                                          company_name=client.company_name)
    client.search_text = search_text_of(client, client.owner.email)
    client.save()
    changed = diff(before, snapshot(client))
    if changed:
        audit_record(action="client.update", target=client, client_id=client.pk, changes=changed)
        # The owner's and the billing contact's numbers that mirrored the client's follow it
        # (services/phones.py); audited after the client's own change, which caused them.
        followed = client_phone_mirrors_follow(client, old_phone, client.phone) if "phone" in changed else []
        if publish_event:
            fields = set(changed) | ({"addresses"} if "billing_address" in followed else set())
            publish(ClientUpdated(client_id=client.pk, fields=tuple(sorted(fields))))
    return client


def client_welcome_send(*, actor: ActorLike, client_id) -> Client:
    """Send the welcome e-mail to the client's owner again (Summary → Send welcome e-mail), with a
    fresh set-password link when the owner has no password yet."""
    actor = as_actor(actor)
    require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    with transaction.atomic():
        client = lock_client(client_id, actor)
        if not rules.portal_open(client.status):  # its users get no welcome: notifications.rules withholds it
            raise Conflict(_("This client is %(status)s: its users receive no welcome e-mail.") % {
                "status": client.get_status_display()})
        publish(WelcomeEmailRequested(client_id=client.pk, user_id=client.owner_id))
        audit_record(action="client.welcome_email", target=client, client_id=client.pk,
                     changes={"welcome_email": [None, "requested"]})
    return client
