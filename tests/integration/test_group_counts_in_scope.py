"""A group's client count is the number of its clients the actor may see (SPEC §4): GET /api/v1/groups
and the staff panel's Groups page count, for a staff member limited to assigned clients, what
GET /clients?group= lists for it — never the totals of clients it may not see."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from clientpanel.accounts.services import api_token_create, staff_create
from clientpanel.clients.selectors import group_list
from clientpanel.clients.services import group_save, staff_assignments_set
from conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(make_client):
    resellers = group_save(actor=None, data={"name": "Resellers"})
    empty_for_them = group_save(actor=None, data={"name": "Agencies"})
    clients = [make_client(group=resellers.pk) for _ in range(3)] + [make_client(group=empty_for_them.pk)]
    return resellers, empty_for_them, clients


def limited(email, clients):
    member = staff_create(email=email, password="correct-horse-battery", roles=["Administrator"],
                          limited_to_assigned_clients=True)
    staff_assignments_set(actor=None, staff_id=member.pk, client_ids=[c.pk for c in clients])
    return member


def counts_by_api(member) -> dict[str, int]:
    _, token = api_token_create(user=member)
    body = Api(HttpClient(), token).get("/groups").json()
    return {group["name"]: group["clients"] for group in body["results"]}


def test_the_api_counts_only_the_clients_a_limited_staff_member_sees(groups, staff):
    resellers, _agencies, clients = groups
    agent = limited("agent@example.com", clients[:2])
    assert counts_by_api(agent) == {"Agencies": 0, "Resellers": 2}
    _, token = api_token_create(user=agent)
    assert Api(HttpClient(), token).get("/clients", group=resellers.pk).json()["count"] == 2
    assert counts_by_api(limited("nobody@example.com", [])) == {"Agencies": 0, "Resellers": 0}
    assert counts_by_api(staff) == {"Agencies": 1, "Resellers": 3}  # not limited: every client


def test_the_staff_groups_page_counts_in_the_same_scope(groups, staff):
    resellers, agencies, clients = groups
    page = HttpClient()
    page.force_login(limited("agent@example.com", clients[:1]))
    html = page.get("/staff/settings/groups/").content.decode()

    def shown(group) -> str:
        return re.search(rf'\?group={group.pk}">(\d+)</a>', html).group(1)

    assert (shown(resellers), shown(agencies)) == ("1", "0")
    assert {g.name: g.client_count for g in group_list(actor=staff)} == {"Agencies": 1, "Resellers": 3}
