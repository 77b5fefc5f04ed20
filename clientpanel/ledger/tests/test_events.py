"""Posting publishes LedgerEntryPosted in the posting transaction — also on PostgreSQL's
single-statement path when something subscribes (issue 10)."""

import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from clientpanel.core import outbox
from clientpanel.core.events import subscribe, unsubscribe
from clientpanel.core.models import OutboxMessage
from clientpanel.core.tests.recording import recorded_events
from clientpanel.ledger.events import LedgerEntryPosted
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.services import InsufficientFunds, entries_post_for_clients, entry_post


@pytest.mark.django_db
def test_posting_publishes_the_entry_with_money_as_strings(make_client):
    client = make_client()
    with recorded_events(LedgerEntryPosted) as events:
        entry, _ = entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("100"),
                              gross=Decimal("123"), transaction_id="bank-1", description="Payment")
    assert [event.payload() for event in events] == [{
        "entry_id": str(entry.pk), "client_id": str(client.pk), "sequence": 1, "type": "PAYMENT",
        "net": "100.0000", "gross": "123.0000", "balance_after": "100.0000", "transaction_id": "bank-1",
        "document_id": None, "service_id": None}]


@pytest.mark.django_db
def test_a_replayed_or_refused_post_publishes_nothing(make_client):
    client = make_client()
    entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("10"), transaction_id="bank-1")
    with recorded_events(LedgerEntryPosted) as events:
        _, created = entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("10"),
                                transaction_id="bank-1")
        with pytest.raises(InsufficientFunds):
            entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-11"), check_credit=True)
    assert created is False and events == []


@pytest.mark.django_db
def test_batch_posting_hands_all_its_entries_to_a_subscriber_at_once(make_client):
    first, second = make_client(), make_client()
    calls = []
    subscribe(LedgerEntryPosted, calls.append)
    try:
        with transaction.atomic():
            rows, refused = entries_post_for_clients(entries_by_client={
                first.pk: [{"type": EntryType.ADJUSTMENT, "net": Decimal("5")},
                           {"type": EntryType.ADJUSTMENT, "net": Decimal("-2")}],
                second.pk: [{"type": EntryType.ADJUSTMENT, "net": Decimal("7")}]})
    finally:
        unsubscribe(LedgerEntryPosted, calls.append)
    assert refused == set() and len(calls) == 1
    assert sorted(event.entry_id for event in calls[0]) == sorted(row.pk for row in rows)
    assert {(e.client_id, e.sequence, e.balance_after) for e in calls[0]} == {
        (first.pk, 1, Decimal("5")), (first.pk, 2, Decimal("3")), (second.pk, 1, Decimal("7"))}


@pytest.fixture
def ledger_topic():
    handled = []
    outbox.register_handler("test-ledger", lambda message: handled.append(message.payload["entry_id"]))
    subscribe(LedgerEntryPosted, outbox.writer("test-ledger"))
    yield handled
    unsubscribe(LedgerEntryPosted, outbox.writer("test-ledger"))
    outbox.unregister_handler("test-ledger")


@pytest.mark.django_db(transaction=True)
def test_a_post_outside_any_transaction_commits_its_outbox_row_with_the_entry(make_client, ledger_topic):
    # On PostgreSQL a post outside a transaction is one statement of its own; with a subscriber it
    # takes a transaction so that the outbox row commits with the entry.
    client = make_client()
    entry, _ = entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("3"), description="Gift")
    with pytest.raises(InsufficientFunds):
        entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-4"), check_credit=True)
    assert ledger_topic == [str(entry.pk)]
    assert list(OutboxMessage.objects.values_list("event", "status")) == [("ledger.entry_posted", "done")]
    assert LedgerEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_post_rolled_back_with_its_caller_leaves_no_outbox_row(make_client, ledger_topic):
    client = make_client()
    with pytest.raises(RuntimeError), transaction.atomic():
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("3"), document_id=uuid.uuid4())
        raise RuntimeError("the document could not be stored")
    assert not LedgerEntry.objects.exists() and not OutboxMessage.objects.exists() and ledger_topic == []


@pytest.mark.django_db
def test_no_transaction_id_is_null_in_the_event_as_in_the_api(make_client):
    from clientpanel.ledger.api import entry_out

    client = make_client()
    with recorded_events(LedgerEntryPosted) as events, transaction.atomic():
        entry, _ = entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5"), description="Gift")
        entries_post_for_clients(entries_by_client={client.pk: [{"type": EntryType.ADJUSTMENT, "net": Decimal("1")}]})
    assert [event.payload()["transaction_id"] for event in events] == [None, None]
    assert entry_out(entry)["transaction_id"] is None
    # The billing pass's set-based posting builds its events itself, with an empty text.
    built = LedgerEntryPosted(entry_id=entry.pk, client_id=client.pk, sequence=1, type="CHARGE", net=Decimal(-1),
                              gross=Decimal(-1), balance_after=Decimal(0), transaction_id="", document_id=None,
                              service_id=None)
    assert built.payload()["transaction_id"] is None
