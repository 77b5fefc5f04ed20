"""Order pressed twice while the first is on its way (the order takes 600 ms, the second press
comes 300 ms after the first): the page's script holds the button once the form is sent, so the
second press sends nothing — one service, one charge, and the page the first answered (not the
server's "sent already", which a second send would have shown instead)."""

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services import services as service_services
from clientpanel.client_services.models import Service
from clientpanel.ledger.models import EntryType, LedgerEntry
from clientpanel.ledger.services import entry_post
from clientpanel.tax.selectors import default_home_company

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "portal-owner-passphrase"


def test_order_pressed_twice_orders_once(page, live_server, make_client, portal_log_in, monkeypatch):
    default_home_company()  # an earlier browser test's flush may have taken the migrations' one away
    client = make_client(currency="PLN", email="owner@example.com", password=PASSWORD)
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Opening")
    product = Product.objects.create(key="mini", name="MINI", module="manual")
    price = Price.objects.create(product=product, currency="PLN", period="MONTHLY", amount=Decimal("35.00"))

    portal_log_in(page, "owner@example.com", PASSWORD)
    page.goto(f"{live_server.url}/portal/services/order/")
    page.wait_for_load_state("load")  # panel.js is listening
    page.locator("#id_price").select_option(str(price.pk))
    ordered = []

    def slow_order(**kwargs):
        ordered.append(kwargs)
        time.sleep(0.6)  # a slow connection's answer, on the server (the live server's thread)
        return service_services.service_order(**kwargs)

    monkeypatch.setattr("clientpanel.portal.views.services.service_order", slow_order)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    order = page.get_by_role("button", name="Order")
    box = order.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(300)  # the first is on its way: its button is held
    page.mouse.click(x, y)

    expect(page.locator(".alert-success")).to_contain_text(re.compile("is ordered"), timeout=15_000)
    expect(page.get_by_text("This form was sent already")).to_have_count(0)
    assert len(sent) == 1 and len(ordered) == 1  # the second press sent nothing
    assert Service.objects.filter(client=client).count() == 1
    assert LedgerEntry.objects.filter(client=client, type=EntryType.CHARGE).count() == 1
