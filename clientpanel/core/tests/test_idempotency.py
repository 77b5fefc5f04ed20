"""Idempotency keys (the API's, and the money forms' one-time keys) are forgotten after 30 days."""

import datetime as dt

import pytest
from django.utils import timezone

from clientpanel.core.idempotency import KEEP, job_purge_idempotency_keys, submission_claim, submission_release
from clientpanel.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def test_a_one_time_key_is_claimed_once_freed_when_refused_and_forgotten_after_thirty_days():
    assert submission_claim("form:1", "a" * 32)
    assert not submission_claim("form:1", "a" * 32)  # sent twice
    assert submission_claim("form:2", "a" * 32)  # another staff member's form is another key
    submission_release("form:1", "a" * 32)
    assert submission_claim("form:1", "a" * 32)  # the corrected form goes through
    now = timezone.now()
    IdempotencyRecord.objects.filter(owner="form:2").update(created_at=now - KEEP - dt.timedelta(seconds=1))
    assert job_purge_idempotency_keys(now=now) == {"purged": 1}
    assert list(IdempotencyRecord.objects.values_list("owner", flat=True)) == ["form:1"]
