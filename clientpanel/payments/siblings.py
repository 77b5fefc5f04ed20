"""Other checkouts of the same proformas, closed once one payment of them went through or is being
processed: a second tab's checkout (or a gateway page kept open for hours) completed later took the
money twice (an attacker re-audit paid one proforma twice this way)."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .gateways import get_gateway
from .models import AttemptDocument, AttemptStatus, PaymentAttempt
from .selectors import account_of

log = logging.getLogger(__name__)


def close_sibling_checkouts(attempt: PaymentAttempt) -> None:
    """Inside the transaction that moved `attempt` out of STARTED: every other STARTED attempt of any
    of its proformas is CLOSED, and after commit its gateway is asked to close the checkout. A row
    another transaction has locked for update is skipped, never waited for (two notifications closing
    each other's siblings would deadlock): that one is being settled, or resolved by staff. What the
    gateway says later of a closed checkout still counts (services._apply): a payment it is processing
    keeps the proformas from being paid again (PENDING), and money that came all the same is applied
    or held for staff."""
    documents = AttemptDocument.objects.filter(attempt=attempt).values("document_id")
    others = AttemptDocument.objects.filter(document_id__in=documents).exclude(attempt=attempt).values("attempt_id")
    siblings = list(PaymentAttempt.objects.select_for_update(of=("self",), skip_locked=True, no_key=True)
                    .filter(pk__in=others, status=AttemptStatus.STARTED).order_by("pk"))
    for sibling in siblings:
        sibling.status = AttemptStatus.CLOSED
        sibling.error = _("Closed: another payment of these proformas went through or is being processed.")
        sibling.updated_at = timezone.now()
        sibling.save(update_fields=["status", "error", "updated_at"])
        transaction.on_commit(partial(_close_at_gateway, sibling.pk))


def _close_at_gateway(attempt_id) -> None:
    attempt = PaymentAttempt.objects.filter(pk=attempt_id).first()
    account = account_of(attempt) if attempt is not None else None
    if attempt is None or account is None or not attempt.reference:
        return
    try:
        get_gateway(attempt.gateway).close_checkout(reference=attempt.reference, settings=account.settings)
    except Exception:  # closing is a courtesy: a late success is held for staff all the same
        log.warning("gateway %s did not close checkout %s of attempt %s", attempt.gateway, attempt.reference,
                    attempt.pk, exc_info=True)
