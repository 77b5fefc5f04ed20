"""Login as Owner: a POST by staff with the impersonate area opens the portal as the client's user,
audited with both identities, for 30 minutes at most; the staff session lives on."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.services import client_user_link, staff_assignments_set
from clientpanel.portal import session

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(client):
    member = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(member)
    return member


def test_login_as_owner_opens_the_portal_with_a_banner_and_returns(client, support, make_client):
    owned = make_client(currency="USD")
    url = reverse("backoffice:client-login-as", args=[owned.pk])
    assert client.get(url).status_code == 405  # a link cannot start it
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("portal:dashboard")
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert 'id="impersonation-banner"' in page and owned.owner.email in page
    assert AuditEvent.objects.filter(action="client.login_as", actor=support, client_id=owned.pk).exists()

    client.post(reverse("portal:add-funds"), {"amount": "20"})
    issued = AuditEvent.objects.get(action="document.issue", client_id=owned.pk)
    assert (issued.actor_id, issued.impersonator_id) == (owned.owner_id, support.pk)
    assert "Login as Owner by support@example.com" in issued.actor_label

    back = client.post(reverse("portal:logout"))
    assert back["Location"] == reverse("backoffice:client-summary", args=[owned.pk])
    assert client.get(reverse("backoffice:dashboard")).status_code == 200  # the staff session lives on
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_log_in_as_a_linked_user_acts_with_its_permissions(client, support, make_client):
    owned = make_client()
    link = client_user_link(actor=None, client_id=owned.pk, data={
        "email": "helper@example.com", "firstname": "H", "lastname": "E", "permissions": []})
    client.post(reverse("backoffice:client-user-login-as", args=[owned.pk, link.user_id]))
    assert client.get(reverse("portal:dashboard")).status_code == 200
    assert client.get(reverse("portal:invoices")).status_code == 404  # the helper has no Manage Invoices


def test_it_ends_after_thirty_minutes_and_on_staff_logout(client, support, make_client, monkeypatch):
    owned = make_client()
    client.post(reverse("backoffice:client-login-as", args=[owned.pk]))
    later = timezone.now() + session.IMPERSONATION_LIMIT + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(reverse("portal:dashboard")).status_code == 302
    monkeypatch.undo()
    client.post(reverse("backoffice:client-login-as", args=[owned.pk]))
    client.post(reverse("backoffice:logout"))
    assert client.get(reverse("portal:dashboard")).status_code == 302


def test_only_staff_with_the_area_and_the_client_in_scope(client, make_client):
    owned, other = make_client(), make_client()
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    client.force_login(reader)
    assert client.post(reverse("backoffice:client-login-as", args=[owned.pk])).status_code == 403
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Support"],
                           limited_to_assigned_clients=True)
    staff_assignments_set(actor=None, staff_id=limited.pk, client_ids=[owned.pk])
    client.force_login(limited)
    assert client.post(reverse("backoffice:client-login-as", args=[other.pk])).status_code == 404
    assert client.post(reverse("backoffice:client-login-as", args=[owned.pk])).status_code == 302


def test_it_ends_as_soon_as_the_staff_member_may_no_longer_impersonate(client, support, make_client):
    owned = make_client()
    client.post(reverse("backoffice:client-login-as", args=[owned.pk]))
    assert client.get(reverse("portal:dashboard")).status_code == 200
    support.groups.clear()  # its role, and the Impersonate area with it, taken away meanwhile
    assert client.get(reverse("portal:dashboard")).status_code == 302
    assert session.IMPERSONATOR not in client.session
