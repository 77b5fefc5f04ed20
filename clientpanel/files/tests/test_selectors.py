"""Who sees which client files: staff in scope all of them, a portal user with View Documents the
ones shown in the portal of its own client, nobody else anything."""

from __future__ import annotations

import pytest

from clientpanel.core.errors import NotFound, ValidationFailed
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


def _named(files) -> list[str]:
    return [f.name for f in files]


def test_a_portal_search_finds_its_clients_shown_files_by_name_or_description(world, make_portal_actor, staff):
    lease = client_file_upload(actor=staff, client_id=world["mine"].pk, note="Signed lease, page two",
                               visible_in_portal=True, file=samples.upload(samples.PDF, "Scan 7.pdf"))
    client_file_upload(actor=staff, client_id=world["other"].pk, note="Signed lease", visible_in_portal=True,
                       file=samples.upload(samples.PDF, "Their scan.pdf"))
    actor = make_portal_actor(world["mine"], ["view-documents"])
    mine = world["mine"].pk
    assert _named(client_file_list(actor=actor, client_id=mine, search="LEASE two")) == [lease.name]
    assert _named(client_file_list(actor=actor, client_id=mine, search="  shown  ")) == ["shown.pdf"]
    assert _named(client_file_list(actor=actor, client_id=mine, search="pdf")) == [lease.name, "shown.pdf"]
    # Staff's own file and the other client's hold the words too: never found by the portal user.
    for words in ("internal", "others", "their scan"):
        assert _named(client_file_list(actor=actor, client_id=mine, search=words)) == [], words
    assert _named(client_file_list(actor=actor, client_id=world["other"].pk, search="lease")) == []


def test_the_list_sorts_by_date_name_case_aside_and_size(world, staff):
    mine = world["mine"].pk
    client_file_upload(actor=staff, client_id=mine, file=samples.upload(samples.PDF + b"%" * 100, "Zed.pdf"))

    def listed(sort):
        return _named(client_file_list(actor=staff, client_id=mine, sort=sort))

    assert listed("") == ["Zed.pdf", "internal.pdf", "shown.pdf"]  # newest first
    assert listed("date") == ["shown.pdf", "internal.pdf", "Zed.pdf"]
    assert listed("name") == ["internal.pdf", "shown.pdf", "Zed.pdf"]
    assert listed("-name") == ["Zed.pdf", "shown.pdf", "internal.pdf"]
    assert listed("-size")[0] == "Zed.pdf" and listed("size")[-1] == "Zed.pdf"


@pytest.mark.parametrize("sort", ["storage_name", "sha256", "-", "name;drop", "\x00"])
def test_a_sort_the_list_does_not_offer_is_refused_on_sort(world, staff, sort):
    with pytest.raises(ValidationFailed) as refused:
        client_file_list(actor=staff, client_id=world["mine"].pk, sort=sort)
    assert "sort" in refused.value.fields
