"""payments.csv keeps each payment's method as recorded and adds readable_method at the end, in the
client's language: the system's own methods translated, what staff typed as typed."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from clientpanel.invoicing.payment_methods import BANK_TRANSFER, method_columns
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.privacy.selectors import client_data_export

pytestmark = pytest.mark.django_db


def _paid_twice(make_client, **client_fields):
    """A proforma paid by a bank statement's transfer and the rest by a method staff typed."""
    client = make_client(currency="PLN", **client_fields)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount="50.00", transaction_id="A",
                 **method_columns(BANK_TRANSFER))
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total - 50), transaction_id="B",
                 method="wpłata w kasie")
    return client


@pytest.mark.parametrize(("language", "readable"), [("pl", "Przelew bankowy"), ("en", "Bank transfer")])
def test_the_privacy_export_keeps_the_method_and_adds_it_readable_in_the_clients_language(make_client, language,
                                                                                           readable):
    client = _paid_twice(make_client, language=language)
    _client, content = client_data_export(actor=None, client_id=client.pk)
    rows = list(csv.reader(io.StringIO(zipfile.ZipFile(io.BytesIO(content)).read("payments.csv").decode("utf-8-sig"))))
    assert rows[0] == ["paid_at", "document", "gross", "net", "method", "transaction_id", "readable_method"]
    by_id = {row[5]: row for row in rows[1:]}
    assert (by_id["A"][4], by_id["A"][6]) == ("bank transfer", readable)
    assert (by_id["B"][4], by_id["B"][6]) == ("wpłata w kasie", "wpłata w kasie")
