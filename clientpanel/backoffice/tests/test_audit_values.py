"""The Activity tab and the activity log show recorded values as people write them, in the
reader's language (ui/audit_values.py): "Yes → No", "none", "2 500,00 zł", "Monthly", a module's
settings as their keys and values — not True, ∅, '2500.0000', MONTHLY or a Python dict."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _changes(page: str) -> dict[str, str]:
    """Each changed field's code → "before → after" as the audit table shows it, the newest event's."""
    rows = re.findall(r'<strong title="([^"]*)">[^<]*</strong>: <span class="text-danger">([^<]*)</span> → '
                      r'<span class="text-success">([^<]*)</span>', page)
    shown: dict[str, str] = {}
    for code, before, after in rows:
        shown.setdefault(code, unescape(f"{before} → {after}"))
    return shown


def _record_a_days_changes(client):
    audit_record(action="client.update", target=client, client_id=client.pk, changes={
        "credit_limit": ["0.0000", "2500.0000"], "status": ["ACTIVE", "CLOSED"], "reminders_enabled": [True, False],
        "tax_id": [None, "PL5260250274"], "vies_checked_at": [None, "2026-03-04T10:15:00+00:00"],
        "language": ["", "pl"], "billing_country": ["PL", "PL"], "region": [None, "PL-14"],
        "phone": [None, "+48221234567"]})
    audit_record(action="price.create", target=client, client_id=client.pk, changes={
        "amount": [None, "1000.5000"], "currency": [None, "PLN"], "period": [None, "MONTHLY"]})
    audit_record(action="product.create", target=client, client_id=client.pk, changes={
        "module_settings": [None, {"fail": "create", "delay": 3, "dry_run": True}], "tax1_rate": [None, "9.975"]})


def test_recorded_values_read_as_people_write_them_in_english(staff_client, make_client):
    client = make_client()
    _record_a_days_changes(client)
    for url in (reverse("backoffice:client-activity", args=[client.pk]), reverse("backoffice:activity-log")):
        page = staff_client.get(url).content.decode()
        shown = _changes(page)
        assert shown["credit_limit"] == "0.00 → 2,500.00"
        assert shown["status"] == "Active → Closed"
        assert shown["reminders_enabled"] == "Yes → No"
        assert shown["tax_id"] == "none → PL5260250274"
        assert shown["vies_checked_at"].startswith("none → 2026-03-04 ")  # in the panel's time zone
        assert shown["language"] == "none → Polish"
        assert shown["region"] == "none → Mazowieckie"
        assert shown["phone"] == "none → +48 22 123 45 67"
        assert shown["amount"] == "none → PLN\xa01,000.50" or shown["amount"] == "none → PLN 1,000.50"
        assert shown["period"] == "none → Monthly"
        assert shown["module_settings"] == "none → fail: create; delay: 3; dry_run: Yes"
        assert shown["tax1_rate"] == "none → 9.975%"
        assert "∅" not in page and "True" not in page and "{'" not in page


def test_polish_staff_read_the_values_in_polish(staff_client, staff, make_client):
    client = make_client()
    _record_a_days_changes(client)
    User.objects.filter(pk=staff.pk).update(language="pl")
    for url in (reverse("backoffice:client-activity", args=[client.pk]), reverse("backoffice:activity-log")):
        shown = _changes(staff_client.get(url).content.decode())
        assert shown["credit_limit"] == "0,00 → 2\xa0500,00"
        assert shown["status"] == "Aktywny → Zamknięty"
        assert shown["reminders_enabled"] == "Tak → Nie"
        assert shown["tax_id"] == "brak → PL5260250274"
        assert shown["amount"] == "brak → 1\xa0000,50\xa0zł"
        assert shown["module_settings"] == "brak → fail: create; delay: 3; dry_run: Tak"
        assert shown["tax1_rate"] == "brak → 9,975%"


def test_ids_of_records_read_as_their_names_looked_up_once_per_page(staff_client, make_client):
    """A price's product, a rule's home company, a client's group showed as a UUID or a number: they
    read as the records' names, one query per kind for the whole page; an id whose record is gone
    stays as it was recorded."""
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clientpanel.catalog.models import Product
    from clientpanel.clients.models import ClientGroup
    from clientpanel.tax.selectors import default_home_company

    client, other = make_client(), make_client()
    product = Product.objects.create(key="vps-s", name="VPS S")
    group = ClientGroup.objects.create(name="Gold partners")
    company = default_home_company()
    gone = str(uuid.uuid4())
    url = reverse("backoffice:activity-log")
    audit_record(action="price.create", target=client, client_id=client.pk,
                 changes={"product": [None, str(product.pk)]})
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for _ in range(3):
        audit_record(action="client.update", target=client, client_id=client.pk, changes={
            "group": [None, group.pk], "home_company": [company.pk, 999999], "client": [None, str(other.pk)]})
        audit_record(action="price.update", target=client, client_id=client.pk,
                     changes={"product": [gone, str(product.pk)]})
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(url).content.decode()
    shown = _changes(page)
    assert shown["product"] == f"{gone} → VPS S"
    assert shown["group"] == "none → Gold partners"
    assert shown["home_company"] == f"{company.name} → 999999"
    assert shown["client"] == f"none → {other.display_name}"
    assert len(many) <= len(few) + 3  # the group, the home company and the client: once each
    shown = _changes(staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode())
    assert shown["product"] == f"{gone} → VPS S" and shown["group"] == "none → Gold partners"


def test_codes_read_as_words_and_rows_that_change_nothing_are_left_out(staff_client, staff, make_client):
    """A service's suspension reason (stored in English), a home company's e-invoice format, muted
    e-mails and assigned clients read as words in Polish; "none → none" and a value kept are no change."""
    client, other = make_client(), make_client()
    audit_record(action="service.suspend", target=client, client_id=client.pk, object_type="service",
                 changes={"reason": [None, "Insufficient funds"], "funds_override": None})
    audit_record(action="home_company.update", target=client, client_id=client.pk, changes={
        "format": [None, "ksef_fa3"], "muted_emails": [[], ["document_issued", "no_such_kind"]],
        "clients": [[], [str(other.pk)]], "time_zone": ["Europe/Warsaw", "Europe/Warsaw"]})
    User.objects.filter(pk=staff.pk).update(language="pl")
    page = staff_client.get(reverse("backoffice:activity-log")).content.decode()
    shown = _changes(page)
    assert shown["reason"] == "brak → Niewystarczające środki"
    assert shown["format"] == "brak → KSeF FA(3) (Polska)"
    assert shown["muted_emails"].startswith("brak → ") and "document_issued" not in shown["muted_emails"]
    assert shown["muted_emails"].endswith(", no_such_kind")
    assert shown["clients"] == f"brak → {other.display_name}"
    assert 'title="funds_override"' not in page and 'title="time_zone"' not in page


def test_an_e_invoice_status_a_module_and_the_exemption_basis_read_as_words(staff_client, staff, make_client):
    client = make_client()
    audit_record(action="einvoice.make", target=client, client_id=client.pk, object_type="document",
                 changes={"status": [None, "MADE"], "module": [None, "sample"], "vat_exemption_basis": [None, "x"]})
    shown = _changes(staff_client.get(reverse("backoffice:activity-log")).content.decode())
    assert shown["status"] != "none → MADE" and shown["status"].startswith("none → ")
    assert shown["module"] != "none → sample"
    page = staff_client.get(reverse("backoffice:activity-log")).content.decode()
    assert ">vat_exemption_basis<" not in page and "Legal basis of VAT exemption" in page


@pytest.mark.parametrize("text", ["2026-02-30", "0000-00-00", "2026-13-01", "2026-02-30T25:61:00"])
def test_text_shaped_like_an_impossible_date_reads_as_it_was_typed(staff_client, make_client, text):
    """A client's "2026-02-30" in an address line broke the Activity tab and the activity log (500)."""
    client = make_client()
    audit_record(action="client.update", target=client, client_id=client.pk, changes={
        "id_number": ["", text], "address2": [text, "Flat 2"]})
    for url in (reverse("backoffice:client-activity", args=[client.pk]), reverse("backoffice:activity-log")):
        page = staff_client.get(url)
        assert page.status_code == 200 and text in page.content.decode(), url
