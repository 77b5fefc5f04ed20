"""One sortable header label (ui/_sort_label.html) for the staff panel's lists and the portal's: a
link to the column's order, the order shown as ▲ or ▼ and said in words to a screen reader."""

from pathlib import Path

import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

from clientpanel.ui.sorting import SortHeader

ROOT = Path(__file__).resolve().parents[2]  # clientpanel/


def _label(header, label="Total", language="en") -> str:
    with translation.override(language):
        return render_to_string("ui/_sort_label.html", {"header": header, "label": label})


def test_the_active_column_links_the_other_way_and_says_its_direction():
    header = SortHeader(key="total", label="Total", active=True, descending=True, url="?status=PAID&sort=total")
    assert _label(header) == ('<a href="?status=PAID&amp;sort=total" class="text-nowrap" aria-current="true">Total '
                              '<span aria-hidden="true">▼</span><span class="visually-hidden">Descending</span></a>')
    assert 'class="visually-hidden">Malejąco</span>' in _label(header, "Kwota", "pl")


def test_another_column_is_a_plain_link_and_an_unsorted_list_its_bare_name():
    header = SortHeader(key="date", label="Date", active=False, descending=False, url="?sort=date")
    assert _label(header, "Date") == '<a href="?sort=date" class="text-nowrap">Date</a>'
    assert _label(None, "Date") == "Date"


@pytest.mark.parametrize("copy", ["backoffice/_sort_label.html", "portal/_sort_label.html"])
def test_neither_interface_keeps_a_copy_of_its_own(copy):
    with pytest.raises(TemplateDoesNotExist):
        get_template(copy)


def test_every_sortable_header_includes_the_shared_label():
    includes = [(path.relative_to(ROOT), line) for path in ROOT.glob("*/templates/**/*.html")
                for line in path.read_text().splitlines() if "_sort_label.html" in line]
    assert {str(path).split("/")[0] for path, _line in includes} >= {"backoffice", "portal"}
    for path, line in includes:
        assert line.count("_sort_label.html") == line.count('"ui/_sort_label.html"'), path
