"""The portal's Documents: the files staff marked visible, to users with View Documents, downloaded
as attachments; hidden files and another client's are 404 by id."""

import pytest
from django.urls import reverse

from clientpanel.clients import permissions as keys

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def test_only_visible_files_of_the_client_are_listed_and_downloaded(world):
    browser = _signed_in(_member(world["mine"], keys.VIEW_DOCUMENTS))
    page = browser.get(reverse("portal:files")).content.decode()
    assert "Contract" in page and "Internal" not in page and "Their contract" not in page
    download = browser.get(reverse("portal:file-download", args=[world["mine_file"].pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/pdf" and download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    for hidden in ("mine_hidden_file", "their_file"):
        assert browser.get(reverse("portal:file-download", args=[world[hidden].pk])).status_code == 404


def test_a_file_changed_on_disk_is_refused_with_the_reason(world, settings, tmp_path):
    stored = next((tmp_path / "media").rglob(f"*{world['mine_file'].pk}*"), None)
    assert stored is not None
    stored.write_bytes(b"%PDF-1.4 something else")
    browser = _signed_in(world["mine"].owner.email)
    response = browser.get(reverse("portal:file-download", args=[world["mine_file"].pk]), follow=True)
    assert response.status_code == 200 and "no longer matches" in response.content.decode()


def test_a_files_name_downloads_it_so_a_phone_need_not_scroll_the_table_sideways(world):
    browser = _signed_in(_member(world["mine"], keys.VIEW_DOCUMENTS))
    page = browser.get(reverse("portal:files")).content.decode()
    assert f'<a href="{reverse("portal:file-download", args=[world["mine_file"].pk])}" class="file-name">Contract</a>' \
        in page
