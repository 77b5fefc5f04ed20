import hashlib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientpanel.core.models import IdempotencyRecord
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.ledger.models import LedgerEntry
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed_client(make_client):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"country": "PL", "invoice_pattern":
                                                               "FAKTURA/{YEAR}/{MONTH}/{NUMBER}"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    return make_client(tax_id="PL5260250995", company_name="My company name")


def post(api, path, body, key=None):
    headers = dict(api.headers) | ({"Idempotency-Key": key} if key else {})
    return api.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                           headers=headers)


def test_add_funds_pay_invoice_and_credit_note_through_the_api(api, taxed_client):
    issued = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": "150.00"})
    assert issued.status_code == 201, issued.content
    proforma = issued.json()
    assert (proforma["type"], proforma["status"], proforma["net"], proforma["tax"], proforma["total"]) == (
        "PROFORMA", "UNPAID", "150.0000", "34.5000", "184.5000")
    assert proforma["issue_date"].endswith("+00:00") and proforma["items"][0]["is_topup"] is True
    paid = post(api, f"/invoices/{proforma['id']}/payments", {"amount": "184.50", "transaction_id": "tx-9"})
    assert paid.status_code == 201, paid.content
    body = paid.json()
    assert body["payment"]["net"] == "150.0000" and body["document"]["status"] == "INVOICED"
    invoice_ref = next(r for r in body["document"]["related"] if r["type"] == "INVOICE")
    today = timezone.localdate()
    assert invoice_ref["number"] == f"FAKTURA/{today:%Y}/{today:%m}/1"
    replay = post(api, f"/invoices/{proforma['id']}/payments", {"amount": "184.50", "transaction_id": "tx-9"})
    assert replay.status_code == 200 and replay.json()["payment"]["id"] == body["payment"]["id"]
    assert replay.json()["payment"]["created"] is False
    assert LedgerEntry.objects.filter(type="PAYMENT").count() == 1
    note = post(api, f"/invoices/{invoice_ref['id']}/credit-notes", {"net_amount": "20.00"})
    assert note.status_code == 201, note.content
    assert (note.json()["net"], note.json()["tax"], note.json()["total"]) == ("-20.0000", "-4.6000", "-24.6000")
    invoice = api.get(f"/invoices/{invoice_ref['id']}").json()
    assert invoice["status"] == "PARTIALLY_REFUNDED"
    assert {r["type"] for r in invoice["related"]} == {"PROFORMA", "CREDIT_NOTE"}
    listed = api.get(f"/clients/{taxed_client.pk}/invoices", type="INVOICE").json()
    assert listed["count"] == 1
    pdf = api.get(f"/invoices/{proforma['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert api.get(f"/clients/{taxed_client.pk}").json()["balance"] == "130.0000"


def test_idempotency_key_issues_one_proforma(api, taxed_client):
    first = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": "10"}, key="af-1")
    again = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": "10"}, key="af-1")
    assert first.json()["id"] == again.json()["id"] and Document.objects.count() == 1


def test_a_retry_serialised_differently_is_the_same_request_and_other_content_is_not(api, taxed_client):
    """Another library's retry writes the same object with its keys in another order and other spacing."""
    proforma = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": "10"}).json()
    path = f"/api/v1/invoices/{proforma['id']}/payments"
    headers = dict(api.headers) | {"Idempotency-Key": "pay-json"}
    first = api.client.post(path, data='{"amount": "12.30", "transaction_id": "tx-json"}',
                            content_type="application/json", headers=headers)
    again = api.client.post(path, data='{ "transaction_id":"tx-json",\n  "amount":"12.30" }',
                            content_type="application/json", headers=headers)
    assert first.status_code == 201 and (again.status_code, again.json()) == (201, first.json())
    other = api.client.post(path, data='{"amount": "12.3", "transaction_id": "tx-json"}',
                            content_type="application/json", headers=headers)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert LedgerEntry.objects.filter(client=taxed_client, type="PAYMENT").count() == 1


def test_a_key_stored_from_the_bodys_bytes_still_answers_its_retry(api, taxed_client):
    """Keys stored before JSON bodies were compared as JSON keep their fingerprint of the bytes."""
    path = f"/api/v1/clients/{taxed_client.pk}/invoices/add-funds"
    body = '{"net_amount": "10"}'
    headers = dict(api.headers) | {"Idempotency-Key": "af-old"}
    first = api.client.post(path, data=body, content_type="application/json", headers=headers)
    record = IdempotencyRecord.objects.get(key="af-old")
    record.fingerprint = hashlib.sha256(b"\n".join([b"POST", path.encode(), body.encode()])).hexdigest()
    record.save(update_fields=["fingerprint"])
    again = api.client.post(path, data=body, content_type="application/json", headers=headers)
    assert (again.status_code, again.json()) == (201, first.json()) and Document.objects.count() == 1


@pytest.mark.parametrize("body, field", [
    ({"net_amount": "1.001"}, "net_amount"), ({"net_amount": "0"}, "net_amount"), ({"net_amount": "x"}, "net_amount"),
    ({"net_amount": "-5"}, "net_amount"), ({"net_amount": "10", "extra": 1}, "extra"),
])
def test_bad_add_funds_writes_nothing(api, taxed_client, body, field):
    response = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", body)
    assert response.status_code == 422 and field in response.json()["error"]["fields"]
    assert not Document.objects.exists()


def test_cancel_then_pay_is_refused_and_overpayment_too(api, taxed_client):
    proforma = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": "10"}).json()
    over = post(api, f"/invoices/{proforma['id']}/payments", {"amount": "12.31"})
    assert over.status_code == 422 and "amount" in over.json()["error"]["fields"]
    cancelled = api.client.post(f"/api/v1/invoices/{proforma['id']}/cancel", headers=api.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    refused = post(api, f"/invoices/{proforma['id']}/payments", {"amount": "12.30"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "document_state"
    assert not LedgerEntry.objects.exists()


def test_credit_note_over_the_invoice_is_refused(api, taxed_client):
    proforma = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": "10"}).json()
    body = post(api, f"/invoices/{proforma['id']}/payments", {"amount": "12.30"}).json()
    invoice_id = next(r["id"] for r in body["document"]["related"] if r["type"] == "INVOICE")
    over = post(api, f"/invoices/{invoice_id}/credit-notes", {"net_amount": "10.01"})
    assert over.status_code == 422 and "net_amount" in over.json()["error"]["fields"]
    assert Document.objects.filter(type="CREDIT_NOTE").count() == 0


@pytest.mark.parametrize("reason", ["r" * 201, "two\nlines"])
def test_a_credit_note_reason_is_one_line_of_at_most_200_characters(api, taxed_client, reason):
    proforma = post(api, f"/clients/{taxed_client.pk}/invoices/add-funds", {"net_amount": "10"}).json()
    body = post(api, f"/invoices/{proforma['id']}/payments", {"amount": "12.30"}).json()
    invoice_id = next(r["id"] for r in body["document"]["related"] if r["type"] == "INVOICE")
    refused = post(api, f"/invoices/{invoice_id}/credit-notes", {"net_amount": "1", "reason": reason})
    assert refused.status_code == 422 and "reason" in refused.json()["error"]["fields"], refused.content
    assert Document.objects.filter(type="CREDIT_NOTE").count() == 0
    note = post(api, f"/invoices/{invoice_id}/credit-notes", {"net_amount": "1", "reason": "r" * 200})
    assert note.status_code == 201 and note.json()["reason"] == "r" * 200


def test_listing_documents_takes_the_same_number_of_queries_for_5_and_100(api, taxed_client):
    """Items, the document each came from and those that came from it are fetched for the whole page
    at once (it took 17 queries for 5 documents and 87 for 40)."""

    def add_documents(count: int) -> None:
        for _ in range(count):
            proforma_add_funds(actor=None, client_id=taxed_client.pk, net_amount="10.00")

    def listed() -> tuple[int, dict]:
        api.get(f"/clients/{taxed_client.pk}/invoices")  # a token's first use in a minute also records it
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"/clients/{taxed_client.pk}/invoices", page_size=100)
        assert response.status_code == 200, response.content
        return len(queries), response.json()

    add_documents(2)
    proforma = Document.objects.filter(type="PROFORMA").first()
    proforma_pay(actor=None, document_id=proforma.pk, amount="12.30")
    invoice = Document.objects.get(type="INVOICE")
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="1.00")
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="2.00")
    few_queries, few = listed()
    assert few["count"] == 5
    shown = next(d for d in few["results"] if d["id"] == str(invoice.pk))
    assert [(r["type"], r["number"] is not None) for r in shown["related"]] == [
        ("PROFORMA", True), ("CREDIT_NOTE", True), ("CREDIT_NOTE", True)]
    assert [n["net"] for n in few["results"] if n["type"] == "CREDIT_NOTE"] == ["-2.0000", "-1.0000"]
    notes = [r["id"] for r in shown["related"][1:]]
    assert [api.get(f"/invoices/{n}").json()["net"] for n in notes] == ["-1.0000", "-2.0000"]  # oldest first
    assert api.get(f"/invoices/{invoice.pk}").json()["related"] == shown["related"]
    assert all(len(d["items"]) == 1 for d in few["results"])

    add_documents(95)
    many_queries, many = listed()
    assert many["count"] == 100 and len(many["results"]) == 100
    assert many_queries == few_queries


def test_a_proforma_with_items_is_issued_at_once_and_its_key_issues_it_once(api, taxed_client):
    body = {"items": [{"description": "Website maintenance, May", "quantity": "2", "unit_price": "45.00"},
                      {"description": "Domain example.pl", "quantity": 1, "unit_price": "12.3456"},
                      {"description": "Add funds", "unit_price": "100.00", "top_up": True}]}
    issued = post(api, f"/clients/{taxed_client.pk}/invoices", body, key="pf-1")
    assert issued.status_code == 201, issued.content
    proforma = issued.json()
    # 90.00 + 12.3456 (rounded per line to 12.35) + 100.00 = 202.35 net; 23 % VAT 46.54.
    assert (proforma["type"], proforma["status"], proforma["net"]) == ("PROFORMA", "UNPAID", "202.3500")
    assert (proforma["tax"], proforma["total"]) == ("46.5400", "248.8900")
    assert [(i["quantity"], i["unit_price"], i["is_topup"]) for i in proforma["items"]] == [
        ("2", "45.0000", False), ("1", "12.3456", False), ("1", "100.0000", True)]
    again = post(api, f"/clients/{taxed_client.pk}/invoices", body, key="pf-1")
    assert again.json()["id"] == proforma["id"] and Document.objects.count() == 1


@pytest.mark.parametrize("body, field", [
    ({"items": []}, "items"),
    ({"items": [{"description": "A", "unit_price": 10.5}]}, "items.0.unit_price"),
    ({"items": [{"description": "A", "quantity": 1.5, "unit_price": "1"}]}, "items.0.quantity"),
    ({"items": [{"description": "A", "quantity": "0", "unit_price": "1"}]}, "items.0.quantity"),
    ({"items": [{"description": "A", "unit_price": "-1"}]}, "items.0.unit_price"),
    ({"items": [{"description": "x" * 501, "unit_price": "1"}]}, "items.0.description"),
    ({"items": [{"description": "A", "unit_price": "1", "colour": "red"}]}, "items.0.colour"),
    ({"items": [{"description": "A", "unit_price": "1"}] * 101}, "items"),
])
def test_bad_items_are_refused_by_field_and_nothing_is_issued(api, taxed_client, body, field):
    response = post(api, f"/clients/{taxed_client.pk}/invoices", body)
    assert response.status_code == 422, response.content
    assert any(key.startswith(field) for key in response.json()["error"]["fields"]), response.json()
    assert not Document.objects.exists()
