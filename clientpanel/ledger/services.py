"""The ledger: the only place a client's balance moves (SPEC §5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max

from clientpanel.accounts.models import User
from clientpanel.accounts.roles import FINANCE
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.clients.services import require_area
from clientpanel.core.actor import current_actor
from clientpanel.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from clientpanel.core.money import AMOUNT_MAX, AmountError, parse_amount

from .models import EntryType, LedgerEntry


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


def entry_post(
    *,
    client_id,
    type: str,
    net: Decimal,
    gross: Decimal | None = None,
    description: str = "",
    transaction_id: str = "",
    service_id=None,
    period_start: dt.datetime | None = None,
    period_end: dt.datetime | None = None,
    document_id=None,
    check_credit: bool = False,
    allow_over_limit: bool = False,
) -> tuple[LedgerEntry, bool]:
    """Post one entry and move the balance, atomically with the caller's transaction.

    Locks the client row first, so concurrent posts on one client queue up and none is lost;
    the sequence is the next one and balance_before is the balance at that moment. An entry
    with a transaction ID the client already has is not posted again: the existing entry comes
    back with created=False. With check_credit, a debit beyond balance + credit limit is refused
    (InsufficientFunds) unless allow_over_limit.
    """
    gross = net if gross is None else gross
    with transaction.atomic():
        client = Client.objects.select_for_update().only("id", "balance", "credit_limit", "currency").get(
            pk=client_id)
        if transaction_id:
            existing = LedgerEntry.objects.filter(client_id=client.pk, transaction_id=transaction_id).first()
            if existing is not None:
                return existing, False
        if check_credit and net < 0 and client.balance + client.credit_limit < -net and not allow_over_limit:
            raise InsufficientFunds(
                f"Not enough funds: balance {client.balance} + credit limit {client.credit_limit} "
                f"{client.currency} do not cover {-net}.",
                fields={"amount": ["Exceeds the balance plus the credit limit."]},
            )
        balance_after = client.balance + net
        if abs(balance_after) > AMOUNT_MAX:
            raise ValidationFailed("The balance would leave the supported range.",
                                   fields={"amount": ["The resulting balance is out of range."]})
        last = LedgerEntry.objects.filter(client_id=client.pk).aggregate(m=Max("sequence"))["m"] or 0
        actor = current_actor()
        entry = LedgerEntry(
            client_id=client.pk, sequence=last + 1, type=type, gross=gross, net=net,
            balance_before=client.balance, balance_after=balance_after, description=description[:500],
            transaction_id=transaction_id, service_id=service_id, period_start=period_start,
            period_end=period_end, document_id=document_id, created_by_kind=actor.kind,
            created_by=actor.user if getattr(actor.user, "pk", None) else None, created_by_label=actor.label[:300],
        )
        entry.save(force_insert=True)
        Client.objects.filter(pk=client.pk).update(balance=balance_after)
    return entry, True


def manual_transaction_create(*, actor: User | None, client_id, amount: object, transaction_id: object = "",
                              description: object = "", allow_over_limit: bool = False) -> tuple[LedgerEntry, bool]:
    """A staff or API adjustment (SPEC §5): signed amount, optional transaction ID, description;
    posted as ADJUSTMENT with gross = net. A debit beyond balance + credit limit needs an explicit,
    logged override. The same transaction ID posts once."""
    require_area(actor, FINANCE, "post transactions")
    errors = FieldErrors()
    net = None
    try:
        net = parse_amount(amount)
        if net == 0:
            errors.add("amount", "The amount cannot be zero.")
    except AmountError as error:
        errors.add("amount", str(error))
    if not isinstance(transaction_id, str):
        errors.add("transaction_id", "Must be text.")
        transaction_id = ""
    transaction_id = transaction_id.strip()
    if len(transaction_id) > 100:
        errors.add("transaction_id", "At most 100 characters.")
    if not isinstance(description, str):
        errors.add("description", "Must be text.")
        description = ""
    description = description.strip()
    if len(description) > 500:
        errors.add("description", "At most 500 characters.")
    if not description:
        errors.add("description", "Describe the transaction.")
    errors.raise_if_any()
    with transaction.atomic():
        visible = Client.objects if actor is None else clients_visible_to(actor)
        if not visible.filter(pk=client_id).exists():
            raise NotFound("Client not found.")
        try:
            with transaction.atomic():
                entry, created = entry_post(client_id=client_id, type=EntryType.ADJUSTMENT, net=net,
                                            description=description, transaction_id=transaction_id,
                                            check_credit=True, allow_over_limit=allow_over_limit)
        except IntegrityError:
            # Another request with this transaction ID committed between our check and insert.
            entry = LedgerEntry.objects.get(client_id=client_id, transaction_id=transaction_id)
            return entry, False
        if created:
            over = allow_over_limit and entry.balance_after + _credit_limit(client_id) < 0
            audit_record(action="ledger.manual_transaction", target=entry, client_id=client_id,
                         object_label=f"{entry.net} #{entry.sequence}",
                         changes={"amount": [None, entry.net], "transaction_id": [None, transaction_id or None],
                                  "credit_limit_override": [None, True] if over else [None, None]})
    return entry, created


def _credit_limit(client_id) -> Decimal:
    return Client.objects.only("credit_limit").get(pk=client_id).credit_limit
