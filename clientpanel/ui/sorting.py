"""A sortable list's sort for a phone, where its table's header (whose column names sort) is hidden:
a "Sort by" choice of the same columns and the two directions, as links and a GET form that give the
server the same `sort` the headers give (`name`, `-name`), the page's search, filters and page size
kept and its position (page, cursor) dropped, as a header's link does. Rendered by the template tag
`{% sort_picker %}` (ui/templatetags/sorting.py) with ui/_sort_picker.html.

And a list's sortable headers (list_sort): the order a page is in, each header's link to its
column's order, and why a sort asked for was not followed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from clientpanel.core.errors import ValidationFailed
from clientpanel.core.sorting import sort_of

# Where a list stands in its order: meaningless once the order changes.
POSITION_PARAMS = ("page", "cursor")


@dataclass(frozen=True)
class SortOption:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class SortPicker:
    options: tuple[SortOption, ...]
    descending: bool
    ascending_url: str
    descending_url: str
    kept: tuple[tuple[str, str], ...]  # the query's other parameters, for the form's hidden fields

    @property
    def column_chosen(self) -> bool:
        """Whether a column names the list's order; when none does, the partial shows a blank choice
        rather than let the browser show the first column as chosen (and choosing it do nothing)."""
        return any(option.selected for option in self.options)


def parse_sort(sort: str) -> tuple[str, bool]:
    """`-created` → ("created", True); `name` → ("name", False)."""
    sort = (sort or "").strip()
    return sort.lstrip("-"), sort.startswith("-")


def kept_params(query: Mapping, *, param: str = "sort") -> tuple[tuple[str, str], ...]:
    """The query's parameters but the sort and the list's position, every value of a repeated one,
    empty ones left out (as the headers' links leave them)."""
    if hasattr(query, "lists"):  # a QueryDict
        pairs = query.lists()
    else:
        pairs = ((k, v if isinstance(v, list) else [v]) for k, v in query.items())
    return tuple((name, str(value)) for name, values in pairs
                 if name != param and name not in POSITION_PARAMS
                 for value in values if value not in (None, ""))


def sort_picker(*, query: Mapping, current: str, columns: Iterable[tuple[str, str]], path: str = "",
                param: str = "sort") -> SortPicker:
    """The picker for a list sorted by `current` among `columns` ((key, label), in the headers' order).
    Choosing another column keeps the direction; the direction links keep the column. A `current`
    no column names (a default the headers do not offer) selects nothing, and the links sort by the
    first column."""
    columns = [(str(key), str(label)) for key, label in columns]
    key, descending = parse_sort(current)
    if key not in {k for k, _label in columns}:
        key = columns[0][0] if columns else ""
    kept = kept_params(query, param=param)

    def url(sort: str) -> str:
        return f"{path}?{urlencode([*kept, (param, sort)])}"

    options = tuple(SortOption(value=f"-{k}" if descending else k, label=label,
                               selected=k == parse_sort(current)[0]) for k, label in columns)
    return SortPicker(options=options, descending=descending, ascending_url=url(key),
                      descending_url=url(f"-{key}"), kept=kept)


@dataclass(frozen=True)
class SortHeader:
    key: str
    label: str
    active: bool
    descending: bool
    url: str  # the list in this column's order: ascending, or the other way when it is the order already


@dataclass(frozen=True)
class ListSort:
    """A sortable list's order for its page: `value` what its selector is given and its links and
    filter form carry, `headers` its table's sortable headers by key, `columns` the picker's choices,
    `error` why a sort asked for was not followed (shown above the list)."""

    value: str
    headers: dict[str, SortHeader]
    columns: tuple[tuple[str, str], ...]
    error: str | None = None


def list_sort(*, query: Mapping, sorts: Mapping, default: str, columns: Iterable[tuple[str, str]],
              path: str = "", param: str = "sort") -> ListSort:
    """The order a list's page is in, as the directory decides it: the sort the query asks for when
    the list offers it (core.sorting.sort_of), else the list's default and the reason. `columns`
    ((key, label), in the table's order) are the sorts its headers and the phone's picker offer; a
    header's link keeps the page's search and filters and drops its position (page, cursor)."""
    error = None
    try:
        sort = sort_of(query.get(param, ""), sorts, default=default)
    except ValidationFailed as refused:
        error = " ".join([refused.message, *refused.fields.get(param, [])])
        sort = sort_of("", sorts, default=default)
    kept = kept_params(query, param=param)
    columns = tuple((str(key), str(label)) for key, label in columns)
    headers = {}
    for key, label in columns:
        active = key == sort.key
        following = key if (active and sort.descending) else f"-{key}" if active else key
        headers[key] = SortHeader(key=key, label=label, active=active, descending=active and sort.descending,
                                  url=f"{path}?{urlencode([*kept, (param, following)])}")
    return ListSort(value=sort.value, headers=headers, columns=columns, error=error)
