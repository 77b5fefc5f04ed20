"""Searches fold accents and case: "wojcik" finds Wójcik, "łódź" finds a Lodz Hosting typed without
them, whichever way round — the search column is stored folded (core.text.search_folded) and each
search word is folded alike. Clients stored before are folded by migration 0022."""

from __future__ import annotations

import pytest
from django.db import connection

from clientpanel.clients.models import Client
from clientpanel.clients.selectors import client_directory_queryset
from clientpanel.clients.selectors.search import clients_found_by
from clientpanel.core.text import search_folded

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed, folded", [
    ("Wójcik", "wojcik"), ("ŁÓDŹ", "lodz"), ("Straße", "strasse"), ("Ærø", "aero"), ("Ｗójcik", "wojcik"),
    ("Žluťoučký kůň", "zlutoucky kun"), ("ＡＢＣ １２３", "abc 123"), ("plain@example.com", "plain@example.com"),
])
def test_search_folded(typed, folded):
    assert search_folded(typed) == folded


@pytest.fixture
def people(make_client):
    return {"wojcik": make_client(email="kontakt@example.pl", firstname="Grzegorz", lastname="Wójcik"),
            "lodz": make_client(email="biuro@example.pl", firstname="Anna", lastname="Nowak",
                                company_name="Lodz Hosting"),
            "muller": make_client(email="jm@example.de", firstname="Jörg", lastname="Müller")}


@pytest.mark.parametrize("search, found", [
    ("wojcik", {"wojcik"}), ("WÓJCIK", {"wojcik"}), ("wójcik grzegorz", {"wojcik"}),
    ("łódź", {"lodz"}), ("lodz hosting", {"lodz"}),
    ("muller", {"muller"}), ("joerg", set()), ("jorg", {"muller"}), ("MÜLLER jm@example.de", {"muller"}),
])
def test_the_directory_and_the_lists_find_a_client_however_its_accents_are_typed(people, staff, search, found):
    listed = set(client_directory_queryset(actor=staff, search=search).values_list("pk", flat=True))
    assert listed == {people[name].pk for name in found}
    assert set(Client.objects.filter(pk__in=clients_found_by(search)).values_list("pk", flat=True)) == listed


def test_an_edit_keeps_the_column_folded(people, staff):
    from clientpanel.clients.services import client_update

    client_update(actor=staff, client_id=people["lodz"].pk, data={"company_name": "Łódzkie Serwery"})
    assert "lodzkie serwery" in Client.objects.get(pk=people["lodz"].pk).search_text
    assert set(client_directory_queryset(actor=staff, search="łódzkie").values_list("pk", flat=True)) == {
        people["lodz"].pk}


@pytest.mark.django_db(transaction=True)
def test_the_migration_folds_the_clients_stored_before(make_client):
    from django.db.migrations.executor import MigrationExecutor

    kept = make_client(email="keep@example.com", firstname="Plain", lastname="Ascii")
    accented = make_client(email="zofia@example.pl", firstname="Zofia", lastname="Żółć")
    Client.objects.filter(pk=accented.pk).update(search_text="zofia żółć zofia@example.pl")  # as stored before
    before, after = [("clients", "0021_time_ordered_ids")], [("clients", "0022_search_text_without_accents")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        assert Client.objects.get(pk=accented.pk).search_text == "zofia zolc zofia@example.pl"
        assert Client.objects.get(pk=kept.pk).search_text == search_folded(kept.search_text)
    finally:  # every later migration again (any app's that follow 0022), for the tests after this one
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
