"""Privacy (issue 14): a client's data exported whole, and its personal data erased on request —
keeping what tax law requires, refused while money is owed either way or a service runs."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.test import Client as HttpClient

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import Address, Client, StaffAssignment
from clientpanel.clients.selectors import client_directory
from clientpanel.clients.services import client_create, client_user_link
from clientpanel.core.errors import Conflict, PermissionDenied, ValidationFailed
from clientpanel.files.services import client_file_upload
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.ledger.services import manual_transaction_create
from clientpanel.notifications.services import password_reset_request
from clientpanel.privacy.selectors import client_data_export
from clientpanel.privacy.services import client_erase
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def settled(db):
    """Maria Kowalska of Kowalska Hosting: paid a proforma (an invoice with her name on it), then the
    balance was paid back out by a manual transaction, so nothing is owed either way."""
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "PUQ", "country": "PL",
                                                               "eu_vat_id": "PL5260250995"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    client = client_create(actor=None, data=client_data(firstname="Maria", lastname="Kowalska", currency="PLN",
                                                        company_name="Kowalska Hosting", phone="+48 22 123 45 67"))
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount="123.00")
    manual_transaction_create(actor=None, client_id=client.pk, amount="-100.00", description="Refund by transfer")
    client_file_upload(actor=None, client_id=client.pk, file=io.BytesIO(PNG), name="id-card.png")
    client.refresh_from_db()
    return client


def test_the_export_holds_the_profile_ledger_documents_with_pdfs_activity_and_files(settled):
    _client, content = client_data_export(actor=None, client_id=settled.pk)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    assert {"client.json", "services.csv", "ledger.csv", "documents.csv", "payments.csv", "emails.csv",
            "activity.csv"} <= names
    profile = json.loads(archive.read("client.json"))
    assert profile["client"]["company_name"] == "Kowalska Hosting"
    assert [u["email"] for u in profile["users"]] == [settled.owner.email] and profile["users"][0]["owner"]
    ledger = list(csv.reader(io.StringIO(archive.read("ledger.csv").decode("utf-8-sig"))))
    assert len(ledger) == 1 + 2  # the header, the payment and the manual transaction
    pdfs = [n for n in names if n.startswith("documents/") and n.endswith(".pdf")]
    assert len(pdfs) == Document.objects.filter(client=settled).exclude(number=None).count() == 2
    assert archive.read(next(n for n in names if n.startswith("files/"))) == PNG
    assert "client.create" in archive.read("activity.csv").decode("utf-8-sig")


def test_export_and_erase_need_the_edit_clients_area_and_the_client_in_scope(settled, client):
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", firstname="R",
                          lastname="R", roles=["Read-only"])
    with pytest.raises(PermissionDenied):
        client_data_export(actor=reader, client_id=settled.pk)
    with pytest.raises(PermissionDenied):
        client_erase(actor=reader, client_id=settled.pk, confirm=settled.number)
    client.force_login(reader)
    assert client.get(f"/staff/clients/{settled.pk}/export/").status_code == 403
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", firstname="L",
                           lastname="L", roles=["Support"], limited_to_assigned_clients=True)
    client.force_login(limited)
    assert client.get(f"/staff/clients/{settled.pk}/export/").status_code == 404
    assert client.post(f"/staff/clients/{settled.pk}/erase/", {"confirm": settled.number}).status_code == 404
    StaffAssignment.objects.create(staff=limited, client=settled)
    response = client.get(f"/staff/clients/{settled.pk}/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert AuditEvent.objects.filter(action="client.export_data", client_id=settled.pk).count() == 1
    Client.objects.get(pk=settled.pk)  # nothing changed


def test_erase_is_refused_while_money_is_owed_either_way_or_a_document_is_unpaid(settled):
    manual_transaction_create(actor=None, client_id=settled.pk, amount="5.00", description="Goodwill")
    with pytest.raises(Conflict) as refused:
        client_erase(actor=None, client_id=settled.pk, confirm=settled.number)
    assert refused.value.code == "balance_not_zero"
    manual_transaction_create(actor=None, client_id=settled.pk, amount="-5.00", description="Back")
    proforma_add_funds(actor=None, client_id=settled.pk, net_amount="10.00")
    with pytest.raises(Conflict) as refused:
        client_erase(actor=None, client_id=settled.pk, confirm=settled.number)
    assert refused.value.code == "unpaid_documents"
    settled.refresh_from_db()
    assert settled.company_name == "Kowalska Hosting"  # nothing written


def test_erase_pseudonymises_the_client_its_users_and_addresses_and_keeps_the_invoices(settled, make_client):
    other = make_client()
    shared = client_user_link(actor=None, client_id=settled.pk, data={
        "email": "shared@example.com", "firstname": "Sam", "lastname": "Shared", "permissions": []}).user
    client_user_link(actor=None, client_id=other.pk, data={"email": "shared@example.com", "permissions": []})
    invoice_snapshots = {d.pk: d.client_snapshot for d in Document.objects.filter(client=settled)}
    owner_email = settled.owner.email
    with pytest.raises(ValidationFailed):
        client_erase(actor=None, client_id=settled.pk, confirm="wrong")
    client_erase(actor=None, client_id=settled.pk, confirm=settled.number)
    erased = Client.objects.get(pk=settled.pk)
    assert (erased.firstname, erased.lastname) == ("Erased", erased.number)
    assert (erased.company_name, erased.phone, erased.tax_id, erased.admin_notes) == ("",) * 4
    assert erased.display_name == f"Erased client {erased.number}" and erased.status == "CLOSED"
    owner = User.objects.get(pk=settled.owner_id)
    assert owner.email.endswith("@erased.invalid") and not owner.is_active and not owner.has_usable_password()
    assert not User.objects.filter(email=owner_email).exists()
    assert User.objects.get(pk=shared.pk).email == "shared@example.com"  # another client's user stays
    address = Address.objects.get(client=settled)
    assert (address.address1, address.city, address.contact_name, address.country) == ("", "", "", "PL")
    assert {d.pk: d.client_snapshot for d in Document.objects.filter(client=settled)} == invoice_snapshots
    assert not erased.files.exists()
    events = AuditEvent.objects.filter(client_id=settled.pk)
    assert all(e.changes == {} for e in events.exclude(action="client.erase"))
    assert "Kowalska" not in json.dumps([e.object_label for e in events])
    assert events.filter(action="client.erase").count() == 1
    assert client_directory(actor=None, search="kowalska").results == []
    with pytest.raises(Conflict) as again:
        client_erase(actor=None, client_id=settled.pk, confirm=settled.number)
    assert again.value.code == "already_erased"
    assert Decimal(erased.balance) == 0


def test_the_erase_page_asks_for_the_number_and_refuses_a_post_without_csrf(settled, staff):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert browser.post(f"/staff/clients/{settled.pk}/erase/", {"confirm": settled.number}).status_code == 403
    page = HttpClient()
    page.force_login(staff)
    assert "Type the client number" in page.get(f"/staff/clients/{settled.pk}/erase/").content.decode()
    wrong = page.post(f"/staff/clients/{settled.pk}/erase/", {"confirm": "nope"})
    assert wrong.status_code == 400 and Client.objects.get(pk=settled.pk).company_name == "Kowalska Hosting"
    done = page.post(f"/staff/clients/{settled.pk}/erase/", {"confirm": settled.number})
    assert done.status_code == 302 and Client.objects.get(pk=settled.pk).company_name == ""


def test_erase_is_refused_while_a_service_runs(settled):
    from django.utils import timezone

    from clientpanel.catalog.models import Product
    from clientpanel.client_services.models import Service

    product = Product.objects.create(key="mail", name="Mail", module="manual")
    service = Service.objects.create(client=settled, product=product, label="PRIV01", currency="PLN",
                                     period="MONTHLY", amount=Decimal("10"), setup_fee=Decimal(0), status="SUSPENDED",
                                     order_date=timezone.now())
    with pytest.raises(Conflict) as refused:
        client_erase(actor=None, client_id=settled.pk, confirm=settled.number)
    assert refused.value.code == "services_running"
    Service.objects.filter(pk=service.pk).update(status="TERMINATED")
    client_erase(actor=None, client_id=settled.pk, confirm=settled.number)


def test_the_export_names_an_e_mails_one_time_link_without_giving_it(settled):
    password_reset_request(email=settled.owner.email)
    _client, content = client_data_export(actor=None, client_id=settled.pk)
    emails = zipfile.ZipFile(io.BytesIO(content)).read("emails.csv").decode("utf-8-sig")
    assert "one-time link, sent only to the recipient" in emails and "/portal/password/reset/" not in emails
