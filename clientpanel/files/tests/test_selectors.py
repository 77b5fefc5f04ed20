"""Who sees which client files: staff in scope all of them, a portal user with View Documents the
ones shown in the portal of its own client, nobody else anything."""

from __future__ import annotations

import pytest

from clientpanel.core.errors import NotFound
from clientpanel.files.selectors import client_file_get, client_file_list, client_files_visible_to
from clientpanel.files.services import client_file_upload

from . import samples
from .conftest import assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(media, staff, make_client):
    mine, other = make_client(), make_client()

    def upload(client, name, visible):
        return client_file_upload(actor=staff, client_id=client.pk, file=samples.upload(samples.PDF, f"{name}.pdf"),
                                  visible_in_portal=visible)

    return {"mine": mine, "other": other, "shown": upload(mine, "shown", True),
            "staff_only": upload(mine, "internal", False), "others": upload(other, "others", True)}


def _names(files) -> set[str]:
    return {f.name for f in files}


def test_staff_see_every_file_of_a_client(world, staff):
    assert _names(client_file_list(actor=staff, client_id=world["mine"].pk)) == {"shown.pdf", "internal.pdf"}
    assert _names(client_files_visible_to(staff)) == {"shown.pdf", "internal.pdf", "others.pdf"}


def test_limited_staff_see_their_assigned_clients_files_only(world, limited_staff):
    assign(limited_staff, world["mine"])
    assert _names(client_files_visible_to(limited_staff)) == {"shown.pdf", "internal.pdf"}
    assert not client_files_visible_to(limited_staff, world["other"].pk).exists()
    with pytest.raises(NotFound):
        client_file_get(actor=limited_staff, client_id=world["other"].pk, file_id=world["others"].pk)


def test_a_portal_user_with_view_documents_sees_the_files_shown_in_the_portal(world, make_portal_actor):
    actor = make_portal_actor(world["mine"], ["view-documents"])
    assert _names(client_file_list(actor=actor, client_id=world["mine"].pk)) == {"shown.pdf"}
    assert _names(client_files_visible_to(actor)) == {"shown.pdf"}
    assert client_file_get(actor=actor, client_id=world["mine"].pk, file_id=world["shown"].pk) == world["shown"]
    for client, file in ((world["mine"], world["staff_only"]), (world["other"], world["others"]),
                         (world["mine"], world["others"])):
        with pytest.raises(NotFound):
            client_file_get(actor=actor, client_id=client.pk, file_id=file.pk)


def test_the_owner_holds_view_documents_but_sees_only_what_is_shown(world):
    from clientpanel.clients.actors import portal_actor

    owner = portal_actor(world["mine"].owner, world["mine"].pk)
    assert _names(client_files_visible_to(owner)) == {"shown.pdf"}


def test_a_portal_user_without_view_documents_sees_nothing(world, make_portal_actor):
    actor = make_portal_actor(world["mine"], ["manage-invoices"])
    assert not client_files_visible_to(actor, world["mine"].pk).exists()
    with pytest.raises(NotFound):
        client_file_get(actor=actor, client_id=world["mine"].pk, file_id=world["shown"].pk)


def test_staff_without_a_role_see_nothing(world):
    from clientpanel.accounts.services import staff_create

    nobody = staff_create(email="nobody@example.com", password="correct-horse-battery", roles=[])
    assert not client_files_visible_to(nobody).exists()


@pytest.mark.parametrize("file_id", ["", "not-a-uuid", "../../etc/passwd", None, 42])
def test_a_malformed_id_is_not_found(world, staff, file_id):
    with pytest.raises(NotFound):
        client_file_get(actor=staff, client_id=world["mine"].pk, file_id=file_id)
    assert not client_files_visible_to(staff, "not-a-uuid").exists()
