"""The portal's lists on a phone (390 px, in Polish): each row's main action — a document's number,
a user's name — lies on the screen without scrolling the table sideways (the users list's Edit and
Remove, the invoices list's amount and status, the transactions' amounts once sat past the table's
right edge), a user reached by its name can be removed from its own page, and a refused invitation
shows on the first screen."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clientpanel.clients import permissions as keys
from clientpanel.clients.models import ClientUser
from clientpanel.clients.services import client_user_link
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "portal-owner-passphrase"
WIDTH = 390


def _within_screen(page, selector: str) -> None:
    for box in (element.bounding_box() for element in page.locator(selector).all()):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (selector, box)


def test_a_phone_reaches_each_rows_main_action_without_scrolling_sideways(browser, live_server, make_client,
                                                                           portal_log_in):
    owned = make_client(company_name="Kowalski i Wspólnicy sp. z o.o.", email="anna.kowalska-nowak@example.com",
                        password=PASSWORD, language="pl", currency="PLN")
    paid = proforma_add_funds(actor=None, client_id=owned.pk, net_amount="1234.56")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total), transaction_id="phone-1")
    proforma_add_funds(actor=None, client_id=owned.pk, net_amount=Decimal("99.99"))
    client_user_link(actor=None, client_id=owned.pk, data={
        "email": "bartlomiej.przybylski-wisniewski@example.com", "firstname": "Bartłomiej",
        "lastname": "Przybylski-Wiśniewski", "permissions": [keys.MANAGE_SERVICES, keys.MANAGE_INVOICES,
                                                             keys.VIEW_DOCUMENTS]})
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    portal_log_in(page, owned.owner.email, PASSWORD)

    page.goto(f"{live_server.url}{reverse('portal:invoices')}")
    assert page.locator("a.document-number").count() == 3  # the proformas and the invoice
    _within_screen(page, "a.document-number")
    _within_screen(page, "#portal-documents tbody .badge:visible")
    assert page.evaluate("document.querySelector('#portal-documents').closest('.table-responsive').scrollWidth") \
        <= page.evaluate("document.querySelector('#portal-documents').closest('.table-responsive').clientWidth")

    page.goto(f"{live_server.url}{reverse('portal:transactions')}")  # the amounts, not only the dates
    _within_screen(page, "#portal-transactions tbody td:visible")
    page.goto(f"{live_server.url}{reverse('portal:users')}")
    _within_screen(page, "a.user-name")
    assert page.evaluate("document.querySelector('#portal-users').closest('.table-responsive').scrollWidth") \
        <= page.evaluate("document.querySelector('#portal-users').closest('.table-responsive').clientWidth")
    page.click("a.user-name")
    page.once("dialog", lambda dialog: dialog.accept())
    _within_screen(page, "#user-remove button")
    page.click("#user-remove button")
    page.wait_for_url(f"**{reverse('portal:users')}")
    assert not ClientUser.objects.filter(client=owned, user__email__startswith="bartlomiej").exists()
    context.close()


def test_a_refused_invitation_is_on_a_phones_first_screen(browser, live_server, make_client, portal_log_in):
    # The invite form sat below the whole list: a refusal shown in it (here the users' bound) was
    # a hundred rows down, and the phone seemed to do nothing.
    from clientpanel.accounts.models import User
    from clientpanel.clients.services.users import MAX_CLIENT_USERS

    owned = make_client(password=PASSWORD, language="pl")
    users = User.objects.bulk_create(User(email=f"team{n}@example.com", firstname="Team", lastname=str(n))
                                     for n in range(MAX_CLIENT_USERS - 1))
    ClientUser.objects.bulk_create(ClientUser(client=owned, user=user, permissions=[]) for user in users)
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    portal_log_in(page, owned.owner.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('portal:users')}")
    page.fill("#invite-form input[name=email]", "one.too.many@example.com")
    page.fill("#invite-form input[name=firstname]", "Jan")
    page.fill("#invite-form input[name=lastname]", "Nowak")
    page.click("#invite-form button[type=submit]")
    refusal = page.locator("#invite-form .alert-danger")
    assert "100" in refusal.inner_text()
    box = refusal.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800, box
    context.close()
