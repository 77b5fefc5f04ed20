"""Sending KSeF e-invoices through KSeF's API (issue 16): the "send_einvoices" job.

The e-invoice row is its own outbox: made in the issuing transaction with `next_attempt_at` set
when its company sends through the API, so nothing is sent for an invoice that was rolled back,
and nothing made is forgotten. Each pass takes the rows due (one at a time, each under its row lock,
skipped by a second consumer) and moves each one step:

- MADE → hand the file over (`KsefChannel.send`) → SENDING with KSeF's references;
- SENDING → ask what became of it → ACCEPTED (KSeF number and UPO kept), REJECTED (KSeF's
  reason), or ask again later while KSeF is still checking.

KSeF out of reach: tried again after 1, 5, 15 minutes, 1, 3, 6, 12 and 24 hours, then no more —
the page says so and staff press "Send to KSeF again". A file handed over whose answer was lost is
sent again; KSeF recognises the duplicate and names the original's KSeF number, which is recorded
(never two KSeF numbers for one invoice). KSeF refusing *us* (the token, permissions) keeps the
reason and tries again hourly, since only the settings can change that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, transaction

from .ksef import ACCEPTED, DUPLICATE, PROCESSING, KsefChannel, KsefRefused, KsefUnavailable, Sent
from .models import EInvoice, EInvoiceProfile, EInvoiceStatus, KsefEnvironment
from .reasons import RECEIVED, Reason, error_columns, reason_of, said
from .storage import einvoice_content

log = logging.getLogger(__name__)

KSEF_FORMAT = "ksef_fa3"
RETRY_AFTER = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=15), dt.timedelta(hours=1),
               dt.timedelta(hours=3), dt.timedelta(hours=6), dt.timedelta(hours=12), dt.timedelta(hours=24))
# KSeF checks a file in seconds, at busy times in minutes; asked less often the longer it takes.
ASK_AFTER = (dt.timedelta(seconds=20), dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=5),
             dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=3), dt.timedelta(hours=6),
             dt.timedelta(hours=12), dt.timedelta(hours=24))
REFUSED_RETRY = dt.timedelta(hours=1)
REFUSED_TRIES = 24  # a day of hourly tries while KSeF refuses us
PASS_BUDGET_SECONDS = 60  # one pass hands over what it can in a minute; the rest wait for the next
BATCH = 200  # rows one pass moves; the rest wait for the next pass
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def sends_through_api(profile: EInvoiceProfile | None) -> bool:
    return profile is not None and profile.format == KSEF_FORMAT and \
        profile.ksef_environment != KsefEnvironment.OFFLINE


def channel_for(profile: EInvoiceProfile) -> KsefChannel:
    """The company's KSeF: its environment's address (or the local emulator of the settings) and
    its token, read from the server's environment under the name the profile gives."""
    from .ksef.api import KSEF_URLS, KsefApiChannel  # the SDK is loaded only where KSeF is used

    variable = profile.ksef_token_env
    token = os.environ.get(variable, "") if variable else ""
    if not token:
        raise KsefRefused(said("no_token", name=variable or "?"))
    override = str(getattr(settings, "CLIENTPANEL_KSEF_BASE_URL", "") or "")
    if override and urlsplit(override).hostname not in LOOPBACK_HOSTS:
        raise KsefRefused(said("emulator_only"))
    return KsefApiChannel(base_url=override or KSEF_URLS[profile.ksef_environment.lower()], token=token)


def _seller_nip(einvoice: EInvoice) -> str:
    return re.sub(r"\D", "", str(einvoice.document.company_snapshot.get("local_tax_id") or ""))[-10:]


def job_send_einvoices(*, now: dt.datetime) -> dict:
    """Move every e-invoice due for KSeF one step (see the module's docstring). KSeF out of reach
    ends the pass (the rest wait for the next one), and so does the time budget: the pass also
    carries the outbox and the e-mail after it."""
    counts = {"sent": 0, "accepted": 0, "rejected": 0, "waiting": 0, "unreachable": 0}
    due = list(EInvoice.objects.filter(next_attempt_at__lte=now, format=KSEF_FORMAT)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:BATCH])
    started = time.monotonic()
    for einvoice_id in due:
        outcome = einvoice_send_step(einvoice_id, now=now)
        if outcome:
            counts[outcome] += 1
        if outcome == "unreachable" or time.monotonic() - started > PASS_BUDGET_SECONDS:
            break
    return counts


def einvoice_send_step(einvoice_id, *, now: dt.datetime) -> str | None:
    with transaction.atomic():
        rows = EInvoice.objects.select_related("document").filter(pk=einvoice_id, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        einvoice = rows.first()
        if einvoice is None:
            return None  # another consumer has it, or it was settled meanwhile
        profile = EInvoiceProfile.objects.filter(home_company_id=einvoice.document.home_company_id).first()
        if not sends_through_api(profile) or einvoice.status not in (
                EInvoiceStatus.MADE, EInvoiceStatus.SENDING, EInvoiceStatus.ACCEPTED):
            _save(einvoice, next_attempt_at=None)
            return None
        try:
            with transaction.atomic():  # a savepoint: a database error in here is kept like any failure
                channel = channel_for(profile)
                if einvoice.status == EInvoiceStatus.MADE:
                    return _send(einvoice, channel, now, environment=profile.ksef_environment)
                if einvoice.status == EInvoiceStatus.ACCEPTED:
                    return _fetch_receipt(einvoice, channel, now)
                return _ask(einvoice, channel, now)
        except KsefUnavailable as error:
            einvoice.refresh_from_db()
            return _unreachable(einvoice, reason_of(error), now)
        except KsefRefused as error:
            einvoice.refresh_from_db()
            return _refused(einvoice, reason_of(error), now)
        except Exception as error:  # the SDK's or our own bug, a stored file gone: kept, retried, logged
            log.exception("sending e-invoice %s to KSeF failed", einvoice_id)
            einvoice.refresh_from_db()
            return _unreachable(einvoice, Reason(type(error).__name__), now)


def _refused(einvoice: EInvoice, reason: Reason, now: dt.datetime) -> str:
    """KSeF refused us (token, permissions, an unknown session): tried hourly for a day, then the
    page says so and staff send it again once the cause is put right."""
    tried = einvoice.attempts + 1
    if tried >= REFUSED_TRIES:
        _save(einvoice, attempts=tried, next_attempt_at=None, **error_columns(said("refused_for_a_day", reason=reason)))
    else:
        _save(einvoice, attempts=tried, **error_columns(reason), next_attempt_at=now + REFUSED_RETRY)
    return "unreachable"


def _fetch_receipt(einvoice: EInvoice, channel: KsefChannel, now: dt.datetime) -> str:
    """Accepted before its UPO was ready: ask for the receipt again, a few times."""
    answer = channel.status(Sent(session_reference=einvoice.session_reference,
                                 invoice_reference=einvoice.invoice_reference), seller_nip=_seller_nip(einvoice))
    if answer.upo and _keep_receipt(einvoice, answer.upo, now):
        _save(einvoice, next_attempt_at=None)
        return "accepted"
    asked = einvoice.attempts + 1
    _save(einvoice, attempts=asked, next_attempt_at=now + ASK_AFTER[asked] if asked < len(ASK_AFTER) else None)
    return "waiting"


def _send(einvoice: EInvoice, channel: KsefChannel, now: dt.datetime, *, environment: str) -> str:
    sent = channel.send(einvoice_content(einvoice), seller_nip=_seller_nip(einvoice))
    _save(einvoice, status=EInvoiceStatus.SENDING, session_reference=sent.session_reference[:100],
          invoice_reference=sent.invoice_reference[:100], attempts=0, next_attempt_at=now + ASK_AFTER[0],
          ksef_environment=environment, **error_columns(None))
    return "sent"


def _ask(einvoice: EInvoice, channel: KsefChannel, now: dt.datetime) -> str:
    answer = channel.status(Sent(session_reference=einvoice.session_reference,
                                 invoice_reference=einvoice.invoice_reference), seller_nip=_seller_nip(einvoice))
    if answer.state == PROCESSING:
        asked = einvoice.attempts + 1
        if asked >= len(ASK_AFTER):
            _save(einvoice, attempts=asked, next_attempt_at=None, **error_columns(said("still_checking")))
        else:
            _save(einvoice, attempts=asked, next_attempt_at=now + ASK_AFTER[asked])
        return "waiting"
    if answer.state == ACCEPTED or (answer.state == DUPLICATE and answer.ksef_number):
        _accept(einvoice, answer.ksef_number, answer.upo, now,
                note=None if answer.state == ACCEPTED else said("duplicate_recorded"))
        return "accepted"
    reason = Reason(answer.error or answer.state, RECEIVED)  # KSeF's words
    if answer.state == DUPLICATE:
        reason = said("duplicate_unnamed", reason=reason)
    _save(einvoice, status=EInvoiceStatus.REJECTED, **error_columns(reason), next_attempt_at=None)
    return "rejected"


def _accept(einvoice: EInvoice, ksef_number: str, upo: bytes, now: dt.datetime, *, note: Reason | None) -> None:
    taken = EInvoice.objects.filter(ksef_number=ksef_number).exclude(pk=einvoice.pk).exists()
    if taken:  # KSeF's number is another document's: never two documents with one number
        _save(einvoice, status=EInvoiceStatus.REJECTED, next_attempt_at=None,
              **error_columns(said("number_taken", number=ksef_number)))
        return
    # The acceptance first; the receipt after, as a best effort (asked for again while missing —
    # not after a duplicate answer, whose receipt is the original send's).
    _save(einvoice, status=EInvoiceStatus.ACCEPTED, ksef_number=ksef_number, accepted_at=now, **error_columns(note),
          attempts=0, next_attempt_at=None)
    if not (upo and _keep_receipt(einvoice, upo, now)) and not note:
        _save(einvoice, next_attempt_at=now + ASK_AFTER[1])
    from .making import credit_notes_waiting_for  # here: making imports this module (sends_through_api)

    credit_notes_waiting_for(einvoice.document_id)


def _keep_receipt(einvoice: EInvoice, upo: bytes, now: dt.datetime) -> bool:
    issued = einvoice.document.issue_date or now
    try:
        name = storages["documents"].save(f"{issued:%Y/%m}/{einvoice.document_id}.upo.xml", ContentFile(upo))
    except Exception:  # a full disk, a refusing bucket: the acceptance stands, the receipt is asked again
        log.exception("KSeF's receipt of e-invoice %s could not be stored", einvoice.pk)
        return False
    _save(einvoice, upo_name=name, upo_sha256=hashlib.sha256(upo).hexdigest())
    return True


def _unreachable(einvoice: EInvoice, reason: Reason, now: dt.datetime) -> str:
    tried = einvoice.attempts + 1
    delays = RETRY_AFTER if einvoice.status == EInvoiceStatus.MADE else ASK_AFTER
    if tried > len(delays):
        _save(einvoice, attempts=tried, next_attempt_at=None,
              **error_columns(said("unreachable_for_a_day", reason=reason)))
    else:
        _save(einvoice, attempts=tried, next_attempt_at=now + delays[tried - 1],
              **error_columns(said("unreachable", reason=reason)))
    return "unreachable"


def _save(einvoice: EInvoice, **fields) -> None:
    for name, value in fields.items():
        setattr(einvoice, name, value)
    einvoice.save(update_fields=[*fields, "updated_at"])
