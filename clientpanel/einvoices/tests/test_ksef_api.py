"""The KSeF API 2.0 channel against the local fake KSeF (`ksef_fake`): the real SDK, real HTTP, real
encryption; the fake decrypts and checks what KSeF checks. Pure: no database."""

from __future__ import annotations

import dataclasses
import re

import pytest
from ksef_client.models import StatusInfo
from lxml import etree

from clientpanel.einvoices.exporters.ksef_fa3 import KsefFa3Exporter
from clientpanel.einvoices.ksef import (
    ACCEPTED,
    DUPLICATE,
    PROCESSING,
    REJECTED,
    KsefRefused,
    KsefUnavailable,
    SendStatus,
    Sent,
)
from clientpanel.einvoices.ksef.api import KSEF_URLS, KsefApiChannel, _original_number
from clientpanel.einvoices.tests.ksef_fake import KsefFake, ksef_fake_fixture  # noqa: F401 — the fixture
from clientpanel.einvoices.tests.test_ksef_fa3 import document

SELLER_NIP = "5260250995"  # the NIP of test_ksef_fa3's seller
KSEF_NUMBER = re.compile(r"5260250995-\d{8}-[0-9A-F]{12}-[0-9A-F]{2}")


def fa3_file(number: str = "FV/2026/11/0042") -> bytes:
    return KsefFa3Exporter().export(dataclasses.replace(document([("1", "100.00")]), number=number))


def channel(fake: KsefFake, token: str | None = None) -> KsefApiChannel:
    return KsefApiChannel(base_url=fake.url, token=fake.token if token is None else token)


def sent_and_asked(fake: KsefFake, content: bytes, *, nip: str = SELLER_NIP) -> tuple[Sent, SendStatus]:
    ksef = channel(fake)
    sent = ksef.send(content, seller_nip=nip)
    return sent, ksef.status(sent, seller_nip=nip)


def assert_no_token(error: BaseException, token: str) -> None:
    """Neither the error nor anything it was raised from or during names the token."""
    while error is not None:
        assert token not in str(error) and token not in repr(error)
        error = error.__cause__ or error.__context__


def test_a_file_is_sent_and_accepted_with_its_ksef_number_and_upo(ksef_fake):
    content = fa3_file()
    sent, answer = sent_and_asked(ksef_fake, content)

    assert answer.state == ACCEPTED and KSEF_NUMBER.fullmatch(answer.ksef_number)
    assert answer.error == ""
    upo = etree.fromstring(answer.upo)
    assert upo.findtext("{*}Dokument/{*}NumerKSeFDokumentu") == answer.ksef_number
    received = ksef_fake.invoices[0]
    assert received.content == content and received.invoice_number == "FV/2026/11/0042"
    assert (sent.session_reference, sent.invoice_reference) == (received.session_reference, received.reference)
    # The session is closed after the file went; the status was asked in a later authentication.
    paths = [path for _method, path in ksef_fake.requests]
    assert paths.index(f"/v2/sessions/online/{sent.session_reference}/close") < \
        paths.index(f"/v2/sessions/{sent.session_reference}/invoices/{sent.invoice_reference}")
    assert paths.count("/v2/auth/ksef-token") == 2


def test_an_authentication_still_in_progress_is_asked_again(ksef_fake):
    ksef_fake.auth_pending_polls = 2
    assert sent_and_asked(ksef_fake, fa3_file())[1].state == ACCEPTED


def test_processing_first_then_accepted(ksef_fake):
    ksef_fake.keep_processing(2)
    ksef = channel(ksef_fake)
    sent = ksef.send(fa3_file(), seller_nip=SELLER_NIP)

    assert ksef.status(sent, seller_nip=SELLER_NIP) == SendStatus(PROCESSING)
    assert ksef.status(sent, seller_nip=SELLER_NIP) == SendStatus(PROCESSING)
    answer = ksef.status(sent, seller_nip=SELLER_NIP)
    assert answer.state == ACCEPTED and answer.ksef_number == ksef_fake.invoices[0].ksef_number


def test_accepted_before_its_upo_exists_has_an_empty_upo(ksef_fake):
    ksef_fake.hold_upo(1)
    ksef = channel(ksef_fake)
    sent = ksef.send(fa3_file(), seller_nip=SELLER_NIP)

    first = ksef.status(sent, seller_nip=SELLER_NIP)
    assert first.state == ACCEPTED and first.ksef_number and first.upo == b""
    assert ksef.status(sent, seller_nip=SELLER_NIP).upo.startswith(b"<?xml")


def test_a_rejection_carries_ksefs_code_and_reason(ksef_fake):
    ksef_fake.reject_next(450, "Błąd weryfikacji semantyki dokumentu faktury", ["P_15: kwota niezgodna z sumą"])
    _sent, answer = sent_and_asked(ksef_fake, fa3_file())

    assert answer == SendStatus(REJECTED, error="450: Błąd weryfikacji semantyki dokumentu faktury "
                                                "(P_15: kwota niezgodna z sumą)")


def test_a_file_failing_the_schema_is_rejected_with_the_first_error(ksef_fake):
    broken = fa3_file().replace(b"<P_2>FV/2026/11/0042</P_2>", b"<P_2></P_2>")
    answer = sent_and_asked(ksef_fake, broken)[1]

    assert answer.state == REJECTED and answer.error.startswith("450: ") and "P_2" in answer.error


def test_a_file_of_another_seller_than_the_sessions_is_rejected(ksef_fake):
    answer = sent_and_asked(ksef_fake, fa3_file(), nip="1234563218")[1]

    assert answer.state == REJECTED and answer.error.startswith("410: ")


def test_the_same_invoice_twice_is_a_duplicate_naming_the_original(ksef_fake):
    first = sent_and_asked(ksef_fake, fa3_file())[1]
    again = sent_and_asked(ksef_fake, fa3_file())[1]
    other = sent_and_asked(ksef_fake, fa3_file("FV/2026/11/0043"))[1]

    assert first.state == ACCEPTED
    assert again.state == DUPLICATE and again.ksef_number == first.ksef_number
    assert again.error.startswith("440: Duplikat faktury") and again.upo == b""
    assert other.state == ACCEPTED and other.ksef_number != first.ksef_number


@pytest.mark.parametrize(("extensions", "details", "number"), [
    ({"originalKsefNumber": "5260250995-20261123-0A1B2C3D4E5F-7C"}, None, "5260250995-20261123-0A1B2C3D4E5F-7C"),
    (None, ["Faktura o numerze KSeF 5260250995-20261123-0A1B2C3D4E5F-7C została już przyjęta."],
     "5260250995-20261123-0A1B2C3D4E5F-7C"),
    (None, ["Duplikat."], ""),
])
def test_a_duplicate_names_the_original_from_its_extensions_or_details(extensions, details, number):
    status = StatusInfo(code=440, description="Duplikat faktury", details=details, extensions=extensions)
    assert _original_number(status) == number


def test_a_wrong_token_is_refused_with_ksefs_words(ksef_fake):
    wrong = "20260101-EC-0000000000-0000000000-00|" + "ab" * 32
    with pytest.raises(KsefRefused, match="450") as refused:
        channel(ksef_fake, token=wrong).send(fa3_file(), seller_nip=SELLER_NIP)

    assert_no_token(refused.value, wrong)
    assert ksef_fake.invoices == []


def test_an_http_401_is_refused_with_ksefs_message(ksef_fake):
    ksef_fake.fail_next(401, path="/sessions/online")
    with pytest.raises(KsefRefused, match=r"401.*Brak uprawnień") as refused:
        channel(ksef_fake).send(fa3_file(), seller_nip=SELLER_NIP)

    assert_no_token(refused.value, ksef_fake.token)


@pytest.mark.parametrize("status", [503, 500, 429])
def test_a_server_error_or_rate_limit_is_unavailable_and_a_retry_succeeds(ksef_fake, status):
    ksef_fake.fail_next(status)
    ksef = channel(ksef_fake)
    with pytest.raises(KsefUnavailable, match=str(status)) as unavailable:
        ksef.send(fa3_file(), seller_nip=SELLER_NIP)
    assert_no_token(unavailable.value, ksef_fake.token)
    assert ksef_fake.invoices == []

    sent = ksef.send(fa3_file(), seller_nip=SELLER_NIP)
    assert ksef.status(sent, seller_nip=SELLER_NIP).state == ACCEPTED


def test_a_server_error_while_asking_is_unavailable(ksef_fake):
    ksef = channel(ksef_fake)
    sent = ksef.send(fa3_file(), seller_nip=SELLER_NIP)
    ksef_fake.fail_next(503, path=f"/invoices/{sent.invoice_reference}")

    with pytest.raises(KsefUnavailable):
        ksef.status(sent, seller_nip=SELLER_NIP)
    assert ksef.status(sent, seller_nip=SELLER_NIP).state == ACCEPTED


def test_an_unreachable_ksef_is_unavailable(ksef_fake):
    ksef = channel(ksef_fake)
    ksef_fake.stop()  # nothing listens on its port any more

    with pytest.raises(KsefUnavailable, match="could not be reached") as unavailable:
        ksef.send(fa3_file(), seller_nip=SELLER_NIP)
    assert_no_token(unavailable.value, ksef_fake.token)


def test_a_timeout_is_unavailable(ksef_fake):
    ksef_fake.stall_next(2.0, path="/sessions/online")
    ksef = channel(ksef_fake)
    ksef.timeout_seconds = 0.3  # the channel's 10 s, shortened for the test

    with pytest.raises(KsefUnavailable, match="Timeout") as unavailable:
        ksef.send(fa3_file(), seller_nip=SELLER_NIP)
    assert_no_token(unavailable.value, ksef_fake.token)


@pytest.mark.parametrize("url", [
    "https://ksef.example.com/v2", "https://api.ksef.mf.gov.pl.example.com/v2", "http://api.ksef.mf.gov.pl/v2",
    "http://10.0.0.5:8000/v2", "http://169.254.169.254/v2", "ftp://127.0.0.1/v2", "https://user:pw@127.0.0.1/v2",
])
def test_an_address_neither_ksefs_nor_loopback_is_refused(url):
    with pytest.raises(ValueError) as refused:
        KsefApiChannel(base_url=url, token="secret-token-123")

    assert "secret-token-123" not in str(refused.value) and "pw" not in str(refused.value)


@pytest.mark.parametrize("url", [*KSEF_URLS.values(), "https://api-test.ksef.mf.gov.pl", "http://127.0.0.1:8123/v2",
                                 "http://localhost:8123", "http://[::1]:8123/v2"])
def test_ksefs_addresses_and_loopback_are_allowed(url):
    assert KsefApiChannel(base_url=url, token="t").base_url.endswith("/v2")


def test_the_channels_repr_leaves_out_the_token():
    assert "secret-token-123" not in repr(KsefApiChannel(base_url=KSEF_URLS["test"], token="secret-token-123"))
