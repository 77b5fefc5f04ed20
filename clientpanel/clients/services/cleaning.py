"""Field cleaning the client services share. Writes nothing: each helper turns one input value into
what the model stores, or adds the problem to the FieldErrors it is given so that a service reports
every problem at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientpanel.accounts.models import User, normalize_email
from clientpanel.accounts.services import clean_email, clean_password
from clientpanel.core.errors import FieldErrors
from clientpanel.core.money import AmountError, parse_amount, parse_currency_amount
from clientpanel.core.text import name_key, visible_problem, whole_number

from ..models import Address, AddressType, ClientGroup, ClientStatus
from ..validation import (
    FieldInvalid,
    clean_country,
    clean_currency,
    clean_einvoice_format,
    clean_language,
    clean_peppol_id,
    clean_phone,
    clean_region,
    clean_tax_id,
    clean_text,
    vat_prefix_country,
)

CLIENT_TEXT_FIELDS = {
    # field: (max length, required, label); labels are lazy, read in the language of the refusal
    "firstname": (150, True, gettext_lazy("First name")),
    "lastname": (150, True, gettext_lazy("Last name")),
    "company_name": (255, False, gettext_lazy("Company name")),
    "id_number": (64, False, gettext_lazy("ID number")),
    "admin_notes": (10_000, False, gettext_lazy("Admin notes")),
    "public_notes": (10_000, False, gettext_lazy("Public notes")),
}
ADDRESS_TEXT_FIELDS = {
    "name": (100, False, gettext_lazy("Name")),
    "contact_name": (200, False, gettext_lazy("Contact")),
    "address1": (255, False, gettext_lazy("Address 1")),
    "address2": (255, False, gettext_lazy("Address 2")),
    "city": (100, False, gettext_lazy("City")),
    "postcode": (20, False, gettext_lazy("Postcode")),
    "notes": (2000, False, gettext_lazy("Notes")),
}
MULTI_LINE_FIELDS = frozenset({"admin_notes", "public_notes", "notes"})
PERSON_NAME_FIELDS = frozenset({"firstname", "lastname"})
# A scheme's "://", a "www." host, an e-mail address, or a dotted host with a path ("evil.example/login").
_LINK_IN_NAME = re.compile(r"://|\bwww\.|[^\s@]+@[^\s@]+\.[^\s@]|\b[\w-]+(?:\.[\w-]+)+/")
CLIENT_SETTINGS = {"group", "payment_terms_days", "tax_exempt", "reminders_enabled"}
# The settings a client may leave to its group or the home company: None (stored as NULL) inherits.
INHERITED_SETTINGS = frozenset(CLIENT_SETTINGS - {"group"})
CLIENT_UPDATABLE = set(CLIENT_TEXT_FIELDS) | {"tax_id", "phone", "language", "currency", "status",
                                              "credit_limit", "einvoice_format", "peppol_id"} | CLIENT_SETTINGS
ADDRESS_FIELDS = set(ADDRESS_TEXT_FIELDS) | {"type", "phone", "email", "country", "region", "is_default"}
BILLING_FIELDS = frozenset(ADDRESS_FIELDS - {"type", "is_default"})  # a new client's billing address: no choice


def run_clean(errors: FieldErrors, field: str, clean, *args) -> Any:
    """clean(*args), or None with its problem added to errors under field."""
    try:
        return clean(*args)
    except (FieldInvalid, AmountError) as error:
        errors.add(field, str(error))
        return None


def name_problem(text: str, *, label: str | Promise) -> str | None:
    """Why a person's name is refused, or None: it holds a link, a web address or an e-mail address
    (read as name_key folds it: full-width or zero-width tricks do not hide one). Names greet people
    in the e-mails the shop sends ("Hello …"): an invitation's names are typed by a portal user and
    mailed to any address, so a link there is the shop's own mail carrying a stranger's phishing."""
    if _LINK_IN_NAME.search(name_key(text)):
        return _("%(label)s cannot hold a link, a web address or an e-mail address; type the person's name.") % {
            "label": label}
    return None


def clean_text_field(errors: FieldErrors, field: str, value: object, max_length: int, required: bool,
                     label: str | Promise, *, kept: str | None = None) -> str:
    """The cleaned text, or "" with its problem added to errors under field. Only notes may run over
    several lines: a line break in a name, an address line or a city broke the PDFs' and the CSV
    exports' layout and an e-mail's To header. Text given must show something, even where it may be
    left empty: a company name of zero-width characters alone became a display name that reads as
    nothing in every list, PDF and e-mail, and an address line or a city so showed a blank. A
    person's first or last name may not hold a link (name_problem), unless it is the name stored
    already (kept): a rule added since refuses new names, never the edit of another field."""
    try:
        text = clean_text(value, max_length=max_length, required=required, label=label,
                          single_line=field.rpartition(".")[2] not in MULTI_LINE_FIELDS)
    except FieldInvalid as error:
        errors.add(field, str(error))
        return ""
    problem = visible_problem(text, label=label)
    if not problem and field.rpartition(".")[2] in PERSON_NAME_FIELDS and text != kept:
        problem = name_problem(text, label=label)
    if problem:
        errors.add(field, problem)
        return ""
    return text


_NO_LIMIT = Decimal("0.0000")  # a Decimal is immutable: one for every client given none


def clean_credit_limit(value: object, currency: str | None) -> Decimal:
    """A limit, so at most the currency's minor unit of decimals (see docs/decisions.md, Money)."""
    if value is None or value == "":
        return _NO_LIMIT
    amount = parse_currency_amount(value, currency) if currency else parse_amount(value)
    if amount < 0:
        raise AmountError(_("The credit limit cannot be negative."))
    return amount


# Django's Choices.values builds its list on every read: a CSV import checks a status per row.
_STATUSES = frozenset(ClientStatus.values)


_STATUS_LABEL = gettext_lazy("Status")


def clean_status(value: object) -> str:
    status = clean_text(value, max_length=10, required=True, label=_STATUS_LABEL).upper()
    if status not in _STATUSES:
        raise FieldInvalid(_("Unknown status %(status)s; use one of %(choices)s.")
                           % {"status": repr(status), "choices": ", ".join(ClientStatus.values)})
    return status


def _clean_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", "false", "False", "0", "off"):
        return False
    if value in ("true", "True", "1", "on"):
        return True
    raise FieldInvalid(_("Use true or false."))


def clean_optional_bool(value: object) -> bool | None:
    if value in (None, "", "inherit"):
        return None
    return _clean_bool(value)


def clean_payment_terms(value: object) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise FieldInvalid(_("Enter a number of days."))
    try:
        days = whole_number(value)
    except ValueError:
        raise FieldInvalid(_("Enter a whole number of days.")) from None
    if not 0 <= days <= 365:
        raise FieldInvalid(_("Payment terms are 0 to 365 days."))
    return days


def clean_group(value: object) -> ClientGroup | None:
    if value in (None, ""):
        return None
    if isinstance(value, ClientGroup):
        return value
    try:
        return ClientGroup.objects.get(pk=int(str(value)))
    except (ValueError, ClientGroup.DoesNotExist):
        raise FieldInvalid(_("There is no group %(group)s.") % {"group": repr(value)}) from None


def _clean_address_type(value: object) -> str:
    kind = clean_text(value, max_length=10, required=True, label=_("Type")).upper()
    if kind not in AddressType.values:
        raise FieldInvalid(_("Unknown address type %(type)s; use one of %(choices)s.")
                           % {"type": repr(kind), "choices": ", ".join(AddressType.values)})
    return kind


def clean_address(data: Mapping[str, Any], errors: FieldErrors, prefix: str = "",
                  current: Address | None = None) -> dict[str, Any]:
    """Validate the address keys present in data (all of them when creating)."""
    cleaned: dict[str, Any] = {}
    for field, (max_length, required, label) in ADDRESS_TEXT_FIELDS.items():
        if field in data:
            cleaned[field] = clean_text_field(errors, prefix + field, data[field], max_length, required, label)
    if "country" in data or current is None:
        cleaned["country"] = run_clean(errors, prefix + "country", clean_country, data.get("country"))
    country = cleaned.get("country") or (current.country if current else None)
    if ("region" in data or "country" in data) and country:
        region = data.get("region", current.region if current else "")
        cleaned["region"] = run_clean(errors, prefix + "region", clean_region, region, country)
    if "phone" in data:
        cleaned["phone"] = run_clean(errors, prefix + "phone", clean_phone, data["phone"], country)
    if "email" in data:
        email = clean_text_field(errors, prefix + "email", data["email"], 254, False, _("Email"))
        # The address stored now is kept as it is: a rule added since (mixed-script domains) refuses
        # new addresses, never the edit of another field of an address that has one.
        kept = current.email if current is not None else None
        if email and normalize_email(email) == kept:
            email = kept
        elif email:
            sub = FieldErrors()
            email = clean_email(email, sub, must_be_new=False)
            for message in sub.fields.get("email", []):
                errors.add(prefix + "email", message)
        cleaned["email"] = email
    if "type" in data:
        cleaned["type"] = run_clean(errors, prefix + "type", _clean_address_type, data["type"])
    if "is_default" in data:
        cleaned["is_default"] = run_clean(errors, prefix + "is_default", _clean_bool, data["is_default"])
    return cleaned


def clean_new_client(data: Mapping[str, Any], errors: FieldErrors, *, email_must_be_new: bool = True) -> dict[str, Any]:
    """Every field of a new client (client_create's input: the client's fields, `password` and a
    `billing_address` mapping), cleaned; each problem added to errors. Answers {"email", "password",
    "group", "client": the Client's fields, "billing": the billing Address's fields} — what
    client_create writes, and what the CSV import checks each row with (email_must_be_new=False:
    it looks the addresses of a whole batch up at once)."""
    group = run_clean(errors, "group", clean_group, data.get("group"))
    email = clean_email(data.get("email") or "", errors, must_be_new=email_must_be_new)
    password = data.get("password") or None
    if password is not None and not isinstance(password, str):
        errors.add("password", _("The password must be text."))
        password = None
    cleaned: dict[str, Any] = {}
    for field, (max_length, required, label) in CLIENT_TEXT_FIELDS.items():
        cleaned[field] = clean_text_field(errors, field, data.get(field), max_length, required, label)
    billing_data = data.get("billing_address")
    if not isinstance(billing_data, Mapping):
        errors.add("billing_address", _("A client needs a billing address (at least its country)."))
        billing_data = {}
    billing = clean_address({k: v for k, v in billing_data.items() if k in BILLING_FIELDS},
                            errors, prefix="billing_address.")
    country = billing.get("country")
    # Without a country (refused above) a VAT number is checked for the country its prefix names:
    # one that is not valid there is valid for no billing country, and is reported in this round.
    tax_country = country or vat_prefix_country(data.get("tax_id"))
    cleaned["tax_id"] = (run_clean(errors, "tax_id", clean_tax_id, data.get("tax_id"), tax_country)
                         if tax_country else "")
    cleaned["phone"] = run_clean(errors, "phone", clean_phone, data.get("phone"), country)
    # A new client in a group takes the group's currency and language unless told otherwise.
    cleaned["language"] = run_clean(errors, "language", clean_language, data.get("language") or (
        group.language if group and group.language else settings.CLIENTPANEL_DEFAULT_LANGUAGE))
    cleaned["currency"] = run_clean(errors, "currency", clean_currency, data.get("currency") or (
        group.currency if group and group.currency else settings.CLIENTPANEL_DEFAULT_CURRENCY))
    cleaned["status"] = run_clean(errors, "status", clean_status, data.get("status") or ClientStatus.NEW)
    cleaned["credit_limit"] = run_clean(errors, "credit_limit", clean_credit_limit, data.get("credit_limit"),
                                        cleaned["currency"])
    cleaned["einvoice_format"] = run_clean(errors, "einvoice_format", clean_einvoice_format,
                                           data.get("einvoice_format"))
    cleaned["peppol_id"] = run_clean(errors, "peppol_id", clean_peppol_id, data.get("peppol_id"))
    # The client's own settings (None: its group's or its home company's) are set at once, as an
    # edit sets them: its first proforma is taxed and due as the client was created to be.
    cleaned["payment_terms_days"] = run_clean(errors, "payment_terms_days", clean_payment_terms,
                                              data.get("payment_terms_days"))
    for flag in ("tax_exempt", "reminders_enabled"):
        cleaned[flag] = run_clean(errors, flag, clean_optional_bool, data.get(flag))
    if password:  # (the validators compare it with the user's names and address)
        clean_password(password, errors, user=User(email=email, firstname=cleaned["firstname"],
                                                   lastname=cleaned["lastname"]))
    return {"email": email, "password": password, "group": group, "client": cleaned, "billing": billing}
