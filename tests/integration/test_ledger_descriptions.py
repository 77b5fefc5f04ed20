"""What the system writes on a client's ledger (a payment, a service's charges, a refund and the
reversal of a charge) reads in the reader's language on the staff Transactions tab, the Finance
list, the CSV export and the portal's Transactions page; a manual transaction's words show as
typed in every language, and the API keeps the English it has always returned."""

import csv
import io
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.ledger.descriptions import describe
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.services import entry_post, manual_transaction_create
from clientpanel.privacy.selectors import client_data_export

from .ledgers import MANUAL, client_with_every_entry

pytestmark = pytest.mark.django_db
PASSWORD = "ledger-words-passphrase"


@pytest.fixture
def ledger():
    """A Polish client with every kind of entry the system writes, and one typed by staff."""
    return client_with_every_entry(password=PASSWORD, credit="500.00", monthly="10.00")


def _polish(world) -> list[str]:
    """As the pages show them: the service by its product and label, as its own pages name it."""
    s, p, i, n = _name(world), world["proforma"].number, world["invoice"].number, world["note"].number
    return [f"Płatność za {p}", f"{s}, opłata instalacyjna", f"{s}, 1 miesiąc × 10,00",
            f"Zwrot fakturą korygującą {n} do faktury {i}",
            f"Cofnięcie obciążenia fakturą korygującą {n} za pozycje faktury {i}", MANUAL]


def _name(world) -> str:
    return f"VPS {world['service'].label}"


def _english(world) -> list[str]:
    s, p, i, n = _name(world), world["proforma"].number, world["invoice"].number, world["note"].number
    return [f"Payment for {p}", f"{s}, setup fee", f"{s}, 1 month × 10.00",
            f"Refund {n} for {i}", f"Charge reversed by {n} for items of {i}", MANUAL]


def _stored(world) -> list[str]:
    """The English the entries keep, word for word as the system has always written it."""
    s, p, i, n = world["service"].pk, world["proforma"].number, world["invoice"].number, world["note"].number
    return [f"Payment for {p}", f"Service:{s}, setup fee", f"Service:{s}, 1 month × 10.0000",
            f"Refund {n} for {i}", f"Charge reversed by {n} for items of {i}", MANUAL]


def test_a_polish_staff_member_reads_the_systems_words_in_polish_and_staffs_as_typed(ledger, staff_client, staff):
    tab = reverse("backoffice:client-transactions", args=[ledger["client"].pk])
    english = staff_client.get(tab).content.decode()
    assert all(text in english for text in _english(ledger)), english
    assert "Płatność za" not in english and "Usługa " not in english and str(ledger["service"].pk) not in english
    User.objects.filter(pk=staff.pk).update(language="pl")
    for page in (tab, reverse("backoffice:finance-transactions")):
        polish = staff_client.get(page).content.decode()
        assert all(text in polish for text in _polish(ledger)), page
        assert "Payment for" not in polish and "Charge reversed" not in polish and "setup fee" not in polish
    export = staff_client.get(reverse("backoffice:client-transactions-export", args=[ledger["client"].pk]))
    csv = b"".join(export.streaming_content).decode("utf-8-sig")
    assert all(text in csv for text in _polish(ledger)) and "Payment for" not in csv


def test_the_portal_shows_the_users_language(ledger):
    browser = Browser()
    assert browser.post(reverse("portal:login"), {"email": ledger["client"].owner.email,
                                                  "password": PASSWORD}).status_code == 302
    polish = browser.get(reverse("portal:transactions")).content.decode()
    assert all(text in polish for text in _polish(ledger)), polish
    assert "Payment for" not in polish and "Refund " not in polish and str(ledger["service"].pk) not in polish
    User.objects.filter(pk=ledger["client"].owner.pk).update(language="en")
    english = browser.get(reverse("portal:transactions")).content.decode()
    assert all(text in english for text in _english(ledger)) and "Płatność" not in english


def test_the_api_returns_the_english_it_always_did(ledger, api, staff):
    User.objects.filter(pk=staff.pk).update(language="pl")
    items = api.get(f"/clients/{ledger['client'].pk}/transactions", page_size=50).json()["results"]
    shown = {item["description"] for item in items}
    assert set(_stored(ledger)) <= shown and not any("Płatność" in text or "Usługa" in text for text in shown)


def test_entries_from_before_the_codes_read_in_polish_by_their_exact_wording(make_client):
    """Old rows keep no code: the wording the system wrote is recognised, on entries tied to a
    document or a service only — a typed 'Payment for …' on a manual entry stays as typed."""
    client = make_client(currency="PLN")
    document, service = uuid.uuid4(), uuid.uuid4()
    posted = [
        entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("100"), document_id=document,
                   description="Payment for PRO/2026/7")[0],
        entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-0.9271"), service_id=service,
                   description=f"Service:{service}, 1h × 0.9271 per hour")[0],
        entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-30"), service_id=service,
                   description=f"Service:{service}, 3 months × 30.0000")[0],
        entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-1"), service_id=service,
                   description=f"Service:{service}, one-time")[0],
        entry_post(client_id=client.pk, type=EntryType.REFUND, net=Decimal("-5"), document_id=document,
                   description="Refund FK 2026/1 for FV 2026/3")[0],
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("5"), document_id=document,
                   description="Charge reversed by FK 2026/1 for items of FV 2026/3")[0],
        manual_transaction_create(actor=None, client_id=client.pk, amount="1", description="Payment for PRO/2026/7")[0],
        entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-1"), service_id=service,
                   description="Service renewal, by hand")[0],
    ]
    entries = list(LedgerEntry.objects.filter(pk__in=[e.pk for e in posted]).order_by("sequence"))
    assert all(entry.description_code == "" for entry in entries)
    with translation.override("pl"):
        assert [describe(entry) for entry in entries] == [
            "Płatność za PRO/2026/7", f"Usługa {service}, 1 godz. × 0,9271 za godzinę",
            f"Usługa {service}, 3 miesiące × 30,00", f"Usługa {service}, opłata jednorazowa",
            "Zwrot fakturą korygującą FK 2026/1 do faktury FV 2026/3",
            "Cofnięcie obciążenia fakturą korygującą FK 2026/1 za pozycje faktury FV 2026/3",
            "Payment for PRO/2026/7", "Service renewal, by hand"]
    with translation.override("en"):
        assert describe(entries[1]) == f"Service:{service}, 1h × 0.9271 per hour"
        assert describe(entries[6]) == "Payment for PRO/2026/7"


def test_the_privacy_export_keeps_the_stored_columns_and_adds_them_in_the_clients_language(ledger):
    """The client's data handed to the client: the stored type code and English stay in their
    columns (the record, what a parser reads), and readable ones follow in the client's language,
    whatever the language of the staff member who exports it."""
    with translation.override("en"):
        _client, content = client_data_export(actor=None, client_id=ledger["client"].pk)
    text = zipfile.ZipFile(io.BytesIO(content)).read("ledger.csv").decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == ["sequence", "created_at", "type", "gross", "net", "balance_before", "balance_after",
                      "description", "transaction_id", "period_start", "period_end", "readable_type",
                      "readable_description"]
    stored, readable = [row[7] for row in rows], [row[12] for row in rows]
    assert set(_stored(ledger)) <= set(stored) and set(_polish(ledger)) <= set(readable)
    # A proforma item's charge carries the item's own words: the same in both columns.
    assert [text for text in stored if text not in _stored(ledger)] == [
        text for text in readable if text not in _polish(ledger)] != []
    assert {(row[2], row[11]) for row in rows} == {("PAYMENT", "Wpłata"), ("CHARGE", "Obciążenie"),
                                                    ("REFUND", "Zwrot"), ("ADJUSTMENT", "Korekta")}


def _export_rows(world, name: str) -> list[dict[str, str]]:
    with translation.override("en"):  # the staff member's language must not leak into the file
        _client, content = client_data_export(actor=None, client_id=world["client"].pk)
    text = zipfile.ZipFile(io.BytesIO(content)).read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_privacy_exports_other_files_keep_their_codes_and_add_their_labels_in_the_clients_language(ledger):
    """services.csv, documents.csv, emails.csv and activity.csv: the stored codes stay in their
    columns, each code's label follows at the end in readable_<column>, in the client's language."""
    services = _export_rows(ledger, "services.csv")
    assert list(services[0])[-3:] == ["readable_status", "readable_provision_status", "readable_period"]
    assert [(s["status"], s["provision_status"], s["period"]) for s in services] == [("ACTIVE", "COMPLETED", "MONTHLY")]
    assert [(s["readable_status"], s["readable_provision_status"], s["readable_period"]) for s in services] == [
        ("Aktywna", "Zakończone", "Miesięcznie")]
    documents = _export_rows(ledger, "documents.csv")
    assert list(documents[0])[-2:] == ["readable_type", "readable_status"]
    assert {(d["type"], d["readable_type"], d["status"], d["readable_status"]) for d in documents} == {
        ("PROFORMA", "Proforma", "INVOICED", "Zafakturowana"),
        ("INVOICE", "Faktura", "PARTIALLY_REFUNDED", "Częściowo zwrócona"),
        ("CREDIT_NOTE", "Faktura korygująca", "REFUNDED", "Zwrócona")}
    emails = _export_rows(ledger, "emails.csv")
    assert emails and list(emails[0])[-1] == "readable_status"
    assert {(m["status"], m["readable_status"]) for m in emails} == {("queued", "W kolejce"), ("sent", "Wysłana")}
    activity = _export_rows(ledger, "activity.csv")
    assert list(activity[0]) == ["created_at", "who", "action", "object", "changes", "readable_action"]
    readable = {(a["action"], a["readable_action"]) for a in activity}
    assert {("client.create", "Utworzono klienta"), ("ledger.manual_transaction", "Transakcja ręczna"),
            ("service.order", "Zamówiono usługę")} <= readable
