"""Currencies in bank statements: the upload's currency is one the panel keeps
(settings.CLIENTPANEL_CURRENCIES); a booking's is a real ISO 4217 currency, else its line is refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clientpanel.core.errors import ValidationFailed
from clientpanel.payments.bank import bank_statement_options_clean, bank_statement_upload
from clientpanel.payments.bank.reading import read_statement
from clientpanel.payments.models import BankStatement

pytestmark = pytest.mark.django_db


def test_the_uploads_currency_is_one_the_panel_keeps(settings):
    settings.CLIENTPANEL_CURRENCIES = ["USD", "EUR", "PLN"]
    assert bank_statement_options_clean(None, " eur ") == (None, "EUR")
    assert bank_statement_options_clean(None, "") == (None, "")
    for code in ("QQQ", "JPY", "US$", "ABCD"):  # made up, real but not kept here, not a code
        with pytest.raises(ValidationFailed) as refused:
            bank_statement_options_clean(None, code)
        [message] = refused.value.fields["currency"]
        assert f"{code.upper()} is not a currency of this panel" in message and "USD, EUR, PLN" in message


def test_a_bookings_currency_is_a_real_currency():
    data = (b"Date;Amount;Currency;Title\n2026-11-20;10,00;QWE;x\n2026-11-20;10,00;XXX;y\n"
            b"2026-11-20;10,00;CHF;z\n2026-11-20;15,00 KPW;;w\n")
    with pytest.raises(ValidationFailed) as refused:
        read_statement(data)
    said = " ".join(refused.value.fields["file"])
    assert "Line 2: QWE is not a currency" in said and "Line 3: XXX is not a currency" in said
    assert "Line 4" not in said and "Line 5" not in said  # a real currency, in its column or beside the amount
    written = b"Date;Amount;Title\n2026-11-20;12,50 RUX;x\n"
    with pytest.raises(ValidationFailed) as refused:
        read_statement(written)
    assert "Line 2: RUX is not a currency" in " ".join(refused.value.fields["file"])


def test_a_made_up_currency_stores_nothing(staff):
    data = b"Date;Amount;Currency;Title\n2026-11-20;10,00;ABQ;x\n"
    with pytest.raises(ValidationFailed):
        bank_statement_upload(actor=staff, data=data, name="s.csv")
    with pytest.raises(ValidationFailed) as refused:
        bank_statement_upload(actor=staff, data=b"Date;Amount;Title\n2026-11-20;10,00;x\n", name="s.csv",
                              currency="QQQ")
    assert "currency" in refused.value.fields
    assert not BankStatement.objects.exists()


def test_the_staff_panel_refuses_a_currency_it_does_not_offer(staff_client, settings):
    settings.CLIENTPANEL_CURRENCIES = ["USD", "PLN"]
    upload = SimpleUploadedFile("s.csv", b"Date;Amount;Title\n2026-11-20;10,00;x\n")
    page = staff_client.post(reverse("backoffice:finance-bank-statement-upload"), {"file": upload, "currency": "GBP"})
    assert page.status_code == 422 and "GBP is not a currency of this panel" in page.content.decode()
    assert not BankStatement.objects.exists()
