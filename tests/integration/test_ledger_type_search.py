"""Searching transactions by an entry's type as the lists label it, in the reader's language: a
Polish reader typing "Wpłata" (or "wpła") finds the payments, "Korekta" the adjustments, an English
one "Refund" the refunds — on the staff Transactions tab, Finance → Transactions and the portal —
while a word that names no type searches exactly as before."""

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.client_services.selectors import entry_service_names
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.selectors import client_entries, entries_page, types_labelled

from .ledgers import client_with_every_entry

pytestmark = pytest.mark.django_db
PASSWORD = "ledger-type-search-passphrase"


@pytest.fixture
def ledger():
    return client_with_every_entry(password=PASSWORD, credit="1500.00", monthly="1234.50")


def _types(ledger, search: str, language: str) -> list[str]:
    with translation.override(language):
        entries = client_entries(client=ledger["client"], search=search, names=entry_service_names())
        return sorted({entry.type for entry in entries})


def test_a_types_label_in_the_readers_language_finds_that_type(ledger):
    everything = _types(ledger, "", "pl")
    assert everything == ["ADJUSTMENT", "CHARGE", "PAYMENT", "REFUND"]
    assert _types(ledger, "Wpłata", "pl") == ["PAYMENT"]
    assert _types(ledger, "wpła", "pl") == ["PAYMENT"]  # part of it, case aside
    assert _types(ledger, "KOREKTA", "pl") == ["ADJUSTMENT"]  # as the badge shows it
    assert _types(ledger, "Zwrot", "pl") == ["REFUND"]
    assert _types(ledger, "Obciążenie", "pl") == ["CHARGE"]
    assert _types(ledger, "Refund", "en") == ["REFUND"]
    assert _types(ledger, "adjustment", "en") == ["ADJUSTMENT"]
    # Every adjustment, not only those whose words say so: the staff credit and the charge reversal.
    with translation.override("pl"):
        adjustments = client_entries(client=ledger["client"], search="Korekta")
        assert {e.description_code for e in adjustments} == {"", "charge_reversal"}


def test_the_label_combines_with_other_words_and_other_languages_labels_find_nothing(ledger):
    number = ledger["proforma"].number
    assert _types(ledger, f"Wpłata {number}", "pl") == ["PAYMENT"]
    assert _types(ledger, "Korekta 1234,50", "pl") == []  # no adjustment shows that amount
    assert _types(ledger, "Wpłata", "en") == []  # an English reader sees no Polish label
    assert _types(ledger, "Adjustment", "pl") == []  # nor a Polish reader the English one


def test_a_word_that_names_no_type_adds_no_condition():
    with translation.override("pl"):
        assert types_labelled("PROFORMA/2026/00120") == [] and types_labelled("miesiąc") == []
        assert types_labelled("wpłata") == [EntryType.PAYMENT]
    with translation.override("en"):
        assert types_labelled("Payment") == [EntryType.PAYMENT] and types_labelled("Płatność") == []


def test_staff_finance_tab_and_portal_find_the_type_label(ledger, staff_client, staff):
    User.objects.filter(pk=staff.pk).update(language="pl")
    note = ledger["note"].number
    for url in (reverse("backoffice:client-transactions", args=[ledger["client"].pk]),
                reverse("backoffice:finance-transactions")):
        page = staff_client.get(url, {"q": "Zwrot"}).content.decode()
        assert note in page and "WPŁATA" not in page and "OBCIĄŻENIE" not in page, url
    staff.refresh_from_db()
    with translation.override("pl"):
        found = entries_page(staff, search="Zwrot", names=entry_service_names()).results
    assert [entry.type for entry in found] == ["REFUND"]
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": ledger["client"].owner.email,
                                                  "password": PASSWORD}).status_code == 302
    page = browser.get(reverse("portal:transactions"), {"q": "wpłata"}).content.decode()
    assert f"Płatność za {ledger['proforma'].number}" in page and "Zwrot" not in page and "opłata" not in page
