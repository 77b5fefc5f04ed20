"""What the portal's tests share: two clients with a document and a service each."""

from decimal import Decimal
from hashlib import sha256

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from clientpanel.accounts.services import staff_create
from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order
from clientpanel.clients.services import client_user_link
from clientpanel.einvoices.models import EInvoice
from clientpanel.files.logos import home_company_logo_set
from clientpanel.files.services import client_file_upload
from clientpanel.files.tests.helpers import use_media_root
from clientpanel.files.tests.samples import PDF, png
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.payments.models import GatewayAccount
from clientpanel.payments.services import payment_start
from clientpanel.tax.selectors import default_home_company

PASSWORD = "portal-user-passphrase"


def _file(client, name: str, visible: bool):
    return client_file_upload(actor=None, client_id=client.pk, file=ContentFile(PDF, name=f"{name}.pdf"),
                              name=name, visible_in_portal=visible)


@pytest.fixture
def world(make_client, settings, tmp_path):
    use_media_root(settings, tmp_path / "media")
    home_company_logo_set(actor=None, company_id=default_home_company().pk, file=ContentFile(png()))
    mine = make_client(currency="USD", company_name="Mine Ltd", password=PASSWORD)
    theirs = make_client(currency="USD", company_name="Theirs Ltd")
    for client in (mine, theirs):
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("25"), description="Opening")
    GatewayAccount.objects.create(home_company=default_home_company(), gateway="test")
    product = Product.objects.create(key="vps-small", name="VPS Small", module="manual")
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("5"))
    mine_doc = proforma_add_funds(actor=None, client_id=mine.pk, net_amount="20")
    # Who may fetch a document's e-invoice is what the page tests check, not what it holds (the
    # einvoices tests make real ones): a stored file stands for the one an invoice would get.
    content = b"<?xml version='1.0'?><Faktura/>"
    EInvoice.objects.create(document=mine_doc, format="ksef_fa3", status="MADE", sha256=sha256(content).hexdigest(),
                            file_name=storages["documents"].save(f"{mine_doc.pk}.xml", ContentFile(content)))
    attempt, _checkout = payment_start(actor=None, document_ids=[mine_doc.pk], account_id=None,
                                       return_url=lambda attempt: "/portal/")
    return {"mine": mine, "theirs": theirs, "mine_doc": mine_doc, "mine_attempt": attempt,
            "their_doc": proforma_add_funds(actor=None, client_id=theirs.pk, net_amount="30"),
            "product": product, "price": price,
            "mine_user": client_user_link(actor=None, client_id=mine.pk, data={
                "email": "colleague@example.com", "firstname": "Col", "lastname": "League", "permissions": []}),
            "mine_service": service_order(actor=None, client_id=mine.pk, product_id=product.pk, price_id=price.pk),
            "mine_file": _file(mine, "Contract", True), "mine_hidden_file": _file(mine, "Internal", False),
            "their_file": _file(theirs, "Their contract", True),
            "their_service": service_order(actor=None, client_id=theirs.pk, product_id=product.pk,
                                           price_id=price.pk)}


@pytest.fixture
def support(db):
    """A Support staff member, who may act for clients (Login as Owner)."""
    return staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
