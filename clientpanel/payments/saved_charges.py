"""Charging a method the gateway keeps for a client (a card saved when it paid and asked to keep it):
the client pays a proforma with it from the proforma's page, as WHMCS's "Pay with stored card" —
no gateway page to go through — and auto top-up charges the default one, the payer absent
(auto_top_up.py). Either way the gateway answers at once and its answer is applied as any of its
notifications is, once (services.notification_apply); a charge it did not answer stays PENDING,
never charged again, until its notification settles it."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.clients.rules import portal_open
from clientpanel.core.errors import Conflict, NotFound, require
from clientpanel.core.ids import uuid_or_none
from clientpanel.invoicing.models import Document, DocumentStatus

from .gateways import FAILED, AttemptInfo, GatewayError, Notification, get_gateway
from .models import AttemptDocument, AttemptStatus, PaymentAttempt, SavedMethod
from .policies import can_charge_saved_methods
from .selectors import payments_settling, saved_methods_for, settling_refusal
from .services import notification_apply, payable_documents
from .siblings import close_sibling_checkouts

log = logging.getLogger(__name__)


def charge_saved_method(attempt: PaymentAttempt, method: SavedMethod, *, description: str,
                        reference_prefix: str, payer_present: bool = False) -> None:
    """Charge `method` for `attempt` (made beforehand, its documents with it) and apply the gateway's
    answer: the attempt ends SUCCEEDED (its proformas paid), FAILED with the reason, or PENDING
    when the gateway did not answer — the card may have been charged, so it is never tried again
    as a new charge; the gateway's notification (it names the attempt) settles it."""
    gateway = get_gateway(method.account.gateway)
    info = AttemptInfo(attempt_id=str(attempt.pk), amount=attempt.amount, currency=attempt.currency,
                       description=description, client_email="", account_id=method.account_id,
                       settings=method.account.settings, payer_present=payer_present)
    try:
        note = gateway.charge_saved(info, method_reference=method.reference)
    except GatewayError as error:
        note = Notification(event_id=f"refused_{attempt.pk}", kind=FAILED, reference=f"{reference_prefix}_{attempt.pk}",
                            amount=attempt.amount, currency=attempt.currency, error=str(error))
    except Exception as error:  # GatewayUnanswered, or any failure on the way: the card may have been charged
        log.exception("gateway %s did not answer a charge of a saved method for %s", gateway.key, attempt.pk)
        with transaction.atomic():
            PaymentAttempt.objects.filter(pk=attempt.pk).update(
                status=AttemptStatus.PENDING, error=(_("The payment service did not answer: %(reason)s") % {
                    "reason": type(error).__name__})[:500])
            close_sibling_checkouts(attempt)  # the card may be charged: the proformas' checkouts close
        attempt.refresh_from_db()
        return
    PaymentAttempt.objects.filter(pk=attempt.pk).update(reference=note.reference)
    notification_apply(gateway_key=gateway.key, note=note)
    attempt.refresh_from_db()


def pending_attempt(documents: list[Document], *, gateway: str, started_by_label: str, started_by=None,
                    idempotency_key: str | None = None) -> PaymentAttempt:
    """Inside the caller's transaction, the attempt of a saved method's charge of these proformas (one
    client's, one company's, one currency's), written PENDING — the charge is under way — under the
    proformas' row locks (primary-key order), for what each owes now. A second charge of them
    started at the same moment (another tab, another user of the client, the auto top-up job) waits
    for the lock, then finds this one settling and is refused (Conflict), as is a proforma paid
    meanwhile: the card is charged once. Their open gateway pages close (siblings.py)."""
    locked = list(Document.objects.select_for_update(of=("self",)).filter(pk__in=[d.pk for d in documents])
                  .order_by("pk"))
    paid = [d for d in locked if d.status != DocumentStatus.UNPAID or d.total <= d.paid_gross]
    if paid:
        raise Conflict(_("Only unpaid proformas can be paid: %(numbers)s is not one.") % {
            "numbers": ", ".join(d.number or "" for d in paid)})
    settling = payments_settling(locked)
    if settling:
        raise Conflict(settling_refusal(settling, locked))
    first = locked[0]
    attempt = PaymentAttempt.objects.create(
        client_id=first.client_id, home_company_id=first.home_company_id, gateway=gateway, currency=first.currency,
        amount=sum((d.total - d.paid_gross for d in locked), Decimal(0)), status=AttemptStatus.PENDING,
        started_by=started_by, started_by_label=started_by_label[:300],
        **({"idempotency_key": idempotency_key} if idempotency_key else {}))
    AttemptDocument.objects.bulk_create([AttemptDocument(attempt=attempt, document=d, amount=d.total - d.paid_gross)
                                         for d in locked])
    close_sibling_checkouts(attempt)
    return attempt


def pay_with_saved_method(*, actor: ActorLike, document_ids: list, method_id) -> PaymentAttempt:
    """Pay these unpaid proformas (payable_documents' rules) with one of their client's saved methods,
    one its home company still takes their currency through, the payer at the page: charged once
    (pending_attempt). Not for a closed or fraud client, nor for staff signed in as the client
    (policies.can_charge_saved_methods). Answers the attempt as the gateway left it."""
    actor = as_actor(actor)
    require(can_charge_saved_methods(actor), _("Staff signed in as the client cannot charge its saved cards; "
                                               "the client pays with them itself."))
    documents = payable_documents(actor, document_ids)
    first = documents[0]
    if not portal_open(first.client.status):
        raise Conflict(_("This client's account is closed: its saved cards are not charged."))
    method_key = uuid_or_none(method_id)
    usable = {m.pk: m for m in saved_methods_for(first)}
    method = usable.get(method_key) if method_key is not None else None
    if method is None:
        if method_key is not None and SavedMethod.objects.filter(pk=method_key, client_id=first.client_id).exists():
            raise Conflict(_("This card cannot pay %(currency)s proformas of this company; choose another way to "
                             "pay.") % {"currency": first.currency})
        raise NotFound(_("No such payment method."))
    with transaction.atomic():
        attempt = pending_attempt(documents, gateway=method.account.gateway, started_by_label=actor.label,
                                  started_by=actor.user if getattr(actor.user, "pk", None) else None)
    charge_saved_method(attempt, method, description=", ".join(d.number or "" for d in documents),
                        reference_prefix="saved-method", payer_present=True)
    return attempt
