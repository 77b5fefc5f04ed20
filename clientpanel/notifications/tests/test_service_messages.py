"""A service's client hears when it becomes active, is suspended (and why) or terminated, in its
language; the users who handle services get it, the others do not."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order, service_suspend, service_terminate
from clientpanel.clients.services import client_create, client_user_link
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.notifications.models import EmailMessage
from conftest import client_data

pytestmark = pytest.mark.django_db
T = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)


def _ordered_service(language="en", funds="100"):
    client = client_create(actor=None, data=client_data(currency="USD", language=language))
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal(funds), description="Top-up")
    product = Product.objects.create(key="vps", name="VPS Small", module="sample", hourly_billing=False)
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("20"))
    service = service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    call_command("run_automation", "--at", T.isoformat())  # provisions it
    return client, service


def _subjects(client):
    return list(EmailMessage.objects.filter(client_id=client.pk, template="service_status")
                .order_by("id").values_list("subject", flat=True))


def test_activation_staff_suspension_and_termination_are_told_in_the_clients_language(staff):
    client, service = _ordered_service(language="pl")
    service_suspend(actor=staff, service_id=service.pk)
    service_terminate(actor=staff, service_id=service.pk)
    assert _subjects(client) == ["VPS Small: Aktywna", "VPS Small: Zawieszona", "VPS Small: Zakończona"]
    suspended = EmailMessage.objects.filter(client_id=client.pk, template="service_status").order_by("id")[1]
    assert "Powód: Zawieszona przez personel" in suspended.body_text


def test_a_suspension_for_lack_of_funds_says_so_and_only_service_handlers_hear(staff):
    client, _service = _ordered_service(funds="20")  # the first month only
    client_user_link(actor=None, client_id=client.pk, data={
        "email": "ops@example.com", "firstname": "O", "lastname": "Ps", "permissions": ["manage-services"]})
    client_user_link(actor=None, client_id=client.pk, data={
        "email": "books@example.com", "firstname": "B", "lastname": "Ooks", "permissions": ["manage-invoices"]})
    call_command("run_automation", "--at", (T + dt.timedelta(days=32)).isoformat())
    notices = EmailMessage.objects.filter(client_id=client.pk, template="service_status", body_text__contains="Reason")
    assert sorted(m.recipient for m in notices) == sorted([client.owner.email, "ops@example.com"])
    assert all("Reason: Insufficient funds" in m.body_text for m in notices)
