"""Idempotency-Key for money-moving API requests (SPEC §11).

The first request with a key runs and its answer is stored in the same transaction; a repeat
with the same key and the same request (a JSON body read as JSON: key order and spacing aside)
gets the stored answer; the same key with a different request is refused. Two requests with one
key at once: the second waits on the key's unique index until the first commits, then answers what
the first stored. A request that fails stores nothing, so its retry runs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import Conflict, ValidationFailed
from .models import IdempotencyRecord
from .text import text_problem

HEADER = "Idempotency-Key"


def run_idempotent(request, owner: str, action: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    key = request.headers.get(HEADER)
    if key is None:
        return action()
    key = key.strip()
    if not key or len(key) > 255:
        raise ValidationFailed(_("Bad Idempotency-Key."), fields={HEADER: [_("Use 1 to 255 characters.")]})
    problem = text_problem(key, single_line=True)
    if problem:
        raise ValidationFailed(_("Bad Idempotency-Key."), fields={HEADER: [problem]})
    fingerprint = _fingerprint(request, _canonical_json(request.body))
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            record = IdempotencyRecord.objects.select_for_update().get(owner=owner, key=key)
            # Keys stored before fingerprints read JSON as JSON were made from the body's bytes.
            if record.fingerprint not in (fingerprint, _fingerprint(request, request.body)):
                raise Conflict(_("This Idempotency-Key was used for a different request."),
                               fields={HEADER: [_("Use a new key for a new request.")]},
                               code="idempotency_key_reused") from None
            return record.status, record.body
        status, body = action()
        record.status, record.body = status, body
        record.save(update_fields=["status", "body"])
    return status, body


def _fingerprint(request, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(), body])).hexdigest()


def _canonical_json(body: bytes) -> bytes:
    """A JSON body as its content, not its bytes: a client that sends the same object again with its
    keys in another order or other spacing (a retry re-serialised by another library) sends the
    same request. A body that is not JSON is taken as it is."""
    try:
        content = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return body
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def submission_claim(owner: str, key: str) -> bool:
    """Claim a form's one-time key (kept with the API's keys, in a transaction of its own, so a second
    request sees it at once): False when it was claimed already — the form was sent twice."""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(owner=owner, key=key, fingerprint="form")
    except IntegrityError:
        return False
    return True


def submission_release(owner: str, key: str) -> None:
    """Free a claimed key whose action was refused, so that the corrected form can be sent."""
    IdempotencyRecord.objects.filter(owner=owner, key=key, fingerprint="form").delete()


# How long a key is remembered: an API client retries within minutes; a form is sent within hours.
KEEP = dt.timedelta(days=30)


def job_purge_idempotency_keys(*, now: dt.datetime) -> dict:
    """Forget the API's Idempotency-Keys and the money forms' one-time keys after KEEP."""
    purged, _kinds = IdempotencyRecord.objects.filter(created_at__lt=now - KEEP).delete()
    return {"purged": purged}
