"""Auto top-up issues one Add Funds proforma and charges it until it is paid: a proforma left unpaid
by declined tries is the one charged when money moved the balance and a new shortfall came — a second
proforma was issued beside it, so the client owed both (the dashboard's owing, the aging report and
the reminders counted twice the top-up nobody asked for twice)."""

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
from clientpanel.reports.reports import aging_report
from tests.integration.test_auto_top_up import client_with_a_service_due, keep_a_card, signed_in

pytestmark = pytest.mark.django_db


def test_a_new_shortfall_charges_the_top_up_proforma_still_unpaid_not_a_second_one(make_client):
    client = client_with_a_service_due(make_client)
    keep_a_card(signed_in(client.owner.email), client, outcome="succeed_save_declining")
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="9")
    start = timezone.now()
    for hours in (0, 1.1, 7.2):  # declined three times: given up for this shortfall
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 1}
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5.00"), description="Goodwill")
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 1}  # a new shortfall: tried again
    unpaid = Document.objects.filter(client=client, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID)
    assert unpaid.count() == 1
    tries = PaymentAttempt.objects.filter(idempotency_key__startswith=KEY)
    assert tries.count() == 4 and {t.documents.get().document_id for t in tries} == {unpaid.get().pk}
    owed = aging_report(actor=None, now=timezone.now()).lines
    assert [(line.currency, line.count, line.amount) for line in owed] == [("USD", 1, unpaid.get().total)]


def test_the_unpaid_top_up_proforma_is_not_charged_while_a_payment_of_it_is_processing(make_client):
    client = client_with_a_service_due(make_client)
    keep_a_card(signed_in(client.owner.email), client, outcome="succeed_save_declining")
    auto_top_up_save(actor=None, client_id=client.pk, enabled=True, amount="50", days="7", max_per_month="9")
    assert job_auto_top_up(now=timezone.now()) == {"charged": 0, "failed": 1}
    first = Document.objects.get(client=client, type=DocumentType.PROFORMA, status=DocumentStatus.UNPAID)
    # The client pays it by a bank debit the gateway says is processing.
    debit = PaymentAttempt.objects.create(client=client, home_company_id=first.home_company_id, gateway="test",
                                          currency="USD", amount=first.total, idempotency_key="portal-debit",
                                          status=AttemptStatus.PENDING)
    AttemptDocument.objects.create(attempt=debit, document=first, amount=first.total)
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5.00"), description="Goodwill")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2), tick=False):
        job_auto_top_up(now=timezone.now())
    charged = PaymentAttempt.objects.filter(idempotency_key__startswith=KEY).order_by("created_at").last()
    assert charged.documents.get().document_id != first.pk
