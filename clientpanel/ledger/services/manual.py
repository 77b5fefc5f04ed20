"""Staff's and integrations' manual adjustments (SPEC §5)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.errors import FieldErrors, NotFound, require
from clientpanel.core.money import AmountError, parse_amount
from clientpanel.core.text import clean_text

from .. import policies
from ..models import EntryType, LedgerEntry
from .common import TransactionIdUsed
from .posting import entry_post


def manual_transaction_create(*, actor: ActorLike, client_id, amount: object, transaction_id: object = "",
                              description: object = "", allow_over_limit: bool = False) -> tuple[LedgerEntry, bool]:
    """A staff or API adjustment (SPEC §5): signed amount, optional transaction ID, description;
    posted as ADJUSTMENT with gross = net. A debit beyond balance + credit limit needs an explicit,
    logged override. The same transaction ID with the same amount is a replay: the entry posted
    before comes back (created=False); the ID on any other entry is TransactionIdUsed."""
    require(policies.can_post_transactions(as_actor(actor)), _("You are not allowed to post transactions."))
    errors = FieldErrors()
    net = None
    try:
        net = parse_amount(amount)
        if net == 0:
            errors.add("amount", _("The amount cannot be zero."))
    except AmountError as error:
        errors.add("amount", str(error))
    transaction_id = clean_text(transaction_id, "transaction_id", errors, limit=100, single_line=True)
    description = clean_text(description, "description", errors, limit=500)
    if not description:
        errors.add("description", _("Describe the transaction."))
    errors.raise_if_any()
    with transaction.atomic():
        visible = clients_visible_to(actor)
        if not visible.filter(pk=client_id).exists():
            raise NotFound(_("Client not found."))
        entry, created = entry_post(client_id=client_id, type=EntryType.ADJUSTMENT, net=net,
                                    description=description, transaction_id=transaction_id,
                                    check_credit=True, allow_over_limit=allow_over_limit)
        if not created and (entry.type != EntryType.ADJUSTMENT or entry.net != net):
            raise TransactionIdUsed.by(entry, Client.objects.only("currency").get(pk=client_id).currency)
        if created:
            over = allow_over_limit and entry.balance_after + _credit_limit(client_id) < 0
            audit_record(action="ledger.manual_transaction", target=entry, client_id=client_id,
                         object_label=f"{entry.net} #{entry.sequence}",
                         changes={"amount": [None, entry.net], "transaction_id": [None, transaction_id or None],
                                  "credit_limit_override": [None, True] if over else [None, None]})
    return entry, created


def _credit_limit(client_id) -> Decimal:
    return Client.objects.only("credit_limit").get(pk=client_id).credit_limit
