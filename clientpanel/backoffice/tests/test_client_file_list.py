"""A client's Documents tab is searched by a file's name or description and sorted by name, size or
upload time on the server, as the portal's Documents page is: the pager and the headers keep the
search and the sort; another client's files are never found; an unknown sort or a NUL byte shows
the tab with the reason, never a 500."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from clientpanel.files.services import client_file_upload
from clientpanel.files.tests import samples
from clientpanel.files.tests.helpers import use_media_root

pytestmark = pytest.mark.django_db


@pytest.fixture
def files_of(settings, tmp_path, make_client):
    use_media_root(settings, tmp_path / "media")
    client, other = make_client(), make_client(email="other-files@example.com")

    def keep(owner, name: str, note: str = "", content: bytes = samples.PDF):
        return client_file_upload(actor=None, client_id=owner.pk, file=samples.upload(content, f"{name}.pdf"),
                                  name=name, note=note)

    keep(client, "Contract 2025", "Signed by both")
    keep(client, "annex", "Price list", content=samples.PDF + b"%" * 5000)
    keep(client, "Budget")
    keep(other, "Contract of another client", "Signed")
    return client


def _names(page: str) -> list[str]:
    return re.findall(r'<td class="cp-card-head"><a href="[^"]+">([^<]+)</a>', page)


def _tab(client, **query) -> str:
    return reverse("backoffice:client-files", args=[client.pk]) + ("?" + "&".join(f"{k}={v}" for k, v in query.items())
                                                                    if query else "")


def test_the_tab_is_searched_by_name_or_description_of_this_clients_files_only(staff_client, files_of):
    assert _names(staff_client.get(_tab(files_of, q="contract")).content.decode()) == ["Contract 2025"]
    assert _names(staff_client.get(_tab(files_of, q="price")).content.decode()) == ["annex"]
    page = staff_client.get(_tab(files_of, q="nothing-like-it")).content.decode()
    assert _names(page) == [] and "No documents match." in page


def test_the_tab_is_sorted_by_name_case_aside_size_or_upload_time(staff_client, files_of):
    assert _names(staff_client.get(_tab(files_of)).content.decode()) == ["Budget", "annex", "Contract 2025"]
    assert _names(staff_client.get(_tab(files_of, sort="name")).content.decode()) == ["annex", "Budget",
                                                                                        "Contract 2025"]
    assert _names(staff_client.get(_tab(files_of, sort="-size")).content.decode())[0] == "annex"
    page = staff_client.get(_tab(files_of, q="a", sort="name")).content.decode()
    assert 'href="?q=a&amp;sort=-name"' in page  # the header's link keeps the search


def test_an_unknown_sort_or_a_nul_byte_shows_the_tab_with_the_reason(staff_client, files_of):
    unknown = staff_client.get(_tab(files_of, sort="owner"))
    assert unknown.status_code == 200 and 'role="alert"' in unknown.content.decode()
    assert _names(unknown.content.decode()) == ["Budget", "annex", "Contract 2025"]
    nul = staff_client.get(_tab(files_of, q="%00"))
    assert nul.status_code == 400 and len(_names(nul.content.decode())) == 3
