"""Every page that takes a POST refuses one without the CSRF token — the staff panel's (htmx sends
the token in a header, a plain form in a field: neither is there) and the portal's, signed in with
every right — generated from the permission matrices' tables, so a new page is checked too. Only a
gateway's signed notification and the token-authenticated API go without."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.audit.models import AuditEvent
from clientpanel.portal.tests import test_portal_pages as portal_matrix
from clientpanel.portal.tests.conftest import PASSWORD
from clientpanel.portal.tests.conftest import world as portal_world  # noqa: F401
from tests.test_permission_matrix import PAGES, _make_staff, _page_url
from tests.test_permission_matrix import world as staff_world  # noqa: F401

pytestmark = pytest.mark.django_db


def _refused_without_token(browser: Client, url: str, data: dict) -> bool:
    response = browser.post(url, data, headers={"hx-request": "true"})
    # Django's CSRF refusal (its 403_csrf.html: "Form expired"), not a view's own 403 or 405.
    return response.status_code == 403 and "403_csrf.html" in [t.name for t in response.templates]


def test_every_staff_page_refuses_a_post_without_the_csrf_token(staff_world):  # noqa: F811
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(_make_staff("Administrator"))
    before = AuditEvent.objects.count()
    for name in PAGES:
        url = _page_url(name, staff_world, staff_world["mine"])
        assert _refused_without_token(browser, url, {"name": "x", "note": "x"}), name
    # The API is exempt because a session does not sign in to it: only a Bearer token does.
    answer = browser.post("/api/v1/groups", '{"name": "By cookie"}', content_type="application/json")
    assert answer.status_code == 401
    assert AuditEvent.objects.count() == before


def test_every_portal_page_refuses_a_post_without_the_csrf_token(portal_world):  # noqa: F811
    browser = Client(enforce_csrf_checks=True)
    session = Client()  # signs in with its token (the login page gives it), then lends the cookie
    login = session.get(reverse("portal:login"))
    token = login.cookies["csrftoken"].value
    session.post(reverse("portal:login"), {"email": portal_world["mine"].owner.email, "password": PASSWORD,
                                           "csrfmiddlewaretoken": token})
    browser.cookies = session.cookies
    del browser.cookies["csrftoken"]
    assert browser.get(reverse("portal:dashboard")).status_code == 200  # signed in, with every right
    for name in portal_matrix.PAGES:
        url = portal_matrix._url(name, portal_world)
        assert _refused_without_token(browser, url, {"client": str(portal_world["mine"].pk)}), name
    for name in ("login", "signup", "logout", "password_reset"):
        assert _refused_without_token(Client(enforce_csrf_checks=True), reverse(f"portal:{name}"), {}), name
