"""The values an audit event records, as people write them (issue 14): the Activity tab and the
activity log read "Yes → No", "2 500,00 zł", "Monthly", "2026-11-20 10:15" and "none" in the
reader's language, not True, '2500.0000', MONTHLY, an ISO timestamp or ∅. One rule for both pages
(the `audit_changes` filter); a value it cannot tell more about is shown as it was recorded. A field
that records another record's id (a product, a client, a home company, a group) shows its name,
looked up once for all the events of a page (audit_names_attach)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import is_aware, localtime
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from clientpanel.catalog.models import Period, Product
from clientpanel.catalog.modules import module_choices
from clientpanel.client_services.models import SUSPENSION_REASONS, ServiceStatus
from clientpanel.clients.models import AddressType, Client, ClientGroup, ClientStatus, ViesStatus
from clientpanel.clients.permissions import CLIENT_PERMISSIONS
from clientpanel.clients.validation import format_phone, region_name
from clientpanel.core.money import display_amount, display_percent, display_quantity
from clientpanel.einvoices.exporters import exporter_choices
from clientpanel.einvoices.models import EInvoiceStatus
from clientpanel.invoicing.models import DocumentStatus
from clientpanel.notifications.kinds import MESSAGE_KINDS
from clientpanel.payments.dispute_reasons import dispute_reason_label
from clientpanel.payments.models import AttemptStatus, ReversalKind
from clientpanel.tax.models import HomeCompany, ResetPeriod

from . import labels
from .audit_fields import audit_field_label

# Fields that hold money (the ledger's 4 decimals): shown as the panel shows amounts, with the
# event's currency when it recorded one.
MONEY_FIELDS = {"amount", "balance", "charge_reversed", "credit_limit", "net", "paid", "setup_fee", "total", "tax",
                "gross"}
PERCENT_FIELDS = {"tax1_rate", "tax2_rate", "tax3_rate"}
QUANTITY_FIELDS = {"rate": 6, "quantity": 4}
# Codes with words, by field; "status" by the kind of object it is the status of.
STATUSES = {"client": ClientStatus, "document": DocumentStatus, "service": ServiceStatus}
ENUM_FIELDS = {"vies_status": ViesStatus, "period": Period, "proforma_reset": ResetPeriod,
               "invoice_reset": ResetPeriod, "credit_note_reset": ResetPeriod}
# Fields that record another record's id: the model and the field its name is read from.
RECORD_FIELDS = {"product": (Product, "name"), "client": (Client, "display_name"),
                 "clients": (Client, "display_name"), "home_company": (HomeCompany, "name"),
                 "group": (ClientGroup, "name")}
_NUMBER_FIELDS = MONEY_FIELDS | PERCENT_FIELDS | QUANTITY_FIELDS.keys()
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


class AuditChange(NamedTuple):
    key: str
    label: str
    before: str
    after: str


def _none() -> str:
    return pgettext("audited value", "none")


def _code_words(field: str, object_type: str, country: str) -> Callable[[str], str] | None:
    """How a code this field records reads in words, or None when it is not a code."""
    if field == "region" and country:
        return lambda code: region_name(country, code)
    if field == "status" and object_type == "paymentattempt":
        # An online payment's own status (a held one resolved), or what went back of it at the gateway.
        return lambda code: labels.enum_label(ReversalKind if code in ReversalKind.values else AttemptStatus, code)
    if field == "reason" and object_type == "paymentattempt":
        return dispute_reason_label  # a dispute's reason, in the gateway's code
    if field == "status" and object_type == "document":  # its own, or its e-invoice's (einvoice.make)
        return lambda code: labels.enum_label(DocumentStatus if code in DocumentStatus.values else EInvoiceStatus,
                                              code)
    if field == "status" and object_type in STATUSES:
        return lambda code: labels.enum_label(STATUSES[object_type], code)
    if field == "module":  # a product's provisioning module, by the name it gives itself
        return lambda code: dict(module_choices()).get(code, code)
    if field in ENUM_FIELDS:
        return lambda code: labels.enum_label(ENUM_FIELDS[field], code)
    if field == "type" and object_type == "address":
        return lambda code: labels.enum_label(AddressType, code)
    if field in {"country", "billing_country"}:
        return labels.country_name
    if field == "language":
        return labels.language_name
    if field == "phone":
        return format_phone
    if field == "permissions":
        return lambda code: str(CLIENT_PERMISSIONS.get(code, code))
    if field == "muted_emails":
        return lambda code: str(MESSAGE_KINDS[code].name) if code in MESSAGE_KINDS else code
    if field == "reason" and object_type == "service":  # stored in English (client_services.models)
        return lambda text: str(SUSPENSION_REASONS.get(text, text))
    if field == "format":  # an e-invoice format (a home company's)
        return lambda code: dict(exporter_choices()).get(code, code)
    return None


def _number(field: str, text: str, currency: str, language: str) -> str | None:
    """A recorded number ("2500.0000", "23.000") as the panel writes it, or None when it is not one."""
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite():
        return None
    if field in MONEY_FIELDS:
        return display_amount(number, currency, language)
    if field in PERCENT_FIELDS:
        return display_percent(number, language)
    return display_quantity(number, language, places=QUANTITY_FIELDS[field])


def _moment(text: str) -> str | None:
    """An ISO date or timestamp as the panel writes them ("2026-11-20", "2026-11-20 10:15" in the
    server's time zone), or None when the text is not one."""
    if _ISO_DATE.fullmatch(text):
        try:  # shaped like a date, perhaps not one: a client's "2026-02-30" or "0000-00-00" is text
            day = parse_date(text)
        except ValueError:
            return None
        return date_format(day, "Y-m-d") if day else None
    if _ISO_DATETIME.fullmatch(text):
        try:
            moment = parse_datetime(text)
        except ValueError:
            return None
        if moment is None:
            return None
        return date_format(localtime(moment) if is_aware(moment) else moment, "Y-m-d H:i")
    return None


def audit_value(field: str, value: Any, *, object_type: str = "", currency: str = "", country: str = "") -> str:
    """One recorded value in the reader's language: yes/no, "none" for nothing, an amount, a rate
    or a moment as the panel writes them, a code in words (a region's in the event's `country`), a
    list as its items, a dict (a module's or a gateway's settings) as its keys and values."""
    more = {"object_type": object_type, "currency": currency, "country": country}
    if value is None or value == "" or value == [] or value == {}:
        return _none()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return "; ".join(f"{key}: {audit_value(str(key), item, **more)}"
                         for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(audit_value(field, item, **more) for item in value)
    language = get_language() or "en"
    if isinstance(value, (int, float, Decimal)):
        value = str(value)  # a count or an id as it is; an amount or a rate below
    if not isinstance(value, str):
        return str(value)
    if field in _NUMBER_FIELDS:
        shown = _number(field, value, currency, language)
        if shown is not None:
            return shown
    words = _code_words(field, object_type, country)
    if words is not None:
        return str(words(value)) or value
    return _moment(value) or value


def _recorded(changes: dict[str, Any], *keys: str) -> str:
    """The value the event recorded for the first of these keys it has (its new value, else its
    old): the currency beside its amounts, the country beside its region."""
    for key in keys:
        pair = changes.get(key)
        if isinstance(pair, list) and len(pair) == 2:
            pair = pair[1] or pair[0]
        if pair and isinstance(pair, str):
            return pair
    return ""


def _ids(value: Any) -> list[str]:
    """The record ids a recorded value holds (an id, a list of them, or a [before, after] pair of
    either), as text."""
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _ids(item)]
    return [str(value)] if isinstance(value, (int, str)) and not isinstance(value, bool) and str(value) else []


def audit_record_names(events) -> dict[str, dict[str, str]]:
    """The names of the records the events' id fields point to, one query per kind for all the
    events: {"product": {"<id>": "VPS S"}, ...}; an id whose record is gone has no name (it is
    shown as the id)."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        for key, pair in (event.changes if isinstance(event.changes, dict) else {}).items():
            field = key.rpartition(".")[2]
            if field in RECORD_FIELDS:
                wanted.setdefault(field, set()).update(_ids(pair))
    names: dict[str, dict[str, str]] = {}
    for field, ids in wanted.items():
        model, name_field = RECORD_FIELDS[field]
        keys = set()
        for text in ids:
            try:
                keys.add(model._meta.pk.to_python(text))
            except ValidationError:
                continue  # not an id of this kind: shown as recorded
        rows = model.objects.filter(pk__in=keys).values_list("pk", name_field) if keys else []
        names[field] = {str(pk): name for pk, name in rows}
    return names


def audit_names_attach(events) -> list:
    """The events, each holding the names of the records its id fields point to, read once for all
    of them (audit_changes shows the names)."""
    events = list(events)
    names = audit_record_names(events)
    for event in events:
        event.record_names = names
    return events


def _with_names(field: str, value: Any, names: dict[str, dict[str, str]]) -> Any:
    known = names.get(field)
    if not known:
        return value
    if isinstance(value, (list, tuple)):
        return [_with_names(field, item, names) for item in value]
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return known.get(str(value), value)
    return value


def audit_changes(event) -> list[AuditChange]:
    """An audit event's changes as rows of words: each field's label and its values before and after
    (a value recorded alone, not as [before, after], is shown as what it became); an id of a record
    by the record's name when audit_names_attach read it."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    names = getattr(event, "record_names", None) or {}
    more = {"object_type": event.object_type or "", "currency": _recorded(changes, "currency"),
            "country": _recorded(changes, "country", "billing_country")}
    rows = []
    for key, pair in changes.items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        field = key.rpartition(".")[2]
        before, after = _with_names(field, before, names), _with_names(field, after, names)
        shown_before, shown_after = audit_value(field, before, **more), audit_value(field, after, **more)
        if shown_before == shown_after:
            continue  # nothing to read: "none → none" (a flag recorded unset), or a change that reads the same
        rows.append(AuditChange(key, audit_field_label(key), shown_before, shown_after))
    return rows
