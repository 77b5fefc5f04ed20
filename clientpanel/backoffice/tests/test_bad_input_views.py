"""Bad input to the staff panel's list pages (issue 9): a 400 that says why, never a 500.

PostgreSQL refuses a NUL byte in a query with an exception; before this rule every search box
passed it on (a 500 there, a silent search on SQLite).
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NUL = "Ruslan\x00"


def search_pages(client_id):
    # (url name, kwargs, the query-string key of the free text)
    return [
        ("backoffice:client-list", {}, "q"),
        ("backoffice:client-invoices", {"client_id": client_id}, "q"),
        ("backoffice:finance-documents", {}, "q"),
        ("backoffice:finance-transactions", {}, "q"),
        ("backoffice:client-transactions", {"client_id": client_id}, "q"),
        ("backoffice:client-services", {"client_id": client_id}, "q"),
        ("backoffice:activity-log", {}, "q"),
        ("backoffice:client-user-candidates", {"client_id": client_id}, "email"),
        ("backoffice:user-list", {}, "q"),
    ]


@pytest.mark.parametrize("index", range(9))
@pytest.mark.parametrize("term", [NUL, "a\x1bb", "\x7f"])
def test_search_with_a_control_character_is_a_400_that_says_why(staff_client, make_client, index, term):
    client = make_client(firstname="Ruslan")
    name, kwargs, key = search_pages(client.pk)[index]
    response = staff_client.get(reverse(name, kwargs=kwargs), {key: term})
    assert response.status_code == 400, response.content[:300]
    if key == "q":  # the suggestions fragment has no room for messages; its 400 is enough
        assert "control characters are not allowed" in response.content.decode()


def test_search_with_line_breaks_and_tabs_still_searches(staff_client, make_client):
    make_client(firstname="Ruslan")
    response = staff_client.get(reverse("backoffice:client-list"), {"q": "Ruslan\t\n"})
    assert response.status_code == 200
    assert "Ruslan" in response.content.decode()


@pytest.mark.parametrize("params", [{"action": "client.\x00"}, {"actor_kind": "\x00"}])
def test_activity_log_filters_refuse_control_characters(staff_client, params):
    assert staff_client.get(reverse("backoffice:activity-log"), params).status_code == 400


@pytest.mark.parametrize("params", [
    {"page": str(10**18)}, {"page": "-5"}, {"page": "1e9"}, {"group": str(10**30)}, {"cursor": "x" * 50},
    {"cursor": "bmV4dA.forged"}, {"page_size": str(10**30)}, {"sort": "\x00"},
])
def test_directory_parameters_out_of_range_are_never_a_500(staff_client, make_client, params):
    make_client()
    response = staff_client.get(reverse("backoffice:client-list"), params)
    assert response.status_code in (200, 400), response.content[:300]


@pytest.mark.parametrize("product", ["abc", "\x00", str(10**30), "'"])
def test_add_service_with_a_product_that_is_not_an_id_is_never_a_500(staff_client, make_client, product):
    client = make_client()
    url = reverse("backoffice:service-add", kwargs={"client_id": client.pk})
    assert staff_client.get(url, {"product": product}).status_code == 200
    assert staff_client.post(url, {"product": product, "price": "1"}).status_code == 200


@pytest.mark.parametrize("pattern", ['FV"{NUMBER}', "FV/{NUMBER}\r\nX-Evil: 1", "FV'{NUMBER}"])
def test_home_company_form_refuses_a_numbering_pattern_with_quotes_or_line_breaks(staff_client, pattern):
    from clientpanel.tax.models import HomeCompany

    before = HomeCompany.objects.count()
    response = staff_client.post(reverse("backoffice:home-company-create"), {
        "name": "Acme", "country": "PL", "topup_item_name": "Add funds", "refund_item_name": "Refund",
        "proforma_pattern": "PRO/{NUMBER}", "proforma_reset": "MONTHLY", "invoice_pattern": pattern,
        "invoice_reset": "MONTHLY", "credit_note_pattern": "CN/{NUMBER}", "credit_note_reset": "MONTHLY"})
    assert response.status_code == 200
    assert "A numbering pattern cannot contain" in response.content.decode()
    assert HomeCompany.objects.count() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_webhook_endpoint_in_the_address_is_a_404_not_a_500(staff_client, method):
    # The page let the domain's NotFound through: every staff view now answers it as the 404 page.
    url = reverse("backoffice:webhook-detail", args=["01a20d00-0000-7000-8000-000000000000"])
    assert getattr(staff_client, method)(url, {"url": "https://example.com/"}).status_code == 404


@pytest.mark.parametrize("path", ["/staff/products/exchange-rates/%00/delete/",
                                  "/staff/settings/add-funds-limits/EU%00R/remove/",
                                  "/staff/settings/email-templates/welcome%1b/en/",
                                  "/staff/settings/webhooks/01a20d00-0000-7000-8000-000000000000/messages/%00/replay/"])
def test_a_word_of_the_address_with_a_control_character_is_a_404(staff_client, staff, path):
    # PostgreSQL refused the NUL of the first two in their lookups (a 500); now no such address exists.
    from clientpanel.accounts import sudo

    session = staff_client.session
    sudo.sudo_grant(session, user=staff)
    session.save()
    assert staff_client.post(path).status_code == 404


@pytest.mark.parametrize("settings_text", ['{"checkout": "\\u0000"}', '{"\\u0000": 1}', '{"a": "\\ud800"}'])
def test_gateway_settings_with_a_nul_or_a_lone_surrogate_are_refused_and_nothing_is_added(
        staff_client, staff, settings_text):
    # Valid JSON text whose escapes decode to a NUL: PostgreSQL's jsonb refused it (a 500).
    from clientpanel.accounts import sudo
    from clientpanel.payments.models import GatewayAccount
    from clientpanel.tax.selectors import default_home_company

    session = staff_client.session
    sudo.sudo_grant(session, user=staff)
    session.save()
    company = default_home_company()
    response = staff_client.post(reverse("backoffice:gateway-account-add", args=[company.pk]),
                                 {"gateway": "test", "currencies": "", "settings": settings_text})
    assert response.status_code == 422
    assert "control characters are not allowed" in response.content.decode() or "surrogate" in response.content.decode()
    assert not GatewayAccount.objects.exists()
