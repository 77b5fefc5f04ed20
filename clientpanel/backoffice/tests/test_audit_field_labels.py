"""The Activity tab names changed fields in words (issue 14, item 9; ui/audit_fields.py): "Credit
Limit", "Billing address · City", in the reader's language; an unknown key as it is."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from clientpanel.accounts.models import User
from clientpanel.audit.services import audit_record
from clientpanel.clients.selectors import billing_address_of
from clientpanel.clients.services import address_update, client_update
from clientpanel.ui.audit_fields import audit_field_label

pytestmark = pytest.mark.django_db


def _shown_fields(page: str) -> list[str]:
    """The changed fields' words in the audit table, each with its code as the tooltip."""
    return re.findall(r'<strong title="([^"]*)">([^<]*)</strong>', page)


def test_the_activity_tab_names_changed_fields_in_words_with_the_code_as_tooltip(staff_client, make_client):
    client = make_client()
    client_update(actor=None, client_id=client.pk, data={"credit_limit": "250", "phone": "+48 22 123 45 67",
                                                          "payment_terms_days": 14})
    address_update(actor=None, client_id=client.pk, address_id=billing_address_of(client).pk,
                   data={"city": "Kraków"})
    page = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    shown = dict(_shown_fields(page))
    assert shown["credit_limit"] == "Credit Limit" and shown["phone"] == "Phone"
    assert shown["payment_terms_days"] == "Payment terms (days)"  # settings keep their names
    assert shown["city"] == "City" and shown["billing_country"] == "Billing country"
    assert not any(code == words for code, words in _shown_fields(page) if code != "id")


def test_polish_staff_read_the_fields_in_polish(staff_client, staff, make_client):
    client = make_client()
    client_update(actor=None, client_id=client.pk, data={"credit_limit": "250"})
    User.objects.filter(pk=staff.pk).update(language="pl")
    page = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    assert dict(_shown_fields(page))["credit_limit"] == "Limit kredytowy"


def test_a_field_of_the_billing_address_recorded_with_the_client_is_named_by_both(staff_client, make_client):
    client = make_client()
    audit_record(action="client.create", target=client, client_id=client.pk,
                 changes={"billing_address.city": [None, "Warszawa"], "billing_address.postcode": [None, "02-454"]})
    page = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    shown = dict(_shown_fields(page))
    assert shown["billing_address.city"] == "Billing address · City"
    assert shown["billing_address.postcode"] == "Billing address · Postcode"


def test_an_unknown_key_is_shown_as_it_is():
    assert audit_field_label("frobnication_level") == "frobnication_level"
    assert audit_field_label("somewhere.city") == "somewhere.city"
    assert audit_field_label("billing_address.frob") == "Billing address · frob"
    assert audit_field_label("") == ""
    with translation.override("pl"):
        assert audit_field_label("billing_address.city") == "Adres rozliczeniowy · Miejscowość"


def test_every_field_the_money_services_and_settings_record_is_named_in_words(staff, make_client):
    """The Activity tab and the activity log showed transaction_id, funds_override, setup_fee,
    applies_private… as codes (in Polish too): every key a day's work records has its words."""
    from clientpanel.accounts.services import staff_create
    from clientpanel.audit.models import AuditEvent
    from clientpanel.catalog.services import price_save, product_save
    from clientpanel.client_services.services import service_order
    from clientpanel.clients.services import group_save
    from clientpanel.invoicing.models import Document, DocumentType
    from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
    from clientpanel.ledger.services import manual_transaction_create
    from clientpanel.tax.selectors import default_home_company
    from clientpanel.tax.services import home_company_save, tax_rule_save

    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"country": "PL", "bank_details": "PL61 1090 1014"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    group_save(actor=None, data={"name": "Resellers", "colour": "#0d6efd"})
    staff_create(email="agent@example.com", password="first-day-at-work-42", roles=["Support"],
                 limited_to_assigned_clients=True)
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(Document.objects.get(pk=proforma.pk).total),
                 method="bank transfer", transaction_id="BANK-1")
    invoice = Document.objects.get(client=client, type=DocumentType.INVOICE)
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="5")
    manual_transaction_create(actor=None, client_id=client.pk, amount="-500", description="Correction",
                              transaction_id="FIX-1", allow_over_limit=True)
    product = product_save(actor=None, data={"key": "vps-small", "name": "VPS Small", "module": "sample"})
    price = price_save(actor=None, product_id=product.pk, data={"currency": "USD", "period": "MONTHLY",
                                                                "amount": "20.00", "setup_fee": "5.00"})
    service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk, allow_over_limit=True)
    recorded = {key for changes in AuditEvent.objects.values_list("changes", flat=True) for key in changes or {}}
    assert {"transaction_id", "funds_override", "setup_fee", "applies_private", "paid"} <= recorded
    assert sorted(key for key in recorded if audit_field_label(key) == key) == []
    with translation.override("pl"):
        assert audit_field_label("transaction_id") == "Identyfikator transakcji"
        assert audit_field_label("funds_override") == "Zamówiono ponad środki + limit kredytowy"
