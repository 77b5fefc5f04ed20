"""AnyOf answers what an IN list answers (on PostgreSQL sent as = ANY(array))."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from clientpanel.accounts.models import User
from clientpanel.clients.models import Client
from clientpanel.core.lookups import AnyOf

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds_for_text_and_foreign_keys(make_client):
    clients = [make_client(email=f"any{n}@example.com") for n in range(3)]
    emails = {"any0@example.com", "any2@example.com", "nobody@example.com"}
    with CaptureQueriesContext(connection) as queries:
        found = set(User.objects.filter(AnyOf(F("email"), emails)).values_list("email", flat=True))
    assert found == set(User.objects.filter(email__in=emails).values_list("email", flat=True)) \
        == {"any0@example.com", "any2@example.com"}
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries[0]["sql"] and " IN (" not in queries[0]["sql"]
    owners = [clients[0].owner_id, clients[1].owner_id]
    assert set(Client.objects.filter(AnyOf(F("owner_id"), owners)).values_list("pk", flat=True)) \
        == {clients[0].pk, clients[1].pk}
    assert set(Client.objects.filter(AnyOf(F("number"), [clients[2].number])).values_list("pk", flat=True)) \
        == {clients[2].pk}
