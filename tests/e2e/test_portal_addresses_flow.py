"""The portal's address book on a phone: a client adds a shipping address as the default, adds a
second one and makes it the default instead (the first loses the flag), deletes the first through
its confirmation, and finds its billing address offered for editing but not for deletion."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clientpanel.clients.models import Address, AddressType

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "portal-owner-passphrase"
WIDTH = 390


def _add(page, live_server, name: str, *, default: bool) -> None:
    page.goto(f"{live_server.url}{reverse('portal:address-new')}")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Address 1").fill("ul. Piotrkowska 8")
    page.get_by_label("City").fill("Łódź")
    page.get_by_label("Postcode").fill("90-001")
    page.get_by_label("Country").select_option("PL")
    # The country's regions are suggested in the State/Region input (fetched as the country is chosen).
    expect(page.locator("#id_region-options option[value='Łódzkie']")).to_have_count(1)
    page.get_by_label("State/Region").fill("Łódzkie")
    if default:
        page.get_by_label("Default shipping address").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{reverse('portal:addresses')}")


def test_a_client_keeps_its_address_book_on_a_phone(browser, live_server, make_client, portal_log_in):
    owned = make_client(company_name="Kowalski i Wspólnicy sp. z o.o.", email="anna@example.com", password=PASSWORD,
                        currency="PLN")
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    portal_log_in(page, owned.owner.email, PASSWORD)

    _add(page, live_server, "Warehouse", default=True)
    _add(page, live_server, "Office", default=False)
    warehouse = Address.objects.get(client=owned, name="Warehouse")
    office = Address.objects.get(client=owned, name="Office")
    assert (warehouse.type, warehouse.is_default, office.is_default) == (AddressType.SHIPPING, True, False)
    expect(page.locator(f"#address-{warehouse.pk}")).to_contain_text("Default shipping address")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH

    page.locator(f"#address-{office.pk}").get_by_role("button", name="Make default for shipping").click()
    expect(page.locator(f"#address-{office.pk}")).to_contain_text("Default shipping address")
    warehouse.refresh_from_db()
    assert not warehouse.is_default

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#address-{warehouse.pk}").get_by_role("button", name="Delete").click()
    expect(page.locator(f"#address-{warehouse.pk}")).to_have_count(0)
    assert not Address.objects.filter(pk=warehouse.pk).exists()

    billing = Address.objects.get(client=owned, type=AddressType.BILLING)
    card = page.locator(f"#address-{billing.pk}")
    expect(card).to_contain_text("Billing address")
    expect(card.get_by_role("button", name="Delete")).to_have_count(0)
    card.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Type")).to_have_count(0)
    context.close()
