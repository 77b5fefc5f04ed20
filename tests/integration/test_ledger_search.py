"""Searching transactions finds the words their reader sees: what the system wrote (a payment, a
service's charges, a refund, a reversal) in the reader's language with its parameters as shown
(document numbers, amounts in the reader's format, a period's length, the service's name), entries
from before the codes by their exact English alike, typed text as typed, and the stored English the
API returns — on the staff Transactions tab and Finance → Transactions with their CSV exports, the
portal's Transactions page and the API; each search one query, whatever the language."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.client_services.selectors import entry_service_names
from clientpanel.clients.selectors.search import dense_trigrams, dense_trigrams_forget
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.selectors import client_entries, entries_visible_to
from clientpanel.ledger.services import entry_post, manual_transaction_create

from .ledgers import MANUAL, client_with_every_entry

pytestmark = pytest.mark.django_db
PASSWORD = "ledger-search-passphrase"


@pytest.fixture
def ledger():
    """A Polish client with every kind of entry the system writes, one typed by staff, and one
    of each kind written before the codes (kept with the English alone)."""
    made = client_with_every_entry(password=PASSWORD, credit="1500.00", monthly="1234.50")
    client, service, proforma, note = made["client"], made["service"], made["proforma"], made["note"]
    gone, document = uuid.uuid4(), uuid.uuid4()  # a service deleted since, and an old document
    old = {kind: entry_post(client_id=client.pk, type=entry_type, net=net, description=text, **(
        {"service_id": gone} if entry_type == EntryType.CHARGE else {"document_id": document}))[0]
           for kind, entry_type, net, text in [
               ("payment", EntryType.PAYMENT, Decimal("7"), "Payment for PRO/2019/77"),
               ("hour", EntryType.CHARGE, Decimal("-0.9271"), f"Service:{gone}, 1h × 0.9271 per hour"),
               ("quarter", EntryType.CHARGE, Decimal("-30"), f"Service:{gone}, 3 months × 30.0000"),
               ("one_time", EntryType.CHARGE, Decimal("-1"), f"Service:{gone}, one-time"),
               ("refund", EntryType.REFUND, Decimal("-5"), "Refund FK 2019/1 for FV 2019/3")]}
    typed = manual_transaction_create(actor=None, client_id=client.pk, amount="1",
                                      description="Payment for PRO/2019/88")[0]  # staff's words, read as typed
    return {"client": client, "service": service, "proforma": proforma, "note": note, "old": old, "typed": typed}


def _found(ledger, search: str, language: str = "pl") -> list[str]:
    """The English of the entries the client's Transactions tab finds, oldest first."""
    with translation.override(language):
        entries = client_entries(client=ledger["client"], search=search, names=entry_service_names())
        return [entry.description for entry in reversed(entries)]


def _shown(ledger, search: str, language: str = "pl") -> list[str]:
    with translation.override(language):
        entries = client_entries(client=ledger["client"], search=search, names=entry_service_names())
        return [entry.reader_description for entry in reversed(entries)]


def test_polish_words_of_the_systems_wording_find_its_entries_new_and_old(ledger):
    number, old = ledger["proforma"].number, ledger["old"]
    label, gone = f"VPS {ledger['service'].label}", old["hour"].service_id
    assert _shown(ledger, "Płatność") == [f"Płatność za {number}", "Płatność za PRO/2019/77"]
    assert _shown(ledger, "za płatność") == _shown(ledger, "Płatność")  # case aside, words in any order
    assert _shown(ledger, "Opłata") == [f"{label}, opłata instalacyjna", f"Usługa {gone}, opłata jednorazowa"]
    assert _shown(ledger, "miesiąc") == [f"{label}, 1 miesiąc × 1\xa0234,50", f"Usługa {gone}, 3 miesiące × 30,00"]
    assert _shown(ledger, "miesiące") == [f"Usługa {gone}, 3 miesiące × 30,00"]
    assert _shown(ledger, "godzinę") == [f"Usługa {gone}, 1 godz. × 0,9271 za godzinę"]
    note, invoice = ledger["note"].number, ledger["proforma"].related.number
    assert _found(ledger, "fakturą korygującą") == [f"Refund {note} for {invoice}",
                                                   f"Charge reversed by {note} for items of {invoice}",
                                                   "Refund FK 2019/1 for FV 2019/3"]
    # "Usługa" is what a charge of a service that is gone reads; the named ones read "VPS …".
    assert _shown(ledger, "Usługa") == [f"Usługa {gone}, 1 godz. × 0,9271 za godzinę",
                                        f"Usługa {gone}, 3 miesiące × 30,00", f"Usługa {gone}, opłata jednorazowa"]
    assert _shown(ledger, "Zapłata") == [] and _shown(ledger, "Płatność miesiąc") == []


def test_parameters_are_found_as_the_reader_sees_them(ledger):
    number, label = ledger["proforma"].number, f"VPS {ledger['service'].label}"
    monthly = f"{label}, 1 miesiąc × 1\xa0234,50"
    assert _shown(ledger, f"Płatność za {number}") == [f"Płatność za {number}"]
    assert _shown(ledger, f"za {number[:13]}") == [f"Płatność za {number}"]  # part of "Płatność za PROFORMA/2026/…"
    assert _shown(ledger, "PRO/2019") == ["Płatność za PRO/2019/77", "Payment for PRO/2019/88"]
    # Amounts in the reader's format: Polish decimals after a comma, a typed space between thousands.
    for polish in ("1234,50", "234,5", "1 234,50", "miesiąc 234,50"):
        assert _shown(ledger, polish) == [monthly], polish
    assert _shown(ledger, "0,9271") == [_shown(ledger, "godzinę")[0]] and _shown(ledger, "30,00") == [
        _shown(ledger, "miesiące")[0]]
    assert _shown(ledger, "1234,5x") == [] and _shown(ledger, "234,51") == []
    # The service by its name, and a word running on past it into the wording's comma.
    assert _shown(ledger, f"{ledger['service'].label},") == [f"{label}, opłata instalacyjna", monthly]
    assert _shown(ledger, f"{ledger['service'].label}, instalacyjna") == [f"{label}, opłata instalacyjna"]
    with translation.override("en"):
        assert _shown(ledger, "1,234.50", "en") == [f"{label}, 1 month × 1,234.50"]


def test_typed_words_as_typed_and_the_stored_english_are_still_found(ledger):
    assert _shown(ledger, "Rabat awarię") == [MANUAL]
    # Staff typed "Payment for PRO/2019/88": it reads as typed, so no Polish reader sees "Płatność" in it.
    assert "Payment for PRO/2019/88" not in _found(ledger, "Płatność")
    assert _found(ledger, "Payment") == [f"Payment for {ledger['proforma'].number}", "Payment for PRO/2019/77",
                                         "Payment for PRO/2019/88"]
    assert len(_found(ledger, "Service:")) == 5  # the English every service's charge keeps
    assert _found(ledger, "month", "en") == [f"Service:{ledger['service'].pk}, 1 month × 1234.5000",
                                             f"Service:{ledger['old']['quarter'].service_id}, 3 months × 30.0000"]
    assert _found(ledger, "miesiąc", "en") == []  # the English reader sees no Polish


def test_each_search_is_one_query_over_the_list_whatever_the_words(ledger, staff):
    # Across clients a word may name a client, found as the directory finds it: its measured dense
    # trigrams are read once a process every ten minutes, not once a search.
    dense_trigrams_forget()
    dense_trigrams()
    with CaptureQueriesContext(connection) as queries, translation.override("pl"):
        entries = list(client_entries(client=ledger["client"], search="Płatność PROFORMA 1 234,50",
                                      names=entry_service_names()))
        finance = list(entries_visible_to(staff, search="miesiąc 1234,50", names=entry_service_names()))
    assert entries == [] and [entry.description_code for entry in finance] == ["service_period"]
    assert len(queries) == 2 + 1  # each list one query; the staff member's scope once


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _portal(ledger) -> Browser:
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": ledger["client"].owner.email,
                                                  "password": PASSWORD}).status_code == 302
    return browser


def test_a_polish_staff_member_finds_what_the_tab_finance_and_exports_show(ledger, staff_client, staff):
    User.objects.filter(pk=staff.pk).update(language="pl")
    tab = reverse("backoffice:client-transactions", args=[ledger["client"].pk])
    number, label = ledger["proforma"].number, f"VPS {ledger['service'].label}"
    for url in (tab, reverse("backoffice:finance-transactions")):
        page = _text(staff_client.get(url, {"q": "Płatność"}))
        assert f"Płatność za {number}" in page and "Płatność za PRO/2019/77" in page, url
        assert MANUAL not in page and "Payment for PRO/2019/88" not in page and "opłata" not in page, url
        monthly = _text(staff_client.get(url, {"q": "miesiąc 1234,50"}))
        assert f"{label}, 1 miesiąc × 1\xa0234,50" in monthly and "Płatność" not in monthly, url
    for url in (reverse("backoffice:client-transactions-export", args=[ledger["client"].pk]),
                reverse("backoffice:finance-transactions-export")):
        rows = _text(staff_client.get(url, {"q": "Opłata"})).splitlines()
        assert len(rows) == 3 and f"{label}, opłata instalacyjna" in rows[1] + rows[2], (url, rows)
        assert "opłata jednorazowa" in rows[1] + rows[2], (url, rows)


def test_an_english_staff_member_finds_the_english_and_no_polish(ledger, staff_client):
    tab = reverse("backoffice:client-transactions", args=[ledger["client"].pk])
    assert f"Payment for {ledger['proforma'].number}" in _text(staff_client.get(tab, {"q": "Payment"}))
    nothing = _text(staff_client.get(tab, {"q": "Płatność"}))
    assert "Payment for" not in nothing and "No transactions." in nothing


def test_the_portal_searches_its_clients_transactions_in_the_users_language(ledger, make_client):
    browser, url = _portal(ledger), reverse("portal:transactions")
    page = _text(browser.get(url, {"q": f"Płatność {ledger['proforma'].number}"}))
    assert f"Płatność za {ledger['proforma'].number}" in page and "PRO/2019/77" not in page and MANUAL not in page
    assert f'value="Płatność {ledger["proforma"].number}"' in page  # the box keeps the words
    page = _text(browser.get(url, {"q": "godzinę"}))
    assert "1 godz. × 0,9271 za godzinę" in page and "Płatność" not in page
    # The client's own name is in none of its entries' words: it finds nothing there.
    nothing = _text(browser.get(url, {"q": ledger["client"].display_name.split()[0]}))
    assert "Żadna transakcja nie pasuje." in nothing and "Płatność" not in nothing
    # Another client's entries are never found, whatever the words.
    other = make_client(currency="PLN")
    manual_transaction_create(actor=None, client_id=other.pk, amount="3", description="Płatność obca")
    assert "Płatność obca" not in _text(browser.get(url, {"q": "Płatność"}))
    refused = browser.get(url, {"q": "Płat\x00ność"})
    assert refused.status_code == 400 and MANUAL in refused.content.decode()


def test_the_api_searches_the_english_it_returns(ledger, api):
    def found(words: str) -> list[str]:
        return [item["description"] for item in api.get(f"/clients/{ledger['client'].pk}/transactions",
                                                        search=words, page_size=50).json()["results"]]

    assert found(f"Payment {ledger['proforma'].number}") == [f"Payment for {ledger['proforma'].number}"]
    assert found("1234.50") == [f"Service:{ledger['service'].pk}, 1 month × 1234.5000"]
