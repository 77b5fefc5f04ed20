"""Staff acting for a client's owner (Login as Owner) in the portal's tests."""

from django.test import Client as Browser
from django.urls import reverse

from clientpanel.clients import permissions as keys


def acting_for(staff, client) -> Browser:
    """A browser signed in as `staff` who has started Login as Owner for `client`."""
    browser = Browser()
    browser.force_login(staff)
    assert browser.post(reverse("backoffice:client-login-as", args=[client.pk])).status_code == 302
    return browser


def invite(browser, email):
    """Invite `email` on Manage Users with one permission, as the page's form sends it."""
    return browser.post(reverse("portal:users"), {"email": email, "firstname": "New", "lastname": "Person",
                                                  "permissions": [keys.VIEW_DOCUMENTS]})
