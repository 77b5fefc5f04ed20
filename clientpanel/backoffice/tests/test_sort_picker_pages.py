"""The phone's "Sort by" ({% sort_picker %}) names the order the list is really in. A sort the list
does not know (a hand-typed or stale address) is answered with the list's default order — never a
500 — and the picker, the headers and the filter form then carry that default; a sort the directory
knows by another name ("created", "owner") is shown as its column; a sort no column offers
("number") selects no column, rather than the browser showing the first one as chosen."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _picker(page: str, picker_id: str) -> tuple[str | None, list[str]]:
    """The picker's selected option value (None when none is) and its options' values."""
    found = re.search(rf'<select name="sort" id="{picker_id}-by"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no {picker_id} on the page"
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', found.group(1))
    selected = [value for value, attributes in options if " selected" in attributes]
    assert len(selected) <= 1, selected
    return (selected[0] if selected else None), [value for value, _attributes in options]


@pytest.mark.parametrize("sort", ["bogus", "-bogus", "--", "password", "name\x00"])
def test_an_unknown_sort_lists_users_newest_first_and_the_picker_says_so(staff_client, make_client, sort):
    first, second = make_client(), make_client()
    answer = staff_client.get(reverse("backoffice:user-list"), {"sort": sort})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert _picker(page, "user-sort-picker")[0] == "-created"
    assert 'name="sort" value="-created"' in page  # the search form sends the order shown
    emails = re.findall(r'href="/staff/users/[^"]+">([^<]+)</a>', page)
    assert emails.index(second.owner.email) < emails.index(first.owner.email)


def test_a_known_users_sort_stays_as_asked(staff_client, make_client):
    make_client()
    page = staff_client.get(reverse("backoffice:user-list"), {"sort": "--name"}).content.decode()
    assert _picker(page, "user-sort-picker")[0] == "-name"


@pytest.mark.parametrize(("sort", "shown"), [("created", "created_at"), ("-owner", "-owner_email"),
                                              ("-client", "-display_name"), ("bogus", "-created_at")])
def test_the_directory_shows_a_sort_by_its_columns_name(staff_client, make_client, sort, shown):
    make_client()
    url = reverse("backoffice:client-list")
    page = staff_client.get(url, {"sort": sort}).content.decode()
    assert _picker(page, "directory-sort-picker")[0] == shown
    assert f'<input type="hidden" name="sort" value="{shown}" id="directory-sort">' in page
    swapped = staff_client.get(url, {"sort": sort}, headers={"HX-Request": "true"}).content.decode()
    assert _picker(swapped, "directory-sort-picker")[0] == shown
    assert f'value="{shown}" id="directory-sort" hx-swap-oob="true"' in swapped


def test_a_sort_no_column_offers_selects_no_column(staff_client, make_client):
    make_client()
    page = staff_client.get(reverse("backoffice:client-list"), {"sort": "-number"}).content.decode()
    selected, values = _picker(page, "directory-sort-picker")
    assert selected == "" and values[0] == ""  # a blank choice stands first and chosen, not "Owner"
    assert "-owner_email" in values and "-balance" in values
