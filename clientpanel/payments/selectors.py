"""What the portal offers to pay with, and what staff see of online payments: their attempts, and
the refunds and disputes made at the gateway (reversal_notices)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.rules import portal_open
from clientpanel.clients.selectors import clients_visible_to
from clientpanel.core.money import reader_amount
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType

from .dispute_reasons import dispute_reason_label
from .gateways import GatewayError, get_gateway
from .models import (
    TAKES_MONEY_BACK,
    AttemptDocument,
    AttemptStatus,
    GatewayAccount,
    GatewayRefund,
    GatewayReversal,
    PaymentAttempt,
    RefundStatus,
    ReversalKind,
    SavedMethod,
)
from .policies import can_charge_saved_methods
from .rules import SETTLING

TEST_GATEWAY = "test"


def online_gateways(*, home_company_id: int, currency: str) -> list[GatewayAccount]:
    """The enabled gateway accounts of a home company that take this currency online, in the order
    the company set (bank transfer is not among them: it has no checkout)."""
    accounts = GatewayAccount.objects.filter(home_company_id=home_company_id, enabled=True)
    found = []
    for account in accounts:
        try:
            online = get_gateway(account.gateway).online
        except GatewayError:  # a gateway no longer shipped: not offered
            online = False
        if account.gateway == TEST_GATEWAY and not settings.CLIENTPANEL_TEST_GATEWAY:
            online = False  # it settles proformas without money: only where the server allows it
        if online and (not account.currencies or currency in account.currencies):
            found.append(account)
    return found


def saved_methods_for(document: Document) -> list[SavedMethod]:
    """The client's saved methods that can pay this proforma now, the default first: kept by a gateway
    that charges them, through an account its home company takes the proforma's currency with online."""
    accounts = [a.pk for a in online_gateways(home_company_id=document.home_company_id, currency=document.currency)
                if get_gateway(a.gateway).saves_methods]
    return list(SavedMethod.objects.filter(client_id=document.client_id, account_id__in=accounts)
                .select_related("account").order_by("-is_default", "-created_at"))


def saved_methods_offered(actor: ActorLike, document: Document) -> list[SavedMethod]:
    """The saved methods a proforma's page offers this actor to pay with (saved_methods_for): none to
    staff signed in as the client, nor for a closed or fraud client (saved_charges.pay_with_saved_method)."""
    client = document.client
    if not can_charge_saved_methods(as_actor(actor)) or not portal_open(client.status):
        return []
    return saved_methods_for(document)


def payments_settling(documents: Iterable[Document]) -> dict:
    """Of these documents, those an online payment still settles (rules.SETTLING), each with that
    payment's status — HELD over PENDING when it has both (what the payer is told). One query."""
    settling: dict = {}
    for document_id, status in AttemptDocument.objects.filter(
            document__in=[d.pk for d in documents], attempt__status__in=SETTLING).values_list(
            "document_id", "attempt__status"):
        if settling.get(document_id) != AttemptStatus.HELD:
            settling[document_id] = status
    return settling


def settling_refusal(settling: dict, documents: Iterable[Document]) -> str:
    """Why these documents cannot be paid now (payment_start's refusal, in the payer's words)."""
    held = [d.number or "" for d in documents if settling.get(d.pk) == AttemptStatus.HELD]
    if held:
        return _("A payment of %(numbers)s was received and is being checked by our staff; it cannot be paid "
                 "again until they have settled it.") % {"numbers": ", ".join(held)}
    return _("A payment of %(numbers)s is being processed; it cannot be paid again until the payment service "
             "says how that one ended.") % {"numbers": ", ".join(d.number or "" for d in documents
                                                                  if d.pk in settling)}


def payable_online(documents: Iterable[Document]) -> tuple[set, dict]:
    """Which of these documents the portal offers to pay online now — unpaid proformas whose home
    company takes their currency through a gateway (one look-up per company and currency), with no
    payment of them still settling — and those that are settling, with its status (the page says why
    it offers no Pay now)."""
    documents = [d for d in documents if d.type == DocumentType.PROFORMA and d.status == DocumentStatus.UNPAID]
    settling = payments_settling(documents) if documents else {}
    offered: dict = {}
    payable = set()
    for document in documents:
        key = (document.home_company_id, document.currency)
        if key not in offered:
            offered[key] = bool(online_gateways(home_company_id=key[0], currency=key[1]))
        if offered[key] and document.pk not in settling:
            payable.add(document.pk)
    return payable, settling


def account_of(attempt: PaymentAttempt, gateway: str | None = None) -> GatewayAccount | None:
    """The gateway account an attempt was made through (its home company's, for its gateway), if the
    company still has it."""
    return GatewayAccount.objects.filter(home_company_id=attempt.home_company_id,
                                         gateway=gateway or attempt.gateway).first()


def attempts_visible_to(actor: ActorLike) -> QuerySet[PaymentAttempt]:
    """The payment attempts of the clients the actor sees."""
    return PaymentAttempt.objects.filter(client__in=clients_visible_to(actor))


def client_attempts(*, client) -> QuerySet[PaymentAttempt]:
    """A client's online payment attempts, newest first, with what each paid (staff's Transactions tab)."""
    return client.payment_attempts.prefetch_related("documents__document").order_by("-created_at")


@dataclass
class ReversalNotice:
    """What staff are told of one online payment's money taken back at the gateway (refunded
    there, disputed): each recorded reversal, and how much of what went back for good no credit
    note records yet (`outstanding` > 0: issue one). Credit notes the panel sent through the
    gateway are not counted: their refunds are not among the reversals either."""

    attempt: PaymentAttempt
    brand: str  # "Stripe"
    reversals: list[GatewayReversal]
    # What went back for good that credit notes can record (gross): refunds at the gateway and lost
    # disputes, never more than the payment brought in (went_back_for_good); what went back beyond it.
    taken_back: Decimal
    credited: Decimal  # credit notes of the payment's invoices not sent through the gateway (gross)
    invoices: list[Document] = field(default_factory=list)  # where a credit note is issued
    beyond: Decimal = Decimal(0)
    open_disputes: set[str] = field(default_factory=set)  # disputes (external ids) not closed yet

    @property
    def applied(self) -> bool:
        """Whether the panel put the payment's money on its proformas (SUCCEEDED). A held payment's
        never reached the books (a resolved one only as staff settled it by hand): what went back of
        it needs no credit note, and there is no invoice of it to issue one on."""
        return self.attempt.status == AttemptStatus.SUCCEEDED

    @property
    def outstanding(self) -> Decimal:
        return max(self.taken_back - self.credited, Decimal(0)) if self.applied else Decimal(0)

    @property
    def lines(self) -> list[dict]:
        """Each reversal in the active language and time zone, with what staff are to do about it:
        {"reversal", "text", "warn", "fee"} ("Refunded at Stripe on 24 Nov 2026: 50,00 zł — issue a
        credit note to record it"; warn: it asks for something still; fee: a closed dispute's fee the
        gateway kept, told as the seller's cost, or "")."""
        return [self._line(reversal) for reversal in self.reversals]

    def _line(self, reversal: GatewayReversal) -> dict:
        values = {"gateway": self.brand, "amount": reader_amount(reversal.amount, reversal.currency),
                  "date": dateformat.format(timezone.localtime(reversal.happened_at), "j E Y")}
        advice = ""
        if reversal.kind == ReversalKind.REFUNDED:
            text = _("Refunded at %(gateway)s on %(date)s: %(amount)s") % values
        elif reversal.kind == ReversalKind.DISPUTE_OPENED:
            text = _("Disputed at %(gateway)s on %(date)s: %(amount)s") % values
            if reversal.reason:
                text = _("%(line)s (reason: %(reason)s)") % {"line": text,
                                                              "reason": dispute_reason_label(reversal.reason)}
            if reversal.external_id in self.open_disputes:
                advice = _("answer it in the %(gateway)s dashboard") % values
        elif reversal.kind == ReversalKind.DISPUTE_WON:
            text = _("Dispute at %(gateway)s won on %(date)s: %(amount)s stays paid") % values
        else:
            text = _("Dispute at %(gateway)s lost on %(date)s: %(amount)s went back to the payer") % values
        if reversal.kind in TAKES_MONEY_BACK and not self.applied:
            advice = _("the panel never applied this payment to a document: no credit note is needed unless "
                       "staff recorded the money by hand")
        elif reversal.kind in TAKES_MONEY_BACK:
            advice = _("issue a credit note to record it") if self.outstanding else _("recorded by a credit note")
        fee = ""
        if reversal.fee:  # the seller's cost: never added to what a credit note is asked to record
            fee = _("%(gateway)s kept a dispute fee of %(fee)s: the business's own cost, not the client's to "
                    "pay.") % {"gateway": self.brand, "fee": reader_amount(reversal.fee, reversal.fee_currency
                                                                           or reversal.currency)}
        return {"reversal": reversal, "text": f"{text} — {advice}" if advice else text, "fee": fee,
                "warn": bool(advice) and (reversal.kind not in TAKES_MONEY_BACK or bool(self.outstanding))}

    @property
    def warns(self) -> bool:
        """Whether staff still have something to do: a credit note to issue, a dispute to answer."""
        return bool(self.outstanding or self.open_disputes)


def reversal_notices(*, attempts: Iterable[PaymentAttempt] = (),
                     document: Document | None = None) -> list[ReversalNotice]:
    """The notices of these attempts, or of the attempts that paid this proforma or this invoice's
    proforma (a credit note has none), oldest payment first; payments with nothing taken back are left out."""
    if document is not None:
        if document.type == DocumentType.PROFORMA:
            parts = AttemptDocument.objects.filter(document=document)
        elif document.type == DocumentType.INVOICE:
            parts = AttemptDocument.objects.filter(document__related_id=document.pk,
                                                   document__type=DocumentType.PROFORMA)
        else:
            return []
        attempts = PaymentAttempt.objects.filter(pk__in=parts.values("attempt_id")).order_by("created_at")
    attempts = list(attempts)
    by_attempt: dict = {}
    for reversal in GatewayReversal.objects.filter(attempt__in=[a.pk for a in attempts]).order_by("happened_at",
                                                                                                "recorded_at"):
        by_attempt.setdefault(reversal.attempt_id, []).append(reversal)
    return [_notice(attempt, by_attempt[attempt.pk]) for attempt in attempts if attempt.pk in by_attempt]


def sent_back_by_panel(attempt: PaymentAttempt, *, invoice: Document | None = None) -> Decimal:
    """What the panel's credit notes sent back through the gateway of this payment (of the part that
    paid this invoice's proforma, if given), gross: their refunds made or being made (pending, or a
    retry under way), never one that failed — it took nothing from the payment, and its credit note
    waits for a retry or a refund made another way. A refund the panel kept as failed but the gateway
    names as made (its answer was lost) is made: reversals.reversal_record marks it so when the
    gateway's refund notification lists it. The one rule for the room a new gateway refund has
    (refunds.py) and for what credit notes can still record of money taken back at the gateway
    (went_back_for_good, reversals)."""
    refunds = GatewayRefund.objects.filter(attempt=attempt).exclude(status=RefundStatus.FAILED)
    if invoice is not None:
        refunds = refunds.filter(credit_note__related_id=invoice.pk)
    return sum(refunds.values_list("amount", flat=True), Decimal(0))


def went_back_for_good(attempt: PaymentAttempt, reversals: list[GatewayReversal]) -> tuple[Decimal, Decimal]:
    """What of the payment went back to the payer for good that credit notes can record, and what
    went back beyond that (gross). The refunds made at the gateway and the disputes whose last
    closing (reversals oldest first) was lost add up: a dispute won, even after Stripe withdrew its
    funds, gave them back, and an open one may still. They never count for more than the payment
    brought in less what the panel's own refunds sent back (their credit notes record that): Stripe
    lets an issuer dispute a charge refunded already, and when the seller loses, the same money went
    back twice — the invoice can be credited for it once; the rest is between the business and the
    payer, shown as `beyond`."""
    refunded = sum((r.amount for r in reversals if r.kind == ReversalKind.REFUNDED), Decimal(0))
    closings = {r.external_id or str(r.pk): r for r in reversals
                if r.kind in (ReversalKind.DISPUTE_WON, ReversalKind.DISPUTE_LOST)}
    lost = sum((r.amount for r in closings.values() if r.kind == ReversalKind.DISPUTE_LOST), Decimal(0))
    room = max(attempt.amount - sent_back_by_panel(attempt), Decimal(0))
    return min(refunded + lost, room), max(refunded + lost - room, Decimal(0))


def _notice(attempt: PaymentAttempt, reversals: list[GatewayReversal]) -> ReversalNotice:
    invoices = list(Document.objects.filter(
        type=DocumentType.INVOICE, pk__in=AttemptDocument.objects.filter(attempt=attempt).values(
            "document__related_id")).order_by("issue_date"))
    notes = (Document.objects.filter(type=DocumentType.CREDIT_NOTE, related_id__in=[i.pk for i in invoices])
             .exclude(pk__in=GatewayRefund.objects.values("credit_note_id")))
    closed = {r.external_id for r in reversals if r.kind in (ReversalKind.DISPUTE_WON, ReversalKind.DISPUTE_LOST)}
    try:
        gateway = get_gateway(attempt.gateway)
        brand = str(gateway.brand or gateway.title)
    except GatewayError:
        brand = attempt.gateway
    taken_back, beyond = went_back_for_good(attempt, reversals)
    return ReversalNotice(
        attempt=attempt, brand=brand, reversals=reversals, invoices=invoices, taken_back=taken_back, beyond=beyond,
        credited=sum((-note.total for note in notes), Decimal(0)),
        open_disputes={r.external_id for r in reversals
                       if r.kind == ReversalKind.DISPUTE_OPENED and r.external_id not in closed})
