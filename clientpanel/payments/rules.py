"""What a payment attempt's state allows, for the services, the pages and the jobs alike."""

from __future__ import annotations

import datetime as dt

from .models import AttemptStatus, PaymentAttempt

# A payment started or pending this long with no word from the gateway has lost its notification
# (a charge that never reached it, a webhook that never came): staff may settle it by hand.
UNANSWERED_AFTER = dt.timedelta(hours=1)
# A payment the gateway said is processing (a bank debit: days) and then never said another word
# about — its last notification lost, or never sent to this endpoint — is staff's after this long.
PROCESSING_UNANSWERED_AFTER = dt.timedelta(days=14)
# An online payment still to settle — the gateway is processing it (PENDING), or it took money the
# panel could not apply and staff are to review it (HELD) — keeps its proformas from being paid
# again until it ends: a second payment meanwhile took the money twice.
SETTLING = (AttemptStatus.PENDING, AttemptStatus.HELD)
# Ended with nothing charged: declined, or its checkout closed for another payment (siblings.py).
ENDED_UNCHARGED = (AttemptStatus.FAILED, AttemptStatus.CLOSED)


def can_be_resolved_by_staff(attempt: PaymentAttempt, now: dt.datetime) -> bool:
    """Held for review, or started or pending with no word at all from the gateway for
    UNANSWERED_AFTER: staff check the gateway and settle it (record the money, send it back, or
    note that nothing was charged). A payment the gateway said is processing (a bank debit takes
    days) is its to settle, not staff's — until PROCESSING_UNANSWERED_AFTER without another word
    (otherwise it stayed pending for ever, and held up the client's auto top-up with it); money
    that arrives after a settlement by hand is held again (services._apply)."""
    if attempt.status == AttemptStatus.HELD:
        return True
    if attempt.status not in (AttemptStatus.STARTED, AttemptStatus.PENDING):
        return False
    silent = now - attempt.updated_at
    return silent >= PROCESSING_UNANSWERED_AFTER or (silent >= UNANSWERED_AFTER and not attempt.events.exists())
