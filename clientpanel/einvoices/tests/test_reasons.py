"""Why an e-invoice could not be made, sent or accepted reads in the reader's language, whoever
caused it: a Polish accountant reads Polish where an English-speaking colleague's action (or the
sending job, which runs in English) wrote it, and the other way round. KSeF's own words stay as
KSeF sent them inside the panel's translated framing; rows from before the codes are recognised by
their exact English or Polish wording, anything else shows as stored; the API keeps `error` and
adds `error_code` and `readable_error`."""

from __future__ import annotations

import html
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from clientpanel.einvoices.models import EInvoice, EInvoiceStatus
from clientpanel.einvoices.rates import previous_working_day
from clientpanel.einvoices.reason_wording import WORDING
from clientpanel.einvoices.reasons import describe, said
from clientpanel.einvoices.sending import job_send_einvoices
from clientpanel.einvoices.tests.ksef_fake import ksef_fake_fixture  # noqa: F401 — the fixture
from clientpanel.einvoices.tests.test_einvoice_lifecycle import paid_invoice
from clientpanel.einvoices.tests.test_ksef_sending import online, passes  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db

KSEF_WORDS = "Brak uprawnień do wykonania operacji."  # the fake KSeF's own message for a 403


def page_of(client, document) -> str:
    return client.get(reverse("backoffice:document-detail", args=[document.pk])).content.decode()


def error_shown(page: str) -> str:
    found = re.search(r'id="einvoice-error">([^<]*)</p>', page)
    assert found, "the page shows no e-invoice error"
    return html.unescape(found.group(1))


@pytest.fixture
def polish_staff(staff):
    staff.language = "pl"
    staff.save(update_fields=["language"])
    return staff


def test_a_reason_written_in_a_polish_request_reads_in_english_and_polish(polish_company, make_client, client,
                                                                           staff):
    with translation.override("pl"):  # a Polish staff member's payment issues the invoice
        invoice = paid_invoice(make_client, currency="EUR")
    einvoice = EInvoice.objects.get(document=invoice)
    day = previous_working_day(invoice.issue_date.astimezone(zoneinfo.ZoneInfo("Europe/Warsaw")).date())
    assert einvoice.status == EInvoiceStatus.FAILED and einvoice.error_code == "rate_missing"
    assert einvoice.error.startswith(f"Enter the PLN rate of EUR for {day.isoformat()}")  # the API's English

    client.force_login(staff)
    english = error_shown(page_of(client, invoice))
    assert english.startswith(f"Enter the PLN rate of EUR for {day.isoformat()}") and invoice.number in english
    staff.language = "pl"
    staff.save(update_fields=["language"])
    polish = error_shown(page_of(client, invoice))
    assert polish.startswith(f"Wpisz kurs EUR w PLN z dnia {day.isoformat()}") and invoice.number in polish


def test_the_sending_jobs_english_reads_in_polish_with_ksefs_words_as_sent(online, make_client, client,  # noqa: F811
                                                                            polish_staff):
    invoice = paid_invoice(make_client)
    online.fail_next(403)  # KSeF refuses the token
    passes(1)  # the job, in the default language
    einvoice = EInvoice.objects.get(document=invoice)
    assert einvoice.error == f"KSeF refused the request (HTTP 403): {KSEF_WORDS}"
    client.force_login(polish_staff)
    assert error_shown(page_of(client, invoice)) == f"KSeF odrzucił żądanie (HTTP 403): {KSEF_WORDS}"

    online.fail_next(503)  # then out of reach: one reason inside another
    job_send_einvoices(now=einvoice.next_attempt_at)
    einvoice.refresh_from_db()
    assert einvoice.error_code == "unreachable" and "HTTP 503" in einvoice.error
    shown = error_shown(page_of(client, invoice))
    assert shown == "Nie udało się połączyć z KSeF (KSeF jest niedostępny (HTTP 503); spróbuj ponownie później.); " \
                    "ponawiamy próbę."


def test_older_rows_are_recognised_in_either_language_and_anything_else_shows_as_stored(polish_company, make_client,
                                                                                        client, staff):
    invoice = paid_invoice(make_client)
    row = EInvoice.objects.get(document=invoice)
    client.force_login(staff)
    with translation.override("pl"):  # what a Polish request wrote before the codes
        polish = translation.gettext(WORDING["unreachable"]) % {"reason": translation.gettext(WORDING["busy"])}
    EInvoice.objects.filter(pk=row.pk).update(error=polish, error_code="", error_params=None)
    assert error_shown(page_of(client, invoice)) == \
        "KSeF could not be reached (KSeF is busy (HTTP 429: too many requests); try again later.); trying again."

    english = "The buyer's NIP 123 is not valid."  # what an English request wrote
    EInvoice.objects.filter(pk=row.pk).update(error=english)
    staff.language = "pl"
    staff.save(update_fields=["language"])
    assert error_shown(page_of(client, invoice)) == "NIP nabywcy 123 jest niepoprawny."

    for stored in ["450: Błąd weryfikacji semantyki dokumentu faktury (P_15: kwota niezgodna)",  # KSeF's own
                   english[:-1] + " (cut short"]:  # truncated: not the wording any more
        EInvoice.objects.filter(pk=row.pk).update(error=stored)
        assert error_shown(page_of(client, invoice)) == stored


def test_a_schemas_message_stays_as_the_validator_wrote_it_inside_the_panels_words():
    reason = said("schema", problem=said("schema_line", line=3, message="Element 'P_1': This element is not expected."))
    assert reason == "The file does not pass the format's schema: Line 3: Element 'P_1': This element is not expected."
    with translation.override("pl"):
        assert describe(reason, reason.code, reason.params) == \
            "Plik nie przechodzi walidacji schematu formatu: Wiersz 3: Element 'P_1': This element is not expected."
    with translation.override("pl"):  # a number the reason holds follows the reader's format
        totals = said("en_totals", lines="1234.50", net="1234.50", tax="0", total="1234.50")
        assert "netto 1 234,50" in describe(totals, totals.code, totals.params).replace("\xa0", " ")


def test_the_api_keeps_error_and_adds_its_code_and_the_readers_words(polish_company, make_client, client,
                                                                      api_token):
    invoice = paid_invoice(make_client, currency="EUR")
    headers = {"Authorization": f"Bearer {api_token}", "Accept-Language": "pl"}
    answer = client.get(f"/api/v1/invoices/{invoice.pk}/einvoice", headers=headers).json()
    assert answer["status"] == "FAILED" and answer["error"].startswith("Enter the PLN rate of EUR")
    assert answer["error_code"] == "rate_missing" and answer["readable_error"].startswith("Wpisz kurs EUR w PLN")
    refused = client.get(f"/api/v1/invoices/{invoice.pk}/xml", headers=headers).json()["error"]["message"]
    assert refused.startswith("Nie można było utworzyć tej e-faktury: Wpisz kurs EUR w PLN")

    english = client.get(f"/api/v1/invoices/{invoice.pk}/einvoice", headers={**headers, "Accept-Language": "en"})
    assert english.json()["readable_error"] == answer["error"]
    EInvoice.objects.filter(document=invoice).update(error="coś innego", error_code="", error_params=None)
    older = client.get(f"/api/v1/invoices/{invoice.pk}/einvoice", headers=headers).json()
    assert (older["error"], older["error_code"], older["readable_error"]) == ("coś innego", None, "coś innego")


def test_the_make_again_message_reads_in_the_readers_language(polish_company, make_client, client, polish_staff):
    invoice = paid_invoice(make_client, currency="EUR")  # written in English
    client.force_login(polish_staff)
    answer = client.post(reverse("backoffice:document-einvoice-make", args=[invoice.pk]), follow=True)
    assert "E-faktury nadal nie można utworzyć: Wpisz kurs EUR w PLN" in answer.content.decode()


def test_every_code_the_sources_say_has_a_wording():
    sources = Path(__file__).resolve().parents[1]
    said_codes = {code for path in sources.rglob("*.py") if "tests" not in path.parts
                  for code in re.findall(r'said\(\s*"(\w+)"', path.read_text())}
    assert said_codes and said_codes <= WORDING.keys(), said_codes - WORDING.keys()


def test_an_amount_or_a_rate_a_reason_names_reads_in_the_readers_number_format_with_every_decimal():
    # "po przecinku" beside "12.345" read as twelve thousand; the decimals it names are all kept.
    decimals = said("fa3_decimals", amount=Decimal("1234.567"))
    unknown_rate = said("fa3_rate_unknown", rate="7.5")
    not_nbp = said("fa3_rate_not_nbp", rate=Decimal("4.251234"), currency="EUR")
    assert decimals == "FA(3) writes amounts with at most two decimals; 1234.567 has more."  # what is stored
    with translation.override("pl"):
        shown = [describe(r, r.code, r.params).replace("\xa0", " ") for r in (decimals, unknown_rate, not_nbp)]
    assert shown == ["FA(3) zapisuje kwoty z najwyżej dwoma miejscami po przecinku; 1 234,567 ma ich więcej.",
                     "7,5% nie jest polską stawką VAT; FA(3) nie może jej zawierać.",
                     "Kurs 4,251234 EUR nie jest kursem NBP na złote."]
    with translation.override("en"):
        assert describe(decimals, decimals.code, decimals.params) == \
            "FA(3) writes amounts with at most two decimals; 1,234.567 has more."
        garbled = {"amount": "12,5 zł"}  # an older row's text that is no number: shown as stored
        assert describe("stored text", "fa3_decimals", garbled) == "stored text"
