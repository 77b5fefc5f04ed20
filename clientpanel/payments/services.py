"""Online payments (issue 15): start a payment of one or several unpaid proformas through a
gateway, and apply what the gateway notifies — stored first under its event id, then applied once
through invoicing's payment service with the gateway's transaction id, so a repeated, late or
out-of-order notification never pays twice. A notification whose amount or currency differs from
the attempt's, or whose proformas can no longer take the money, holds the attempt for staff."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.clients.models import Client
from clientpanel.clients.permissions import MANAGE_INVOICES
from clientpanel.core.actor import Actor
from clientpanel.core.errors import Conflict, DomainError, FieldErrors, NotFound, ValidationFailed, require
from clientpanel.core.events import publish
from clientpanel.core.money import display_amount
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.invoicing.policies import can_pay, can_record_payments
from clientpanel.invoicing.selectors import documents_visible_to
from clientpanel.invoicing.services import proforma_pay

from . import rules
from .events import PaymentHeld
from .gateways import (
    FAILED,
    PENDING,
    SUCCEEDED,
    AttemptInfo,
    Checkout,
    GatewayError,
    Notification,
    NotVerified,
    get_gateway,
)
from .methods import gateway_method
from .models import AttemptDocument, AttemptStatus, GatewayAccount, GatewayEvent, PaymentAttempt, SavedMethod
from .reversals import reversal_record
from .selectors import account_of, attempts_visible_to, online_gateways, payments_settling, settling_refusal
from .siblings import close_sibling_checkouts

log = logging.getLogger(__name__)

MAX_DOCUMENTS = 20  # proformas one payment may settle


def payable_documents(actor: ActorLike, document_ids: list | None) -> list[Document]:
    """The proformas one payment may settle: unpaid ones the actor may pay, of one client, home
    company and currency, none of them with another payment still settling — or the reason not."""
    actor = as_actor(actor)
    errors = FieldErrors()
    ids = list(dict.fromkeys(document_ids or []))
    if not ids:
        errors.add("documents", _("Choose at least one proforma to pay."))
    elif len(ids) > MAX_DOCUMENTS:
        errors.add("documents", _("One payment settles at most %(count)d proformas.") % {"count": MAX_DOCUMENTS})
    errors.raise_if_any()
    documents = list(documents_visible_to(actor).filter(pk__in=ids).select_related("client", "home_company"))
    if len(documents) != len(ids):
        raise NotFound(_("Some of these documents do not exist or are not yours to pay."))
    for document in documents:
        require(can_pay(actor, document), _("You are not allowed to pay documents."))
    payable = [d for d in documents if d.type == DocumentType.PROFORMA and d.status == DocumentStatus.UNPAID
               and d.total > d.paid_gross]
    if len(payable) != len(documents):
        raise Conflict(_("Only unpaid proformas can be paid: %(numbers)s is not one.") % {
            "numbers": ", ".join(d.number or "" for d in documents if d not in payable)})
    if len({(d.client_id, d.home_company_id, d.currency) for d in documents}) > 1:
        raise Conflict(_("Proformas paid together must be one client's, from one home company, in one currency."))
    settling = payments_settling(documents)
    if settling:
        raise Conflict(settling_refusal(settling, documents))
    return documents


def payment_start(*, actor: ActorLike, document_ids: list, account_id: int | None,
                  return_url: Callable[[PaymentAttempt], str],
                  keep_method: bool = False) -> tuple[PaymentAttempt, Checkout]:
    """Start paying these unpaid proformas of one client (same home company and currency) through
    one of their company's online gateways; answers the attempt and where to send the payer. A
    gateway that fails to start leaves the attempt FAILED with its reason and nothing paid.
    `keep_method`: the payer asked to keep the card for later charges (heard only by a gateway that
    asks before its page opens)."""
    actor = as_actor(actor)
    documents = payable_documents(actor, document_ids)
    first = documents[0]
    offered = {account.pk: account for account in online_gateways(home_company_id=first.home_company_id,
                                                                  currency=first.currency)}
    if not offered:
        raise Conflict(_("No online payment is available for %(currency)s; pay by bank transfer.") % {
            "currency": first.currency})
    account = offered.get(account_id) if account_id is not None else next(iter(offered.values()))
    if account is None:
        raise ValidationFailed(_("Choose one of the payment methods offered."),
                               fields={"account": [_("Choose one of the payment methods offered.")]})
    with transaction.atomic():
        attempt = PaymentAttempt.objects.create(
            client_id=first.client_id, home_company_id=first.home_company_id, gateway=account.gateway,
            currency=first.currency, amount=sum((d.total - d.paid_gross for d in documents), Decimal(0)),
            started_by=actor.user if actor.user is not None and getattr(actor.user, "pk", None) else None,
            started_by_label=actor.label[:300])
        AttemptDocument.objects.bulk_create([AttemptDocument(attempt=attempt, document=d, amount=d.total - d.paid_gross)
                                             for d in documents])
    gateway = get_gateway(account.gateway)
    info = AttemptInfo(attempt_id=str(attempt.pk), amount=attempt.amount, currency=attempt.currency,
                       description=", ".join(d.number or "" for d in documents),
                       client_email=getattr(first.client, "email", "") or "", account_id=account.pk,
                       settings=account.settings, client_id=str(first.client_id),
                       keep_method=bool(keep_method) and gateway.keep_asked_before_start(account.settings))
    try:
        checkout = gateway.start(info, return_url=return_url(attempt))
    except GatewayError as error:
        _fail(attempt, str(error))
        raise Conflict(_("The payment could not be started: %(reason)s") % {"reason": error}) from None
    except Exception as error:  # a timeout or a gateway's bug: the attempt says so, nothing is paid
        log.exception("gateway %s failed to start attempt %s", account.gateway, attempt.pk)
        _fail(attempt, _("The payment service did not answer: %(reason)s") % {"reason": type(error).__name__})
        raise Conflict(_("The payment service did not answer; nothing was charged. Try again later.")) from None
    PaymentAttempt.objects.filter(pk=attempt.pk).update(reference=checkout.reference, updated_at=timezone.now())
    attempt.reference = checkout.reference
    return attempt, checkout


def _fail(attempt: PaymentAttempt, reason: str) -> None:
    PaymentAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.FAILED, error=reason[:500],
                                                        updated_at=timezone.now())
    attempt.status, attempt.error = AttemptStatus.FAILED, reason[:500]


def notification_receive(*, gateway_key: str, account_id: int, body: bytes,
                         headers: Mapping[str, str]) -> GatewayEvent:
    """Verify a gateway's notification (NotVerified when the signature does not hold: nothing is
    stored), store it under its event id, then apply it once. Answers the stored event; a repeat
    answers the first one unchanged."""
    account = GatewayAccount.objects.filter(pk=account_id, gateway=gateway_key).first()
    if account is None:
        raise NotVerified(f"no {gateway_key} account {account_id}")
    try:
        gateway = get_gateway(gateway_key)
    except GatewayError:
        raise NotVerified(f"no gateway {gateway_key} is shipped") from None
    note = gateway.verify(body, headers, account_id=account.pk, settings=account.settings)
    return notification_apply(gateway_key=gateway_key, note=note)


def notification_apply(*, gateway_key: str, note: Notification) -> GatewayEvent:
    """Store a verified notification (or a gateway's own answer to a charge) under its event id,
    then apply it once."""
    try:
        event, _created = GatewayEvent.objects.get_or_create(
            gateway=gateway_key, event_id=note.event_id, defaults={"kind": note.kind, "payload": note.payload})
    except IntegrityError:  # the same event arriving twice at once: the other one stored it
        event = GatewayEvent.objects.get(gateway=gateway_key, event_id=note.event_id)
    with transaction.atomic():
        event = GatewayEvent.objects.select_for_update().get(pk=event.pk)
        if event.applied_at is not None:
            return event
        attempt, outcome = reversal_record(gateway_key, note, event) if note.reversal else _apply(gateway_key, note)
        event.attempt, event.outcome, event.applied_at = attempt, outcome[:300], timezone.now()
        event.save(update_fields=["attempt", "outcome", "applied_at"])
    return event


def _apply(gateway_key: str, note: Notification) -> tuple[PaymentAttempt | None, str]:
    attempt = None
    if note.reference:
        attempt = PaymentAttempt.objects.select_for_update().filter(gateway=gateway_key,
                                                                    reference=note.reference).first()
    if attempt is None and note.attempt_id:
        # Ours, by the id the gateway echoes back: its answer to the charge was lost (a timeout), so
        # the attempt never learned the gateway's reference; it learns it now.
        try:
            attempt = PaymentAttempt.objects.select_for_update().filter(
                pk=uuid.UUID(note.attempt_id), gateway=gateway_key).first()
        except ValueError:
            attempt = None
        if attempt is not None and note.reference and attempt.reference != note.reference:
            attempt.reference = note.reference
            attempt.save(update_fields=["reference", "updated_at"])
    if attempt is None:
        return None, "unknown payment: nothing done"
    if attempt.status == AttemptStatus.RESOLVED and note.kind == SUCCEEDED \
            and note.transaction_id != attempt.transaction_id:
        # Settled by hand without this money known (perhaps as "nothing was charged"), and now the
        # gateway says it came: held again for staff, never dropped unseen. The same charge told
        # again (the transaction staff settled) changes nothing.
        log.error("payment %s succeeded at the gateway after staff settled it by hand", attempt.pk)
        _set(attempt, AttemptStatus.HELD, transaction_id=note.transaction_id,
             error=_("The gateway reported the money received after the payment was settled by hand; check it."))
        return attempt, "held: money arrived after it was settled by hand"
    if attempt.status in (AttemptStatus.SUCCEEDED, AttemptStatus.HELD, AttemptStatus.RESOLVED):
        return attempt, f"already {attempt.status.lower()}: nothing done"
    if note.kind == PENDING:
        if attempt.status in (AttemptStatus.STARTED, AttemptStatus.CLOSED):  # closed after the payer paid there
            _set(attempt, AttemptStatus.PENDING)
            return attempt, "pending"
        return attempt, f"pending after {attempt.status.lower()}: nothing done"
    if note.kind == FAILED:
        if attempt.status in (AttemptStatus.STARTED, AttemptStatus.PENDING):
            _set(attempt, AttemptStatus.FAILED, error=note.error or _("The payment was declined."))
            return attempt, "failed"
        return attempt, "failed again: nothing done"
    if note.kind != SUCCEEDED:
        return attempt, f"{note.kind}: nothing done"
    # Succeeded — also after a failure or before its pending notice: the money moved.
    if note.amount != attempt.amount or note.currency != attempt.currency:
        _set(attempt, AttemptStatus.HELD, transaction_id=note.transaction_id,
             error=_("The gateway reported %(amount)s; the payment was for %(expected)s.") % {
                 "amount": display_amount(note.amount, note.currency) if note.amount is not None else "?",
                 "expected": display_amount(attempt.amount, attempt.currency)})
        return attempt, "held: amount or currency differs"
    gateway = get_gateway(gateway_key)
    payer = Actor(label=f"{gateway.title} ({note.transaction_id or note.reference})"[:300])
    parts = list(attempt.documents.order_by("pk"))
    paid_as = note.transaction_id or note.event_id  # never empty: /1, /2… must not collide across attempts
    try:
        with transaction.atomic():
            for index, part in enumerate(parts, start=1):
                proforma_pay(actor=payer, document_id=part.document_id, amount=part.amount, **gateway_method(gateway),
                             transaction_id=(paid_as if len(parts) == 1 else f"{paid_as}/{index}")[:100])
    except DomainError as error:
        _set(attempt, AttemptStatus.HELD, transaction_id=note.transaction_id,
             error=_("Received, but not applied: %(reason)s") % {"reason": error.message})
        return attempt, "held: the proformas could not take the money"
    except IntegrityError:
        log.error("payment %s received but not applied: the database refused the final invoice", attempt.pk)
        # The database refused what paying writes (the final invoice's number already taken, by a
        # numbering series that repeats): held for staff with the money recorded as received,
        # rather than a gateway retrying a failing notification for days while nobody is told.
        _set(attempt, AttemptStatus.HELD, transaction_id=note.transaction_id,
             error=_("Received, but not applied: the final invoice could not be written (is its number already "
                     "used? check the home company's numbering)."))
        return attempt, "held: the payment could not be written"
    _set(attempt, AttemptStatus.SUCCEEDED, transaction_id=note.transaction_id, error="")
    if note.saved_method:
        _keep_method(attempt, note)
    return attempt, "paid"


def _keep_method(attempt: PaymentAttempt, note: Notification) -> None:
    """The payer asked the gateway to keep its card: remember the reference (the first is the default)."""
    account = account_of(attempt)
    if account is None:
        return
    # The client's row lock orders two first cards kept at once: one becomes the default, never two.
    Client.objects.select_for_update(of=("self",), no_key=True).only("id").get(
        pk=attempt.client_id)
    has_default = SavedMethod.objects.filter(client_id=attempt.client_id, is_default=True).exists()
    SavedMethod.objects.get_or_create(account=account, reference=note.saved_method, defaults={
        "client_id": attempt.client_id, "label": note.saved_method_label or note.saved_method[:100],
        "is_default": not has_default})


def _set(attempt: PaymentAttempt, status: str, **fields) -> None:
    for name, value in {"status": status, **fields}.items():
        setattr(attempt, name, value[:500] if name == "error" else value)
    attempt.save(update_fields=["status", *fields, "updated_at"])
    if status == AttemptStatus.HELD:  # staff are told: nobody reviewed what nobody saw
        publish(PaymentHeld(client_id=attempt.client_id, attempt_id=attempt.pk))
    if status in (AttemptStatus.PENDING, AttemptStatus.HELD, AttemptStatus.SUCCEEDED):
        close_sibling_checkouts(attempt)  # one payment of its proformas: the other checkouts close


def attempt_for_payer(*, actor: ActorLike, attempt_id) -> PaymentAttempt:
    """An attempt the actor may follow (its client's documents are the actor's to pay)."""
    actor = as_actor(actor)
    attempt = attempts_visible_to(actor).filter(pk=attempt_id).first()
    if attempt is None or (actor.is_portal and not actor.may_on_client(attempt.client_id, MANAGE_INVOICES)):
        raise NotFound(_("No such payment."))
    return attempt


def attempt_documents(attempt: PaymentAttempt) -> list[Document]:
    return [part.document for part in attempt.documents.select_related("document").order_by("pk")]


RESOLUTION_MAX_LENGTH = 200


def attempt_resolve(*, actor: ActorLike, attempt_id, note: object) -> PaymentAttempt:
    """Staff settle by hand a payment held for review, or one the gateway never answered about
    (rules.can_be_resolved_by_staff: they recorded the money on the proforma, sent it back, or
    found nothing was charged) and say how; the attempt is RESOLVED, audited, and later
    notifications about it change nothing."""
    actor = as_actor(actor)
    require(can_record_payments(actor), _("You are not allowed to record payments."))
    text = " ".join(str(note or "").split())
    if not text or len(text) > RESOLUTION_MAX_LENGTH:
        raise ValidationFailed(_("Say in at most %(count)d characters how the payment was settled.") % {
            "count": RESOLUTION_MAX_LENGTH}, fields={"note": [_("Required, one line.")]})
    with transaction.atomic():
        attempt = attempts_visible_to(actor).select_for_update(of=("self",)).filter(pk=attempt_id).first()
        if attempt is None:
            raise NotFound(_("No such payment."))
        if not rules.can_be_resolved_by_staff(attempt, timezone.now()):
            raise Conflict(_("Only a payment held for review, or one the payment service has not answered "
                             "about for an hour (for %(days)d days when it said the payment is processing), is "
                             "resolved by hand.") % {"days": rules.PROCESSING_UNANSWERED_AFTER.days})
        before, was = attempt.error, attempt.status
        attempt.status = AttemptStatus.RESOLVED
        attempt.error = (_("Resolved by staff: %(note)s") % {"note": text} + (f" ({before})" if before else ""))[:500]
        attempt.save(update_fields=["status", "error", "updated_at"])
        audit_record(action="payment_attempt.resolve", target=attempt, client_id=attempt.client_id,
                     object_label=f"{attempt.gateway} {attempt.amount} {attempt.currency}",
                     changes={"status": [was, AttemptStatus.RESOLVED], "note": [None, text]})
    return attempt
