"""Charging a method the gateway keeps for a client (a card saved when it paid and asked to keep it):
the client pays a proforma with it from the proforma's page, as WHMCS's "Pay with stored card" —
no gateway page to go through — and auto top-up charges the default one, the payer absent
(auto_top_up.py). Either way the gateway answers at once and its answer is applied as any of its
notifications is, once (services.notification_apply); a charge it did not answer stays PENDING,
never charged again, until its notification settles it."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.errors import Conflict, NotFound
from clientpanel.core.ids import uuid_or_none
from clientpanel.invoicing.models import Document, DocumentStatus

from .gateways import FAILED, AttemptInfo, GatewayError, Notification, get_gateway
from .models import AttemptDocument, AttemptStatus, PaymentAttempt, SavedMethod
from .selectors import payments_settling, saved_methods_for, settling_refusal
from .services import notification_apply, payable_documents
from .siblings import close_sibling_checkouts

log = logging.getLogger(__name__)


def charge_saved_method(attempt: PaymentAttempt, method: SavedMethod, *, description: str,
                        reference_prefix: str) -> None:
    """Charge `method` for `attempt` (made beforehand, its documents with it) and apply the gateway's
    answer: the attempt ends SUCCEEDED (its proformas paid), FAILED with the reason, or PENDING
    when the gateway did not answer — the card may have been charged, so it is never tried again
    as a new charge; the gateway's notification (it names the attempt) settles it."""
    gateway = get_gateway(method.account.gateway)
    info = AttemptInfo(attempt_id=str(attempt.pk), amount=attempt.amount, currency=attempt.currency,
                       description=description, client_email="", account_id=method.account_id,
                       settings=method.account.settings)
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


def pay_with_saved_method(*, actor: ActorLike, document_ids: list, method_id) -> PaymentAttempt:
    """Pay these unpaid proformas (payable_documents' rules) with one of their client's saved methods,
    one its home company still takes their currency through. The attempt is written PENDING under the
    proformas' row locks, so a second charge of them started at the same moment — another tab,
    another user of the client — waits, then finds this one settling and is refused: the card is
    charged once. Answers the attempt as the gateway left it."""
    actor = as_actor(actor)
    documents = payable_documents(actor, document_ids)
    first = documents[0]
    method_key = uuid_or_none(method_id)
    usable = {m.pk: m for m in saved_methods_for(first)}
    method = usable.get(method_key) if method_key is not None else None
    if method is None:
        if method_key is not None and SavedMethod.objects.filter(pk=method_key, client_id=first.client_id).exists():
            raise Conflict(_("This card cannot pay %(currency)s proformas of this company; choose another way to "
                             "pay.") % {"currency": first.currency})
        raise NotFound(_("No such payment method."))
    due = {d.pk: d.total - d.paid_gross for d in documents}
    with transaction.atomic():
        locked = list(Document.objects.select_for_update(of=("self",)).filter(pk__in=due).order_by("pk"))
        moved = [d for d in locked if d.total - d.paid_gross != due[d.pk] or d.status != DocumentStatus.UNPAID]
        if moved:  # paid, or paid in part, while the page was open
            raise Conflict(_("%(numbers)s changed meanwhile; open it again to see what is due.") % {
                "numbers": ", ".join(d.number or "" for d in moved)})
        settling = payments_settling(locked)
        if settling:
            raise Conflict(settling_refusal(settling, locked))
        attempt = PaymentAttempt.objects.create(
            client_id=first.client_id, home_company_id=first.home_company_id, gateway=method.account.gateway,
            currency=first.currency, amount=sum(due.values()), status=AttemptStatus.PENDING,
            started_by=actor.user if actor.user is not None and getattr(actor.user, "pk", None) else None,
            started_by_label=actor.label[:300])
        AttemptDocument.objects.bulk_create([AttemptDocument(attempt=attempt, document_id=pk, amount=amount)
                                             for pk, amount in due.items()])
        close_sibling_checkouts(attempt)  # a gateway page of these proformas left open closes
    charge_saved_method(attempt, method, description=", ".join(d.number or "" for d in documents),
                        reference_prefix="saved-method")
    return attempt
