"""Proformas: issuing one for the given items (taxes and the billing home company by today's rules,
snapshotted), the Add Funds proforma of one top-up item, and cancelling one (a partly paid one when
staff confirm what it received, which stays on the client's balance).
Each writes the document and its items (or its status) with an audit event, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Address, AddressType, Client
from clientpanel.clients.rules import takes_new_business
from clientpanel.clients.selectors import ADDING_FUNDS, clients_visible_to, effective_setting, new_business_refusal
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.locks import lock_one
from clientpanel.core.money import (
    AmountError,
    currency_minor_unit,
    decimal_places,
    decimals_rule,
    parse_amount,
    reader_amount,
)
from clientpanel.tax.models import HomeCompany

from .. import policies, rules
from ..add_funds_limits import portal_limits
from ..models import NO_CLIENT_GROUP, Document, DocumentItem, DocumentStatus, DocumentType
from ..pricing import clean_positive_amount, proforma_priced
from ..vat_notes import no_vat_reason, recorded_basis
from .common import DocumentStateError, locked_document, tax_lines_json
from .issuing import document_issued, issuing
from .numbering import document_number, issue_zone

# --- snapshots -------------------------------------------------------------------------------

def _address_dict(address: Address | None) -> dict[str, str]:
    if address is None:
        return {}
    return {k: getattr(address, k) for k in ("name", "contact_name", "address1", "address2", "city", "postcode",
                                             "country", "region", "email", "phone")} | {"one_line": address.one_line}


def _company_snapshot(company: HomeCompany) -> dict[str, Any]:
    fields = ("name", "address1", "address2", "city", "postcode", "country", "region", "local_tax_id", "eu_vat_id",
              "registration_number", "us_ein", "us_state_id", "ca_bn", "ca_gst_hst", "ca_pst_qst", "bank_details",
              "invoice_footer", "topup_item_name", "refund_item_name")
    return {k: getattr(company, k) for k in fields} | {"time_zone": str(issue_zone(company)),
                                                     "language": company.document_language}


def _client_snapshot(client: Client) -> dict[str, Any]:
    return {"number": client.number, "display_name": client.display_name, "firstname": client.firstname,
            "lastname": client.lastname, "company_name": client.company_name, "tax_id": client.tax_id,
            "email": client.owner.email, "phone": client.phone, "vies_status": client.vies_status}


# --- input -----------------------------------------------------------------------------------

def _visible_client(actor: ActorLike, client_id) -> Client:
    return lock_one(clients_visible_to(actor), _("Client not found."), pk=client_id)


# --- proformas -------------------------------------------------------------------------------

def proforma_issue(*, actor: ActorLike, client_id, items: object) -> Document:
    """Issue a proforma (UNPAID, numbered, dated now) with the given items; taxes and the billing
    home company follow the rules at this moment and are snapshotted. An item without a description
    is a top-up named by the home company. A document whose total is zero is not issued: nothing
    could ever pay it."""
    require(policies.can_issue_documents(as_actor(actor)), _("You are not allowed to issue documents."))
    return _proforma_issue(actor, client_id, items)


def _proforma_issue(actor: ActorLike, client_id, items: object,
                    check: Callable[[Client, FieldErrors], None] | None = None,
                    amount_field: str | None = None) -> Document:
    """`check` judges the locked client (its unpaid proformas, its balance) before anything is
    written: two requests at once are judged one after the other. `amount_field`: the items were
    made of that one field (Add Funds' net_amount), so their refusals (a total out of range) are
    reported under it, the name the caller sent, not under "items" it never sent."""
    with issuing():
        client = _visible_client(actor, client_id)
        errors = FieldErrors()
        if check is not None:
            check(client, errors)
            errors.raise_if_any()
        priced = proforma_priced(client, items, errors)
        if errors and amount_field:
            messages = [m for ms in errors.fields.values() for m in ms]
            errors.fields = {amount_field: list(dict.fromkeys(messages))}
        errors.raise_if_any()
        cleaned, nets, totals, decision = priced
        if any(item["is_topup"] for item in cleaned):
            _refuse_closed(client)  # a top-up line adds funds once paid, as Add Funds does
        company = decision.home_company
        terms = int(effective_setting(client, "payment_terms_days")[0])
        shipping = client.addresses.filter(type=AddressType.SHIPPING, is_default=True).first()
        tax_lines = tax_lines_json(totals.tax_lines)
        no_vat = no_vat_reason(exempt_client=bool(effective_setting(client, "tax_exempt")[0]),
                               reverse_charge=decision.reverse_charge, tax_lines=tax_lines)
        document = Document(
            client=client, home_company=company, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID,
            currency=client.currency, language=_document_language(client.language, company), net=totals.net,
            tax=totals.tax, total=totals.total, tax_lines=tax_lines, reverse_charge=decision.reverse_charge,
            no_vat_reason=no_vat, vat_exemption_basis=recorded_basis(no_vat, company.vat_exemption_basis),
            client_snapshot=_client_snapshot(client), client_group_id=client.group_id or NO_CLIENT_GROUP,
            company_snapshot=_company_snapshot(company),
            billing_address=_address_dict(client.addresses.get(type=AddressType.BILLING)),
            shipping_address=_address_dict(shipping), created_by_id=as_actor(actor).user_id,
        )
        # The items go first (their foreign key is checked at commit): after the number only the
        # document's own row and its audit event are written before the commit releases the series.
        DocumentItem.objects.bulk_create([
            DocumentItem(document_id=document.pk, position=n, description=i["description"] or company.topup_item_name,
                         quantity=i["quantity"], unit_price=i["unit_price"], net=net, is_topup=i["is_topup"],
                         service_id=i["service_id"], period_start=i["period_start"], period_end=i["period_end"])
            for n, (i, net) in enumerate(zip(cleaned, nets, strict=True), start=1)
        ])
        document.number, document.issue_date = document_number(company=company, doc_type=DocumentType.PROFORMA)
        document.due_date = document.issue_date + dt.timedelta(days=terms)
        document.save(force_insert=True)
        audit_record(action="document.issue", target=document, client_id=client.pk,
                     changes={"number": [None, document.number], "total": [None, document.total]})
        document_issued(document)
    return document


def _document_language(client_language: str, company: HomeCompany) -> str:
    """Documents speak the client's language when PDF_IN_CLIENT_LANGUAGE is on, else the home company's."""
    return client_language if settings.PDF_IN_CLIENT_LANGUAGE else company.document_language


def proforma_add_funds(*, actor: ActorLike, client_id, net_amount: object) -> Document:
    """An Add Funds proforma: one taxed top-up item of the net amount, issued at once. In the portal
    the amount keeps within the portal's limits (SPEC §7): a minimum, a maximum, and a balance it may
    not take the client above; staff may issue any amount. Refused for a client closed or marked as
    fraud (409 `client_closed`, takes_top_ups), by staff, the API and the portal alike; staff still
    bill it through the proforma editor, without a top-up line (docs/decisions.md)."""
    actor = as_actor(actor)
    require(policies.can_add_funds(actor, client_id), _("You are not allowed to issue documents."))
    client = clients_visible_to(actor).filter(pk=client_id).only("currency", "status").first()
    if client is None:
        raise NotFound(_("Client not found."))
    _refuse_closed(client)  # before the amount's problems: no amount would do
    errors = FieldErrors()
    net = clean_positive_amount(net_amount, client.currency, errors, "net_amount")
    errors.raise_if_any()
    return _proforma_issue(actor, client_id, [{"description": None, "quantity": "1", "unit_price": net,
                                               "is_topup": True}],
                           check=partial(_check_add_funds, net, actor.is_portal), amount_field="net_amount")


def takes_top_ups(client: Client) -> bool:
    """Whether an Add Funds proforma may be issued for the client: not once it is closed (an erased
    one is closed too) or marked as fraud, as a service is ordered for neither
    (clients.rules.takes_new_business)."""
    return takes_new_business(client.status)


def _refuse_closed(client: Client) -> None:
    if not takes_top_ups(client):
        raise Conflict(new_business_refusal(client, ADDING_FUNDS), code="client_closed")


def _check_add_funds(net: Decimal, portal: bool, client: Client, errors: FieldErrors) -> None:
    """Judged again on the locked client (closed meanwhile counts); in the portal, its limits too."""
    _refuse_closed(client)
    if portal:
        _check_portal_limits(net, client, errors)


def _check_portal_limits(net: Decimal, client: Client, errors: FieldErrors) -> None:
    """The portal's limits in the client's currency (its own figures or the defaults), refused with
    the figures written as the reader writes money ("Add at least ¥1,000."). The client's row is
    locked: its balance and its unpaid proformas are read as they are now."""
    limits = portal_limits(client.currency)
    shown = limits.shown
    if problem := limits.amount_problem(net):
        errors.add("net_amount", problem)
    elif limits.maximum_balance is not None and client.balance + net > limits.maximum_balance:
        # What the client may still add, down to the currency's minor unit (a balance has 4 places).
        room = (limits.maximum_balance - client.balance).quantize(
            Decimal(1).scaleb(-currency_minor_unit(client.currency)), rounding=ROUND_DOWN)
        if room >= limits.minimum:
            errors.add("net_amount", _("The balance may not exceed %(limit)s; you may add at most %(amount)s now.")
                       % {"limit": shown["maximum_balance"], "amount": reader_amount(room, client.currency)})
        else:
            errors.add("net_amount", _("The balance may not exceed %(limit)s.") % {"limit": shown["maximum_balance"]})
    unpaid = Document.objects.filter(client_id=client.pk, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID,
                                     items__is_topup=True).distinct().count()
    if unpaid >= settings.CLIENTPANEL_PORTAL_ADD_FUNDS.get("unpaid_at_once", 5):
        errors.add("net_amount", ngettext(
            "%(count)d Add Funds proforma waits to be paid; pay it first (an unpaid one is cancelled after "
            "%(days)d days).",
            "%(count)d Add Funds proformas wait to be paid; pay one of them first (unpaid ones are cancelled after "
            "%(days)d days).", unpaid) % {"count": unpaid, "days": settings.STALE_PROFORMA_DAYS})


def proforma_cancel(*, actor: ActorLike, document_id, confirm_paid: object = None) -> Document:
    """Cancel a draft or unpaid proforma. One that has received part of its total is cancelled only
    when confirm_paid names exactly what it has received (gross): a payment recorded between the
    confirmation and the cancel changes that amount, and the cancel is refused naming the new one, so
    no payment is cancelled unseen. What it received stays with the client: each payment's PAYMENT
    entry credited its net part to the balance when it was recorded, so nothing is posted now.
    The document row is locked, as a payment locks it: a payment and a cancel of one proforma run one
    after the other, and a payment after the cancel is refused. Cancelling a cancelled proforma again
    answers it as it is and writes nothing."""
    require(policies.can_cancel_documents(as_actor(actor)), _("You are not allowed to cancel documents."))
    confirmed = _confirmed_amount(confirm_paid)
    with transaction.atomic():
        document = locked_document(actor, document_id)
        if document.type == DocumentType.PROFORMA and document.status == DocumentStatus.CANCELLED:
            return document  # the same cancel sent twice
        if not rules.can_be_cancelled(document):
            raise DocumentStateError(_("Only a draft or unpaid proforma can be cancelled; this one is %(status)s.")
                                     % {"status": document.get_status_display().lower()},
                                     fields={"status": [document.status]})
        changes = {"status": [document.status, DocumentStatus.CANCELLED]}
        if rules.partly_paid(document) or confirmed is not None:
            # Needed when partly paid, and checked whenever sent: "40.00" sent for a proforma that has
            # received nothing names another state than the one it would cancel (it was ignored).
            _check_confirmed(document, confirmed)
        if rules.partly_paid(document):
            # Kept as they were: what was received, and the net of it that stays on the balance.
            changes |= {"currency": [document.currency, document.currency],
                        "paid": [str(document.paid_gross)] * 2, "net": [str(rules.credit_kept_on_cancel(document))] * 2}
        document.status = DocumentStatus.CANCELLED
        document.save(update_fields=["status"])
        audit_record(action="document.cancel", target=document, client_id=document.client_id, changes=changes)
    return document


def _confirmed_amount(confirm_paid: object) -> Decimal | None:
    if confirm_paid is None or confirm_paid == "":
        return None
    try:
        return parse_amount(confirm_paid, allow_negative=False)
    except AmountError as error:
        raise ValidationFailed(str(error), fields={"confirm_paid": [str(error)]}) from None


def _check_confirmed(document: Document, confirmed: Decimal | None) -> None:
    """A partly paid proforma is cancelled for exactly the amount staff saw received on it."""
    amounts = {"paid": reader_amount(document.paid_gross, document.currency),
               "credit": reader_amount(rules.credit_kept_on_cancel(document), document.currency)}
    if confirmed is None:
        raise DocumentStateError(
            _("This proforma has received %(paid)s; cancelling it keeps %(credit)s on the client's balance as "
              "credit. Confirm that amount to cancel it.") % amounts,
            fields={"confirm_paid": [_("Confirm the amount received: %(paid)s.") % amounts]})
    if decimal_places(confirmed) > currency_minor_unit(document.currency):
        # No payment has more decimals than its currency: the amount is mistyped, not overtaken.
        rule = decimals_rule(document.currency)
        raise ValidationFailed(rule, fields={"confirm_paid": [rule]})
    if confirmed != document.paid_gross and not document.paid_gross:
        amounts["confirmed"] = reader_amount(confirmed, document.currency)
        raise DocumentStateError(
            _("This proforma has received nothing, not %(confirmed)s; nothing was cancelled. Cancel it without "
              "confirming an amount.") % amounts, fields={"confirm_paid": [_("Received so far: %(paid)s.") % amounts]})
    if confirmed != document.paid_gross:
        amounts["confirmed"] = reader_amount(confirmed, document.currency)
        raise DocumentStateError(
            _("The proforma has received %(paid)s, not %(confirmed)s (a payment may have arrived meanwhile); "
              "nothing was cancelled. Check the amount and confirm again.") % amounts,
            fields={"confirm_paid": [_("Received so far: %(paid)s.") % amounts]})
