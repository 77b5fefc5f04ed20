"""A list's status (and type) filter reads its code in either letter case, in every list that has
one: /clients?status=active always did, a client's invoices now too (docs/decisions.md)."""

import pytest

pytestmark = pytest.mark.django_db


def test_status_and_type_filters_take_either_letter_case_everywhere(api, make_client):
    client = make_client(currency="USD")
    assert api.post(f"/clients/{client.pk}/invoices/add-funds", {"net_amount": "10.00"}).status_code == 201
    invoices = f"/clients/{client.pk}/invoices"
    for status in ("UNPAID", "unpaid", "Unpaid"):
        listed = api.get(invoices, status=status)
        assert listed.status_code == 200 and listed.json()["count"] == 1, listed.content
    for kind in ("PROFORMA", "proforma"):
        assert api.get(invoices, type=kind).json()["count"] == 1
    assert api.get(invoices, status="paid").json()["count"] == 0
    for status in ("NEW", "new"):
        assert api.get("/clients", status=status).status_code == 200
    assert api.get(f"/clients/{client.pk}/services", status="active").status_code == 200
    assert api.get(f"/clients/{client.pk}/transactions", type="payment").status_code == 200
    refused = api.get(invoices, status="settled")
    assert refused.status_code == 422 and "status" in refused.json()["error"]["fields"]
