"""The phone's "Sort by" (ui/sorting.py, {% sort_picker %}): the same `sort` the headers give the
server, the page's search and filters kept, its position dropped."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import translation

from clientpanel.ui.sorting import kept_params, parse_sort, sort_picker

COLUMNS = [("email", "Email"), ("name", "Name"), ("created", "Created")]


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_a_leading_minus_sorts_descending():
    assert parse_sort("-created") == ("created", True)
    assert parse_sort("name") == ("name", False)
    assert parse_sort("") == ("", False)


def test_the_search_filters_and_page_size_stay_and_the_page_and_cursor_go():
    query = QueryDict("q=kowal&kind=client&status=&page=3&cursor=abc&sort=-created&page_size=50")
    picker = sort_picker(query=query, current="-created", columns=COLUMNS, path="/staff/users/")
    assert picker.kept == (("q", "kowal"), ("kind", "client"), ("page_size", "50"))
    assert _query(picker.ascending_url) == [("q", "kowal"), ("kind", "client"), ("page_size", "50"),
                                            ("sort", "created")]
    assert _query(picker.descending_url)[-1] == ("sort", "-created")
    assert urlsplit(picker.ascending_url).path == "/staff/users/"


def test_a_repeated_parameter_keeps_every_value():
    assert kept_params(QueryDict("group=a&group=b&sort=name")) == (("group", "a"), ("group", "b"))
    assert kept_params({"q": "x", "sort": "name", "page": "2", "tags": ["a", "b"]}) == (
        ("q", "x"), ("tags", "a"), ("tags", "b"))


def test_choosing_another_column_keeps_the_direction():
    descending = sort_picker(query=QueryDict(""), current="-name", columns=COLUMNS)
    assert [(o.value, o.selected) for o in descending.options] == [
        ("-email", False), ("-name", True), ("-created", False)]
    assert descending.descending and descending.column_chosen
    ascending = sort_picker(query=QueryDict(""), current="email", columns=COLUMNS)
    assert [o.value for o in ascending.options] == ["email", "name", "created"]
    assert [o.selected for o in ascending.options] == [True, False, False]
    assert not ascending.descending


def test_a_sort_no_column_offers_selects_nothing_and_its_links_sort_by_the_first_column():
    picker = sort_picker(query=QueryDict("sort=-password"), current="-password", columns=COLUMNS)
    assert not any(o.selected for o in picker.options) and not picker.column_chosen
    assert _query(picker.ascending_url) == [("sort", "email")]
    assert _query(picker.descending_url) == [("sort", "-email")]


def _render(source: str, url: str, **context) -> str:
    request = RequestFactory().get(url)
    return Template("{% load sorting %}" + source).render(Context({"request": request, **context}))


def test_the_tag_takes_key_label_pairs_and_reloads_the_page_without_htmx():
    html = _render('{% sort_picker sort "email" "Email" "name" "Name" %}', "/staff/users/?q=a%26b&page=2", sort="name")
    assert '<option value="name" selected>Name</option>' in html
    assert '<input type="hidden" name="q" value="a&amp;b">' in html
    assert 'name="page"' not in html
    assert "data-submit-on-change" in html and "hx-get" not in html
    assert 'href="/staff/users/?q=a%26b&amp;sort=-name"' in html
    assert "<noscript>" in html  # without script, a button sends the choice


def test_the_tag_takes_a_views_columns_and_swaps_its_target_with_htmx():
    columns = [{"key": "display_name", "label": "Client", "url": "?sort=-display_name"},
               {"key": "balance", "label": "Balance"}]
    html = _render('{% sort_picker "-balance" columns target="#directory" id="directory-sort-picker" %}',
                   "/staff/clients/?status=ACTIVE", columns=columns)
    assert 'id="directory-sort-picker"' in html and 'hx-target="#directory"' in html
    assert 'hx-get="/staff/clients/?status=ACTIVE&amp;sort=balance"' in html
    assert '<option value="-balance" selected>Balance</option>' in html
    assert "data-submit-on-change" not in html


def test_the_tag_speaks_polish():
    with translation.override("pl"):
        html = _render('{% sort_picker "name" "name" "Name" %}', "/")
    assert "Sortuj według" in html and "Malejąco" in html and "Rosnąco" in html


def test_the_tag_refuses_a_label_without_its_key():
    with pytest.raises(TemplateSyntaxError):
        _render('{% sort_picker "name" "name" "Name" "email" %}', "/")
