"""What a payment attempt's state allows, for the services, the pages and the jobs alike."""

from __future__ import annotations

import datetime as dt

from .models import AttemptStatus, PaymentAttempt

# A payment started or pending this long with no word from the gateway has lost its notification
# (a charge that never reached it, a webhook that never came): staff may settle it by hand.
UNANSWERED_AFTER = dt.timedelta(hours=1)


def can_be_resolved_by_staff(attempt: PaymentAttempt, now: dt.datetime) -> bool:
    """Held for review, or started or pending with no word at all from the gateway for
    UNANSWERED_AFTER: staff check the gateway and settle it (record the money, send it back, or
    note that nothing was charged). A payment the gateway said is processing (a bank debit takes
    days) is its to settle, not staff's; money that arrives after a settlement by hand is held
    again (services._apply)."""
    if attempt.status == AttemptStatus.HELD:
        return True
    return attempt.status in (AttemptStatus.STARTED, AttemptStatus.PENDING) \
        and now - attempt.updated_at >= UNANSWERED_AFTER and not attempt.events.exists()
