from __future__ import annotations

from pathlib import Path

import pytest

from clientpanel.accounts.services import staff_create
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import StaffAssignment
from clientpanel.clients.services import client_user_link

from .helpers import use_media_root


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Client files go to a directory of this test's own, on the real file system storage."""
    return use_media_root(settings, tmp_path / "media")


@pytest.fixture
def read_only_staff(db):
    return staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])


@pytest.fixture
def limited_staff(db):
    """Support staff limited to their assigned clients; assign with StaffAssignment."""
    return staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Support"],
                        limited_to_assigned_clients=True)


def assign(staff, client) -> None:
    StaffAssignment.objects.create(staff=staff, client=client)


@pytest.fixture
def make_portal_actor(db):
    def make(client, permissions, email=None):
        link = client_user_link(actor=None, client_id=client.pk, data={
            "email": email or f"user-{len(permissions)}-{client.number}@example.com", "firstname": "Portal",
            "lastname": "User", "permissions": list(permissions)})
        return portal_actor(link.user, client.pk)

    return make
