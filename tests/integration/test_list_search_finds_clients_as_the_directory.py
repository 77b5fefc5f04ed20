"""Clients → Services, Finance → Documents and Finance → Transactions find a client by the words the
directory finds it by — its search column: name, number, the owner's e-mail, tax ID, phone — where
they matched its display name only. So "wojcik" finds the services, documents and entries of Jan
Wójcik, whose address is j.wojcik@…, as it finds him in the directory. Neither folds accents: a
client whose every word is accented is found by its accents (see the report of this change)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientpanel.accounts.services import staff_create
from clientpanel.catalog.models import Product
from clientpanel.client_services.models import Service
from clientpanel.client_services.selectors import entry_service_names, service_list
from clientpanel.clients.models import StaffAssignment
from clientpanel.clients.selectors import client_directory, clients_found_by
from clientpanel.core.errors import ValidationFailed
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.selectors import document_list
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.selectors import entries_page
from clientpanel.ledger.services import entry_post
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def wojcik(make_client):
    make_client(firstname="Anna", lastname="Nowak", email="anna.nowak@example.com")  # found by no word below
    client = make_client(firstname="Jan", lastname="Wójcik", email="j.wojcik@example.com")
    product = Product.objects.create(key="vps", name="VPS")
    Service.objects.create(client=client, product=product, label="WOJ001", currency="USD", period="MONTHLY",
                           amount=Decimal(10), setup_fee=Decimal(0), order_date=client.created_at)
    Document.objects.create(client=client, home_company=default_home_company(), type="INVOICE", number="INV-7",
                            status="UNPAID", currency="USD", issue_date=client.created_at, due_date=client.created_at,
                            net=Decimal(10), total=Decimal(10))
    entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal(10), description="Wire")
    return client


@pytest.mark.parametrize("word", ["wojcik", "WÓJCIK", "j.wojcik@example", "wójcik"])
def test_the_lists_find_a_client_by_the_words_the_directory_finds_it_by(staff, wojcik, word):
    assert [c.pk for c in client_directory(actor=staff, search=word).results] == [wojcik.pk]
    assert [s.client_id for s in service_list(actor=staff, search=word)] == [wojcik.pk]
    assert [d.client_id for d in document_list(actor=staff, search=word)] == [wojcik.pk]
    entries = entries_page(staff, search=word, names=entry_service_names()).results
    assert [e.client_id for e in entries] == [wojcik.pk]


def test_the_client_number_still_finds_its_services_and_documents(staff, wojcik):
    assert [s.client_id for s in service_list(actor=staff, search=wojcik.number)] == [wojcik.pk]
    assert [d.client_id for d in document_list(actor=staff, search=wojcik.number)] == [wojcik.pk]


def test_a_word_of_no_client_finds_nothing(staff, wojcik):
    assert not service_list(actor=staff, search="kowalski").exists()
    assert not document_list(actor=staff, search="kowalski").exists()
    assert not entries_page(staff, search="kowalski", names=entry_service_names()).results


def test_the_clients_a_word_finds_are_one_subquery_each_list_narrows_to_whom_it_shows(wojcik):
    """clients.selectors.clients_found_by names the clients whoever asks (it has no scope of its own):
    each list combines it with its own visible_to, so staff limited to Anna Nowak find none of Jan
    Wójcik's services, documents or entries by his name — and find Anna's by hers."""
    assert [row["pk"] for row in clients_found_by("wojcik")] == [wojcik.pk]
    nowak = client_directory(actor=None, search="nowak").results[0]
    agent = staff_create(email="agent@example.com", password="correct-horse-battery", firstname="A", lastname="A",
                         roles=["Administrator"], limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=agent, client=nowak)
    assert not service_list(actor=agent, search="wojcik").exists()
    assert not document_list(actor=agent, search="wojcik").exists()
    assert not entries_page(agent, search="wojcik", names=entry_service_names()).results
    entry_post(client_id=nowak.pk, type=EntryType.PAYMENT, net=Decimal(5), description="Wire")
    assert [e.client_id for e in entries_page(agent, search="nowak", names=entry_service_names()).results] == [
        nowak.pk]


def test_a_word_longer_than_the_directory_takes_is_refused_by_the_lists_as_by_the_directory(staff, wojcik):
    with pytest.raises(ValidationFailed) as refused:
        clients_found_by("w" * 101)
    assert list(refused.value.fields) == ["search"]
    for search in (lambda: service_list(actor=staff, search="w" * 101).exists(),
                   lambda: document_list(actor=staff, search="w" * 101).exists()):
        with pytest.raises(ValidationFailed):
            search()
