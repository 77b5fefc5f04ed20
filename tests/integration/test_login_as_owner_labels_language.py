"""Login as Owner in the staff member's language: the client's Activity tab read "0061 Nowak Hosting
sp. z o.o. as jan.nowak@…" and "jan.nowak@… (Login as Owner by admin@…)" on Polish pages. The
labels the trail keeps are worded in the language of whoever made the change (decisions.md), as
the request that made it speaks: the login's in the staff member's, and so are those of what is
done in the portal meanwhile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

def _log_in_as_owner_and_add_funds(staff_client, client) -> tuple[AuditEvent, AuditEvent]:
    assert staff_client.post(reverse("backoffice:client-login-as", args=[client.pk])).status_code == 302
    assert staff_client.post(reverse("portal:add-funds"), {"amount": "20"}).status_code in (200, 302)
    return (AuditEvent.objects.get(action="client.login_as", client_id=client.pk),
            AuditEvent.objects.get(action="document.issue", client_id=client.pk))


def test_polish_staff_leave_polish_labels(staff_client, staff, make_client):
    User.objects.filter(pk=staff.pk).update(language="pl")
    client = make_client(currency="PLN", company_name="Nowak Hosting sp. z o.o.")
    login, issued = _log_in_as_owner_and_add_funds(staff_client, client)
    assert login.object_label == f"{client} jako {client.owner.email}"
    assert issued.actor_label == f"{client.owner.email} (zalogowany jako właściciel przez {staff.email})"
    activity = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    assert "zalogowany jako właściciel przez" in activity and "Login as Owner by" not in activity


def test_english_staff_leave_english_labels(staff_client, staff, make_client):
    client = make_client(currency="PLN")
    login, issued = _log_in_as_owner_and_add_funds(staff_client, client)
    assert login.object_label == f"{client} as {client.owner.email}"
    assert issued.actor_label == f"{client.owner.email} (Login as Owner by {staff.email})"
