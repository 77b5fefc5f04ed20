"""The staff panel's pages, as a browser-less client sees them."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clientpanel.clients.models import Address, Client

pytestmark = pytest.mark.django_db


CREATE_FORM = {
    "email": "new@example.com", "password": "", "firstname": "Isac", "lastname": "Mann",
    "company_name": "Zenith Systems Associates", "tax_id": "", "phone": "+1 416 555 0199", "language": "en",
    "currency": "CAD", "status": "NEW", "billing_address1": "1 King St", "billing_address2": "",
    "billing_city": "Toronto", "billing_postcode": "M5H 2N2", "billing_country": "CA", "billing_region": "Ontario",
}


def test_pages_need_a_staff_login(client, make_client):
    target = make_client()
    for url in [reverse("backoffice:dashboard"), reverse("backoffice:client-list"),
                reverse("backoffice:client-summary", args=[target.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_client_users_cannot_use_the_staff_panel(client, make_client):
    owner = make_client(password="a-long-passphrase-42").owner
    response = client.post(reverse("backoffice:login"), {"username": owner.email, "password": "a-long-passphrase-42"})
    # Answered like a wrong password (issue 9): the page does not tell client accounts apart.
    assert "Please enter a correct email and password" in response.content.decode()
    assert client.get(reverse("backoffice:dashboard")).status_code == 302
    client.force_login(owner)
    assert client.get(reverse("backoffice:client-list")).status_code == 403


def test_login_with_email_in_any_case(client, staff):
    response = client.post(reverse("backoffice:login"),
                           {"username": "STAFF@Example.com", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get(reverse("backoffice:dashboard")).status_code == 200


def test_post_without_csrf_token_is_refused(staff):
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(staff)
    response = browser.post(reverse("backoffice:client-create"), CREATE_FORM)
    assert response.status_code == 403
    assert Client.objects.count() == 0


def test_directory_shows_columns_searches_and_sorts(staff_client, make_client):
    make_client(company_name="Zenith Systems", email="i.mann@example.org")
    make_client(company_name="BridgePath Enterprises")
    page = staff_client.get(reverse("backoffice:client-list"), {"q": "zenith", "sort": "-balance"}).content.decode()
    for heading in ["Owner", "Client", "Status", "Located", "Created", "Balance"]:
        assert f">{heading}" in page
    assert "Zenith Systems" in page and "BridgePath" not in page
    assert "i.mann@example.org" in page and "$0.00" in page
    partial = staff_client.get(reverse("backoffice:client-list"), {"q": "bridge"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "BridgePath" in partial.content.decode()


def test_directory_survives_bad_parameters(staff_client, make_client):
    make_client()
    response = staff_client.get(reverse("backoffice:client-list"), {"sort": "nope", "cursor": "zzz", "page_size": "x"})
    assert response.status_code == 200
    assert "Use one of" in response.content.decode()


def test_create_form_errors_keep_what_was_typed(staff_client):
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM | {
        "tax_id": "123456789", "billing_region": "Bavaria"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "check digit is wrong" in page
    assert "not a state or region of Canada" in page
    assert 'value="Zenith Systems Associates"' in page
    assert Client.objects.count() == 0


def test_create_form_saves_and_lands_on_summary(staff_client):
    response = staff_client.post(reverse("backoffice:client-create"), CREATE_FORM, follow=True)
    client = Client.objects.get()
    assert response.redirect_chain[-1][0] == reverse("backoffice:client-summary", args=[client.pk])
    page = response.content.decode()
    assert "Zenith Systems Associates" in page and "Client Finance" in page and "1 King St" in page
    assert f"{client.pk}" in page and "Summary" in page


def test_quick_create_with_htmx_redirects_and_reports_errors_in_place(staff_client):
    url = reverse("backoffice:client-quick-create")
    # The dialog fetches its form when it opens; pages do not carry its 250 countries.
    assert 'name="quick-country"' not in staff_client.get(reverse("backoffice:dashboard")).content.decode()
    form = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'name="quick-country"' in form and 'name="quick-email"' in form
    bad = staff_client.post(url, {"quick-firstname": "Zoe", "quick-lastname": "Labadie", "quick-email": "bad",
                                  "quick-country": "US"}, headers={"HX-Request": "true"})
    assert "valid email" in bad.content.decode() and Client.objects.count() == 0
    good = staff_client.post(url, {"quick-firstname": "Zoe", "quick-lastname": "Labadie",
                                   "quick-email": "zoe@example.com", "quick-company_name": "",
                                   "quick-country": "US"}, headers={"HX-Request": "true"})
    client = Client.objects.get()
    assert good["HX-Redirect"] == reverse("backoffice:client-summary", args=[client.pk])
    assert client.display_name == "Zoe Labadie" and client.billing_country == "US"


def test_profile_edits_every_field(staff_client, make_client):
    client = make_client()
    url = reverse("backoffice:client-profile", args=[client.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, {
        "firstname": "Anna", "lastname": "Nowak", "company_name": "Nowak sp. z o.o.", "tax_id": "PL5260250995",
        "phone": "+48 22 123 45 67", "language": "pl", "currency": "PLN", "status": "ACTIVE",
        "credit_limit": "9999999999.00", "id_number": "ERP-77", "admin_notes": "VIP", "public_notes": "Hello",
    })
    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.firstname, client.display_name, client.tax_id, client.language, client.currency) == (
        "Anna", "Nowak sp. z o.o.", "PL5260250995", "pl", "PLN")
    assert (client.status, str(client.credit_limit), client.id_number, client.admin_notes, client.public_notes) == (
        "ACTIVE", "9999999999.0000", "ERP-77", "VIP", "Hello")


def test_profile_refuses_negative_credit_limit_inline(staff_client, make_client):
    client = make_client()
    url = reverse("backoffice:client-profile", args=[client.pk])
    response = staff_client.post(url, {"firstname": "A", "lastname": "B", "language": "en", "currency": "USD",
                                       "status": "NEW", "credit_limit": "-10"})
    assert response.status_code == 200 and "cannot be negative" in response.content.decode()


def test_address_modal_create_edit_delete(staff_client, make_client):
    client = make_client()
    htmx = {"HX-Request": "true"}
    form = staff_client.get(reverse("backoffice:address-create", args=[client.pk]), headers=htmx)
    assert 'id="address-form"' in form.content.decode()
    created = staff_client.post(reverse("backoffice:address-create", args=[client.pk]), {
        "type": "SHIPPING", "name": "Office", "address1": "Długa 1", "city": "Gdańsk", "country": "PL", "region": "",
        "is_default": "on"}, headers=htmx)
    assert created["HX-Refresh"] == "true"
    shipping = client.addresses.get(type="SHIPPING")
    assert shipping.is_default
    edited = staff_client.post(reverse("backoffice:address-edit", args=[client.pk, shipping.pk]), {
        "type": "SHIPPING", "name": "Office 2", "address1": "Długa 1", "country": "PL", "city": "Gdańsk"}, headers=htmx)
    assert edited["HX-Refresh"] == "true"
    shipping.refresh_from_db()
    assert (shipping.name, shipping.city) == ("Office 2", "Gdańsk")
    staff_client.post(reverse("backoffice:address-delete", args=[client.pk, shipping.pk]), headers=htmx)
    assert not Address.objects.filter(pk=shipping.pk).exists()


def test_billing_address_cannot_be_deleted_from_the_panel(staff_client, make_client):
    client = make_client()
    billing = client.addresses.get()
    response = staff_client.post(reverse("backoffice:address-delete", args=[client.pk, billing.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert client.addresses.count() == 1


def test_other_clients_address_is_404(staff_client, make_client):
    mine, theirs = make_client(), make_client()
    url = reverse("backoffice:address-edit", args=[mine.pk, theirs.addresses.get().pk])
    assert staff_client.get(url).status_code == 404


def test_manage_users_lists_and_searches(staff_client, make_client):
    make_client(email="findme@example.com")
    page = staff_client.get(reverse("backoffice:user-list"), {"q": "findme"}).content.decode()
    table = page[page.index("<table"):]
    assert "findme@example.com" in table and "staff@example.com" not in table


def test_region_suggestions_for_a_country(staff_client):
    page = staff_client.get(reverse("backoffice:region-options"), {"country": "PL"}).content.decode()
    assert "Mazowieckie" in page


def test_region_suggestions_reach_the_home_company_form_of_staff_without_client_areas(client):
    # Settings → Home Companies suggests regions too; its staff got a 403 there (the view asked for View clients).
    from django.contrib.auth.models import Group, Permission

    from clientpanel.accounts.roles import SETTINGS
    from clientpanel.accounts.services import staff_create

    role = Group.objects.create(name="Settings only")
    role.permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename=SETTINGS))
    client.force_login(staff_create(email="settings@example.com", password="correct-horse-battery",
                                    roles=[role.name]))
    form = client.get(reverse("backoffice:home-company-create")).content.decode()
    assert f'data-region-options="{reverse("backoffice:region-options")}"' in form
    assert "Mazowieckie" in client.get(reverse("backoffice:region-options"), {"country": "PL"}).content.decode()


def test_django_admin_is_read_only_for_superusers(client, make_client):
    from clientpanel.accounts.services import staff_create

    target = make_client()
    root = staff_create(email="root@example.com", password="correct-horse-battery", superuser=True)
    client.force_login(root)
    assert client.get("/django-admin/clients/client/").status_code == 200
    page = client.get(f"/django-admin/clients/client/{target.pk}/change/")
    assert page.status_code == 200 and "Save" not in page.content.decode()
    assert client.get("/django-admin/clients/client/add/").status_code == 403


def test_directory_rows_are_escaped_and_say_what_the_template_said(staff_client, make_client):
    """The rows are made in Python (backoffice.directory_rows): every value escaped, each column as
    the template wrote it."""
    client = make_client(company_name="<b>Acme</b> & Co", firstname="Ewa", lastname="O'Hara",
                         billing_address={"country": "DE", "city": "Köln <x>", "region": ""})
    page = staff_client.get(reverse("backoffice:client-list")).content.decode()
    assert "<b>Acme" not in page and "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in page
    assert f'href="{reverse("backoffice:client-summary", args=[client.pk])}"' in page
    assert f"#{client.number} · Ewa O&#x27;Hara</div>" in page
    assert "Germany" in page and "Köln &lt;x&gt;" in page
    from clientpanel.ui.templatetags.ui import STATUS_BADGES

    badge = STATUS_BADGES.get(client.status, "text-bg-light")
    assert f'<span class="badge {badge}">{client.get_status_display().upper()}</span>' in page
    assert f'value="{client.pk}"' in page and f"{client.created_at:%Y-%m-%d %H:%M}" in page
    Client.objects.all().delete()
    assert "No clients match." in staff_client.get(reverse("backoffice:client-list")).content.decode()
