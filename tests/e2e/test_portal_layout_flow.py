"""The portal's menu on a laptop: at 1280 and 1024 px, in English and in Polish, with a client
switcher and a home company whose name is long, every page is no wider than the screen (the menu,
the switcher, the user's address and Log out wrap under one another instead of running past the
right edge, which once made every page scroll sideways at 1280 px)."""

import pytest
from django.urls import reverse

from clientpanel.clients import permissions as keys
from clientpanel.clients.services import client_user_link
from clientpanel.tax.models import HomeCompany

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "portal-owner-passphrase"
PAGES = ("dashboard", "services", "order", "invoices", "add-funds", "transactions", "files", "profile", "users",
         "account")


@pytest.mark.parametrize("language", ["en", "pl"])
def test_every_portal_page_fits_a_laptop_screen(browser, live_server, make_client, portal_log_in, language):
    HomeCompany.objects.update(name="Clientpanel Demo Hosting sp. z o.o.")
    owned = make_client(company_name="Kowalski i Wspólnicy sp. z o.o.", email="anna.kowalska-nowak@example.com",
                        password=PASSWORD, language=language)
    other = make_client(company_name="Second Client GmbH")
    client_user_link(actor=None, client_id=other.pk, data={"email": owned.owner.email,
                                                           "permissions": [keys.MANAGE_INVOICES]})
    for width in (1280, 1024):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        portal_log_in(page, owned.owner.email, PASSWORD)
        assert page.locator("#client-switcher").count() == 1
        for name in PAGES:
            page.goto(f"{live_server.url}{reverse(f'portal:{name}')}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} at {width} px in {language} is {wide} px wide"
        context.close()
