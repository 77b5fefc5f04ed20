"""The reports' known data set, shared by the reports' and the rollups' tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_issue, proforma_pay
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.reports.reports import Range
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

D = Decimal


@pytest.fixture
def book(db):
    """Written now (issued documents never change, payments are never before their proforma), read
    with ranges around today. Home company PUQ (PL), VAT 23% for PL.
    USD — Ada (PL, group VIP, credit limit 100): paid 123.00, 184.50 and 36.90 (items: a VPS
    service's 10.00 and 20.00 of setup work, both charged), 20.00 on a proforma of 61.50 she still
    owes 41.50 on; refunded 61.50 (net 50, VAT 11.50); her VPS was also charged 5.00 by billing.
    EUR — Bea (PL, no group, credit limit 50): paid 123.00, owes 123.00, corrected by −130.00.
    EUR — Kraft GmbH (DE, VIES-valid VAT id, group VIP): reverse charge, paid 200.00, refunded 50.00."""
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "PUQ", "country": "PL",
                                                               "eu_vat_id": "PL5260250995"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    vip = ClientGroup.objects.create(name="VIP")
    now = timezone.now()
    ada = client_create(actor=None, data=client_data(currency="USD", firstname="Ada"))
    bea = client_create(actor=None, data=client_data(currency="EUR", firstname="Bea"))
    kraft = client_create(actor=None, data=client_data(currency="EUR", company_name="Kraft GmbH",
                                                       tax_id="DE136695976",
                                                       billing_address={"country": "DE", "region": ""}))
    Client.objects.filter(pk=kraft.pk).update(vies_status="VALID")
    Client.objects.filter(pk=ada.pk).update(credit_limit=D("100"), group=vip)
    Client.objects.filter(pk=kraft.pk).update(group=vip)
    Client.objects.filter(pk=bea.pk).update(credit_limit=D("50"))

    for net, gross in (("100.00", "123.00"), ("150.00", "184.50")):
        paid = proforma_add_funds(actor=None, client_id=ada.pk, net_amount=net)
        proforma_pay(actor=None, document_id=paid.pk, amount=gross)
    credit_note_issue(actor=None, invoice_id=Document.objects.get(pk=paid.pk).related_id, net_amount="50.00")
    owed = proforma_add_funds(actor=None, client_id=ada.pk, net_amount="50.00")  # 61.50
    proforma_pay(actor=None, document_id=owed.pk, amount="20.00")
    vps = Product.objects.create(key="vps", name="VPS", module="manual")
    service = Service.objects.create(client=ada, product=vps, label="AAAAA1", currency="USD", period="MONTHLY",
                                     amount=D("10.00"), order_date=now, activation_date=now, setup_fee=D(0),
                                     status=ServiceStatus.ACTIVE, provision_status=ProvisionStatus.COMPLETED)
    items = proforma_issue(actor=None, client_id=ada.pk, items=[
        {"description": "VPS, one month", "quantity": "1", "unit_price": "10.00", "service_id": service.pk},
        {"description": "Setup work", "quantity": "1", "unit_price": "20.00"}])
    proforma_pay(actor=None, document_id=items.pk, amount="36.90")
    entry_post(client_id=ada.pk, type=EntryType.CHARGE, net=D("-5.00"), service_id=service.pk,
               description="VPS, part of a month")

    bea_paid = proforma_add_funds(actor=None, client_id=bea.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=bea_paid.pk, amount="123.00")
    proforma_add_funds(actor=None, client_id=bea.pk, net_amount="100.00")  # owes 123.00
    entry_post(client_id=bea.pk, type=EntryType.ADJUSTMENT, net=D("-130.00"), description="Correction")

    kraft_paid = proforma_add_funds(actor=None, client_id=kraft.pk, net_amount="200.00")
    assert kraft_paid.reverse_charge and kraft_paid.total == D("200.00")
    proforma_pay(actor=None, document_id=kraft_paid.pk, amount="200.00")
    credit_note_issue(actor=None, invoice_id=Document.objects.get(pk=kraft_paid.pk).related_id, net_amount="50.00")
    today = timezone.localdate(now)
    return {"now": now, "today": today, "company": company, "vip": vip, "ada": ada, "bea": bea, "kraft": kraft,
            "owed": owed, "range": Range(today - dt.timedelta(days=400), today)}
