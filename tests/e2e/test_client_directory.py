"""A new staff member follows the seed guide: create a client, find it, add a shipping address."""

import re

import pytest
from playwright.sync_api import expect

from clientpanel.accounts.services import staff_create
from clientpanel.clients.models import Client

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_creates_finds_and_edits_a_client(live_server, page):
    staff_create(email="newstaff@example.com", password="first-day-at-work-42", roles=["Administrator"])

    page.goto(f"{live_server.url}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login/"))
    page.get_by_label("Email").fill("NewStaff@example.com")
    page.get_by_label("Password").fill("first-day-at-work-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Manage Clients").click()
    page.get_by_role("link", name="+ Create").click()

    # A first attempt with a wrong check digit keeps everything typed and says what is wrong.
    form = page.locator("#client-create-form")
    form.get_by_label("Email").fill("puqcloud@example.com")
    form.get_by_label("Firstname").fill("Ruslan")
    form.get_by_label("Lastname").fill("Polovyi")
    form.get_by_label("Company Name").fill("My company name")
    form.get_by_label("Tax ID").fill("PL5260250996")
    form.get_by_label("Phone Number").fill("+48 22 123 45 67")
    form.get_by_label("Status").select_option("ACTIVE")
    form.get_by_label("Currency").select_option("PLN")
    form.get_by_label("Address 1").fill("My home 1")
    form.get_by_label("Address 2").fill("loc 2")
    form.get_by_label("City").fill("Warszawa")
    form.get_by_label("Postcode").fill("02-454")
    form.get_by_label("Country").select_option("PL")
    form.get_by_label("State/Region").fill("Mazowieckie")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_text("check digit is wrong")).to_be_visible()
    expect(form.get_by_label("Company Name")).to_have_value("My company name")
    assert Client.objects.count() == 0

    form.get_by_label("Tax ID").fill("PL5260250995")
    form.get_by_role("button", name="Save").click()

    expect(page.locator("#client-title")).to_have_text("My company name")
    expect(page.get_by_role("link", name="Summary")).to_have_class(re.compile("active"))
    expect(page.get_by_text("PL5260250995")).to_be_visible()
    expect(page.get_by_text("My home 1, loc 2, 02-454 Warszawa, Mazowieckie, Poland")).to_be_visible()
    client = Client.objects.get()
    expect(page.locator(".breadcrumb")).to_contain_text(f"{client.number} · My company name")
    expect(page.locator(".breadcrumb")).not_to_contain_text(str(client.id))

    page.get_by_role("link", name="Manage Clients").click()
    page.get_by_role("searchbox", name="Search").fill("company name")
    expect(page.locator("#client-table tbody tr")).to_have_count(1)
    expect(page.locator("#client-table")).to_contain_text("puqcloud@example.com")
    page.get_by_role("link", name="My company name").click()

    page.get_by_role("link", name="Profile").click()
    page.get_by_role("button", name="+ Create Address").click()
    modal = page.locator("#modal")
    expect(modal.get_by_label("Type")).to_be_visible()
    modal.get_by_label("Type").select_option("SHIPPING")
    modal.get_by_label("Name").fill("Test1")
    modal.get_by_label("Contact").fill("Test")
    modal.get_by_label("Email").fill("test@example.com")
    modal.get_by_label("Address 1").fill("Test Add")
    modal.get_by_label("City").fill("WAW")
    modal.get_by_label("Postcode").fill("123456")
    modal.get_by_label("Country").select_option("PL")
    modal.get_by_label("State/Region").fill("Texas")
    modal.get_by_role("button", name="Save").click()
    expect(modal.get_by_text("not a state or region of Poland")).to_be_visible()
    modal.get_by_label("State/Region").fill("Warmińsko-Mazurskie")
    modal.get_by_role("button", name="Save").click()

    table = page.locator("#address-table")
    expect(table).to_contain_text("Test1")
    expect(table).to_contain_text("Test Add, 123456 WAW, Warmińsko-Mazurskie, Poland")
    expect(page.get_by_text("Address saved.")).to_be_visible()
    assert client.addresses.count() == 2


def test_quick_create_from_the_top_bar(live_server, page, log_in):
    staff_create(email="quick@example.com", password="first-day-at-work-42", roles=["Administrator"])
    log_in("quick@example.com", "first-day-at-work-42")

    page.get_by_role("button", name="+ Quick Create Client").click()
    modal = page.locator("#quick-create")
    modal.get_by_label("Firstname").fill("Zoe")
    modal.get_by_label("Lastname").fill("Labadie")
    modal.get_by_label("Email").fill("zoe_labadie@example")
    modal.get_by_label("Country").select_option("VC")
    modal.get_by_role("button", name="Save").click()
    expect(modal.get_by_text("valid email address")).to_be_visible()
    expect(modal.get_by_label("Firstname")).to_have_value("Zoe")

    modal.get_by_label("Email").fill("zoe_labadie@example.com")
    modal.get_by_role("button", name="Save").click()
    expect(page.locator("#client-title")).to_have_text("Zoe Labadie")
    expect(page.get_by_role("cell", name="Saint Vincent and the Grenadines")).to_be_visible()
    assert Client.objects.get().owner.email == "zoe_labadie@example.com"
