"""A service's charge names its period's price with the client's currency's decimals, as every
other amount of that client is shown: none for a yen, three for a dinar ("1 month × 1,000", not
"× 1,000.00"; "× 12.300", not "× 12.30"), up to the ledger's four for an hourly rate — on the staff
Transactions tab, and found by the same words."""

import re
import uuid
from decimal import Decimal

import pytest
from django.utils import translation

from clientpanel.clients.services import client_create
from clientpanel.ledger.descriptions import service_charge
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.selectors import client_entries
from clientpanel.ledger.services import entry_post
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _currencies(settings):
    settings.CLIENTPANEL_CURRENCIES = [*settings.CLIENTPANEL_CURRENCIES, "JPY", "KWD"]


def _charged(currency: str, amount: str, *, hourly: bool = False):
    client = client_create(actor=None, data=client_data(currency=currency))
    service = uuid.uuid4()
    entry_post(client_id=client.pk, type=EntryType.CHARGE, net=-Decimal(amount), service_id=service,
               **service_charge(service_id=service, period="MONTHLY", amount=Decimal(amount), hourly=hourly))
    return client


def _shown(client, language: str, search: str = "") -> list[str]:
    with translation.override(language):
        return [entry.reader_description.split(", ", 1)[1] for entry in client_entries(client=client, search=search)]


@pytest.mark.parametrize("currency, amount, english, polish", [
    ("JPY", "1000", "1 month × 1,000", "1 miesiąc × 1\xa0000"),
    ("KWD", "12.3", "1 month × 12.300", "1 miesiąc × 12,300"),
    ("USD", "1234.5", "1 month × 1,234.50", "1 miesiąc × 1\xa0234,50"),
    ("JPY", "1000.5", "1 month × 1,000.5", "1 miesiąc × 1\xa0000,5"),  # a derived price may keep decimals
])
def test_a_period_price_has_the_currencys_decimals(currency, amount, english, polish):
    client = _charged(currency, amount)
    assert _shown(client, "en") == [english] and _shown(client, "pl") == [polish]


def test_an_hourly_rate_keeps_its_four_decimals_and_the_words_shown_find_it():
    client = _charged("JPY", "1.3889", hourly=True)
    assert _shown(client, "en") == ["1h × 1.3889 per hour"]
    yen = _charged("JPY", "1000")
    assert _shown(yen, "pl", "1 000") == ["1 miesiąc × 1\xa0000"] and _shown(yen, "en", "1,000") == ["1 month × 1,000"]


def test_the_staff_tab_shows_the_yen_without_decimals(staff_client):
    client = _charged("JPY", "1000")
    page = staff_client.get(f"/staff/clients/{client.pk}/transactions/").content.decode()
    assert re.search(r"1 month × 1,000(?![.,\d])", page) and "1,000.00" not in page
