"""The ledger's invariants (SPEC §5), on SQLite and PostgreSQL."""

import itertools
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import ClientBalance
from clientpanel.clients.services import client_update
from clientpanel.core.errors import ValidationFailed
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.selectors import ledger_breaches
from clientpanel.ledger.services import InsufficientFunds, entry_post, manual_transaction_create
from conftest import client_data

pytestmark = pytest.mark.django_db


def post(client, net, **kwargs):
    kwargs.setdefault("type", EntryType.ADJUSTMENT)
    return entry_post(client_id=client.pk, net=Decimal(net), **kwargs)


def test_posts_chain_balances_and_sequences(make_client):
    client = make_client()
    first, _ = post(client, "150.0000", type=EntryType.PAYMENT)
    second, _ = post(client, "-0.9271", type=EntryType.CHARGE, description="Service:x, 1h × 0.9271 per hour")
    assert (first.sequence, first.balance_before, first.balance_after) == (1, Decimal("0"), Decimal("150.0000"))
    assert (second.sequence, second.balance_before, second.balance_after) == (2, Decimal("150"), Decimal("149.0729"))
    client.refresh_from_db()
    assert client.balance == Decimal("149.0729")
    assert ledger_breaches() == []


def test_same_transaction_id_posts_once(make_client):
    client = make_client()
    entry, created = post(client, "10", type=EntryType.PAYMENT, transaction_id="pay_123")
    again, created_again = post(client, "10", type=EntryType.PAYMENT, transaction_id="pay_123")
    assert created and not created_again and again.pk == entry.pk
    client.refresh_from_db()
    assert client.balance == Decimal("10")


def test_credit_limit_refuses_unless_overridden(make_client):
    client = make_client(credit_limit="5")
    post(client, "10", type=EntryType.PAYMENT)
    post(client, "-15", type=EntryType.CHARGE, check_credit=True)  # exactly balance + limit: allowed
    with pytest.raises(InsufficientFunds, match="Not enough funds"):
        post(client, "-0.0001", type=EntryType.CHARGE, check_credit=True)
    post(client, "-1", type=EntryType.CHARGE, check_credit=True, allow_over_limit=True)
    client.refresh_from_db()
    assert client.balance == Decimal("-6")


def test_entries_are_append_only(make_client):
    client = make_client()
    entry, _ = post(client, "1")
    entry.description = "changed"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


@pytest.mark.postgres
def test_database_refuses_changing_an_entry(make_client):
    client = make_client()
    entry, _ = post(client, "1")
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(description="tampered")


def test_database_checks_each_row(make_client):
    client = make_client()
    from django.db import IntegrityError

    for bad in [dict(net=Decimal("1"), balance_after=Decimal("5")), dict(type=EntryType.CHARGE, net=Decimal("1"),
                                                                      balance_after=Decimal("1"))]:
        row = dict(client_id=client.pk, sequence=1, type=EntryType.ADJUSTMENT, gross=bad["net"], net=bad["net"],
                   balance_before=Decimal("0"), balance_after=bad["balance_after"], created_by_kind="system",
                   created_by_label="test")
        row["type"] = bad.get("type", row["type"])
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.bulk_create([LedgerEntry(**row)])


def test_manual_transaction_validates_and_posts_adjustment(make_client, staff):
    client = make_client()
    entry, created = manual_transaction_create(actor=staff, client_id=client.pk, amount="25.5",
                                               transaction_id="bank-1", description="Wire transfer")
    assert created and entry.type == EntryType.ADJUSTMENT and entry.gross == entry.net == Decimal("25.5")
    assert AuditEvent.objects.filter(action="ledger.manual_transaction", client_id=client.pk).exists()
    again, created = manual_transaction_create(actor=staff, client_id=client.pk, amount="25.5",
                                               transaction_id="bank-1", description="Wire transfer")
    assert not created and again.pk == entry.pk


@pytest.mark.parametrize("amount, field, message", [
    ("1.00001", "amount", "4 decimal"), ("abc", "amount", "number"), ("0", "amount", "zero"),
    ("1000000000000", "amount", "too large"), (0.1, "amount", "floating-point"),
])
def test_manual_transaction_bad_amounts_write_nothing(make_client, staff, amount, field, message):
    client = make_client()
    with pytest.raises(ValidationFailed) as failure:
        manual_transaction_create(actor=staff, client_id=client.pk, amount=amount, description="x")
    assert message in failure.value.fields[field][0]
    assert not LedgerEntry.objects.exists()


def test_manual_debit_beyond_credit_limit_needs_override(make_client, staff):
    client = make_client(credit_limit="0")
    with pytest.raises(InsufficientFunds):
        manual_transaction_create(actor=staff, client_id=client.pk, amount="-5", description="Fee")
    assert not LedgerEntry.objects.exists()
    manual_transaction_create(actor=staff, client_id=client.pk, amount="-5", description="Fee", allow_over_limit=True)
    event = AuditEvent.objects.get(action="ledger.manual_transaction")
    assert event.changes["credit_limit_override"] == [None, True]


def test_currency_is_locked_after_the_first_entry(make_client):
    client = make_client(currency="USD")
    client_update(actor=None, client_id=client.pk, data={"currency": "EUR"})  # no money yet: allowed
    post(client, "1")
    with pytest.raises(ValidationFailed) as failure:
        client_update(actor=None, client_id=client.pk, data={"currency": "PLN", "company_name": "X"})
    assert "stays EUR" in failure.value.fields["currency"][0]
    client.refresh_from_db()
    assert (client.currency, client.company_name) == ("EUR", "")


def test_verify_ledger_is_clean_then_names_the_first_breach(make_client, capsys):
    client = make_client()
    for net in ["10", "-2.5", "0.0001"]:
        post(client, net)
    call_command("verify_ledger")
    call_command("verify_ledger", "--client", str(client.pk))
    assert "every invariant holds" in capsys.readouterr().out
    ClientBalance.objects.filter(pk=client.pk).update(balance=Decimal("99"))
    with pytest.raises(CommandError, match=f"client {client.pk}"):
        call_command("verify_ledger")
    ClientBalance.objects.filter(pk=client.pk).update(balance=Decimal("7.5001"))
    call_command("verify_ledger")
    # A forged row that skips the chain: inserted directly, as no service would.
    LedgerEntry.objects.bulk_create([LedgerEntry(
        client_id=client.pk, sequence=5, type=EntryType.ADJUSTMENT, gross=Decimal("1"), net=Decimal("1"),
        balance_before=Decimal("100"), balance_after=Decimal("101"), created_by_kind="system",
        created_by_label="forger")])
    with pytest.raises(CommandError) as failure:
        call_command("verify_ledger", "--client", str(client.pk))
    assert "#5" in str(failure.value) and "sequence 5 follows 3" in str(failure.value)


def test_verify_ledger_unknown_client():
    with pytest.raises(CommandError, match="No client"):
        call_command("verify_ledger", "--client", str(uuid.uuid4()))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.decimals(min_value=Decimal("-5000"), max_value=Decimal("5000"), places=4).filter(lambda d: d != 0),
                min_size=1, max_size=25))
def test_any_sequence_of_posts_keeps_every_invariant(make_client, nets):
    client = make_client()
    for net in nets:
        post(client, net)
    client.refresh_from_db()
    assert client.balance == sum(nets)
    entries = list(LedgerEntry.objects.filter(client=client).order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, len(nets) + 1))
    assert all(a.balance_after == b.balance_before for a, b in itertools.pairwise(entries))
    assert ledger_breaches(client_id=client.pk) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_on_one_client_lose_nothing():
    from clientpanel.clients.services import client_create

    client = client_create(actor=None, data=client_data())
    errors = []

    def writer(n):
        try:
            for i in range(100):
                entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("0.0001") * (n + 1),
                           description=f"w{n}-{i}")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    client.refresh_from_db()
    assert LedgerEntry.objects.filter(client=client).count() == 800
    assert client.balance == sum(Decimal("0.0001") * (n + 1) * 100 for n in range(8))
    assert ledger_breaches() == []
    call_command("verify_ledger")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_transaction_id_posted_concurrently_posts_once():
    from clientpanel.clients.services import client_create

    client = client_create(actor=None, data=client_data())
    results = []

    def writer():
        try:
            results.append(manual_transaction_create(actor=None, client_id=client.pk, amount="10",
                                                     transaction_id="same", description="Retry")[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
    client.refresh_from_db()
    assert client.balance == Decimal("10")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_posts_and_profile_edits_do_not_wait_for_each_other():
    """The balance has its own row: a post never waits for staff holding the client's row (an edit,
    an order), even though each entry checks its client at commit — and the balance row's currency
    copy, written by a profile edit, waits for no post either once the post has committed."""
    from clientpanel.clients.services import client_create
    from clientpanel.clients.services.clients import lock_client

    client = client_create(actor=None, data=client_data())
    held, release, errors = threading.Event(), threading.Event(), []

    def editor():
        try:
            with transaction.atomic():
                lock_client(client.pk)
                held.set()
                release.wait(10)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=editor)
    thread.start()
    assert held.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5"))
    finally:
        release.set()
        thread.join()
    assert errors == []
    client.refresh_from_db()
    assert client.balance == Decimal("5")


@pytest.mark.django_db(transaction=True)
def test_a_post_that_would_leave_the_balance_range_changes_nothing_even_outside_a_transaction():
    """On PostgreSQL a post outside a transaction commits with its one statement, so the range is
    checked in that statement, not after it (it once committed the balance and then refused)."""
    from clientpanel.clients.services import client_create
    from clientpanel.core.money import AMOUNT_MAX

    client = client_create(actor=None, data=client_data())
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=AMOUNT_MAX - Decimal("1"))
    for net in (Decimal("1.0001"), Decimal("5")):
        with pytest.raises(ValidationFailed, match="supported range"):
            entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=net)
    client.refresh_from_db()
    assert (client.balance, client.balance_row.ledger_sequence) == (AMOUNT_MAX - Decimal("1"), 1)
    last, _ = entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("1"))
    assert (last.sequence, last.balance_after) == (2, AMOUNT_MAX)
    assert LedgerEntry.objects.filter(client=client).count() == 2 and ledger_breaches() == []
