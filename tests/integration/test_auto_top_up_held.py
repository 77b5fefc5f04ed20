"""Auto top-up never charges a saved card again for a proforma whose payment is held for staff (the
gateway took money the panel could not apply): with a card that succeeds, the proforma was paid twice.
Nor does a held top-up of its own charge another before staff resolve it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.payments.auto_top_up import KEY, auto_top_up_save, job_auto_top_up
from clientpanel.payments.models import AttemptDocument, AttemptStatus, PaymentAttempt

from .test_auto_top_up import client_with_a_service_due, keep_a_card, signed_in

pytestmark = pytest.mark.django_db


def _held(client, document, **extra) -> PaymentAttempt:
    held = PaymentAttempt.objects.create(client=client, home_company_id=document.home_company_id, gateway="test",
                                         currency="USD", amount=document.total, status=AttemptStatus.HELD,
                                         transaction_id="tx-held", error="The gateway reported EUR.", **extra)
    AttemptDocument.objects.create(attempt=held, document=document, amount=document.total)
    return held


def test_a_top_up_proforma_with_a_held_payment_is_not_charged_again(make_client):
    client = client_with_a_service_due(make_client)
    keep_a_card(signed_in(client.owner.email), client, outcome="succeed_save_declining")
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="9")
    assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 1}
    first = Document.objects.get(client=client, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID)
    _held(client, first, idempotency_key="portal-pay")  # the client paid it in the portal: held
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5.00"), description="Goodwill")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        job_auto_top_up(now=timezone.now())
    # Only the first (declined) top-up ever charged it: no new charge of the held proforma.
    assert AttemptDocument.objects.filter(document=first).exclude(attempt__idempotency_key="portal-pay").count() == 1


def test_a_held_top_up_of_its_own_charges_nothing_more_until_resolved(make_client):
    client = client_with_a_service_due(make_client)
    keep_a_card(signed_in(client.owner.email), client, outcome="succeed_save_declining")
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="9")
    assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 1}
    PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).update(status=AttemptStatus.HELD)
    before = PaymentAttempt.objects.count()
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5.00"), description="Goodwill")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        job_auto_top_up(now=timezone.now())
    assert PaymentAttempt.objects.count() == before
