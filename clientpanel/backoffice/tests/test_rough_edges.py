"""Issue 14, item 9 ("the rough edges"): each small fix kept by a test that fails if it comes back."""

import pytest
from django.test import RequestFactory

from clientpanel.accounts.services import staff_create
from clientpanel.ui import errors

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


# --- 1. Error pages: styled, inside the panel, with a way back ---------------------------------------

def test_a_404_for_staff_is_shown_inside_the_panel_with_the_dashboard_and_back(staff_client, settings):
    settings.DEBUG = False
    response = staff_client.get("/staff/clients/no-such-page/", headers={"referer": "http://testserver/staff/clients/"})
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and 'id="cp-sidebar"' in body  # the panel's menu stays
    assert 'id="error-home" class="btn btn-primary" href="/staff/"' in body
    assert 'id="error-back" class="btn btn-outline-secondary" href="http://testserver/staff/clients/"' in body
    assert "Technical" not in body and "urlpatterns" not in body.lower()


def test_a_back_link_never_leads_to_another_site(staff_client):
    response = staff_client.get("/staff/nothing/", headers={"referer": "https://evil.example/phish"})
    assert response.status_code == 404 and 'id="error-back"' not in response.content.decode()


def test_a_404_in_the_portal_leads_to_the_portal_home(client):
    response = client.get("/portal/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-home" class="btn btn-primary" href="/portal/"' in body and "Back to the client area" in body
    assert "Back to the panel" not in body


def test_a_403_for_staff_is_inside_the_panel_with_a_way_back(client):
    reader = staff_create(email="reader@example.com", password=PASSWORD, roles=["Read-only"])
    client.force_login(reader)
    response = client.get("/staff/settings/staff/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in body and 'id="cp-sidebar"' in body
    assert 'id="error-home" class="btn btn-primary" href="/staff/"' in body


def test_the_500_page_is_plain_and_leads_home_without_touching_the_database(django_assert_num_queries):
    request = RequestFactory().get("/portal/services/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and "Something went wrong" in body
    assert 'href="/portal/"' in body


def test_the_error_handlers_are_wired():
    from config import urls

    assert urls.handler404 == "clientpanel.ui.errors.page_not_found"
    assert urls.handler403 == "clientpanel.ui.errors.permission_denied"
    assert urls.handler500 == "clientpanel.ui.errors.server_error"
