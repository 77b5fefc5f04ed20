"""What a portal list (Invoices, Transactions, Services, Documents) reads from its query string — the search
box, a filter's choice and the sort — each checked once, as the staff lists check theirs.

Bad input never fails the page: the list is shown without the value it cannot use, and a message
above it says why — a search holding a control character (which PostgreSQL refuses; the answer is a
400, as the staff lists' refuses_bad_query), a search longer than the box allows (cut, and searched),
a choice the filter does not offer, a sort the list does not offer (its default order,
ui.sorting.list_sort). What is kept — the values the list uses, in the order read — goes into the
pager's links, the sortable headers and the phone's "Sort by", so the next page keeps them all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from clientpanel.core.text import text_problem
from clientpanel.ui.sorting import ListSort, SortPicker, list_sort, sort_picker

SEARCH_LENGTH = 100  # the search box's maxlength; the selectors search its first four words


def _shown(value: str) -> str:
    """A refused value as a message quotes it: short, and its invisible characters escaped."""
    return repr(value[:40])


@dataclass
class ListQuery:
    request: HttpRequest
    kept: list[tuple[str, str]] = field(default_factory=list)  # the pager's, headers' and picker's values
    refused: bool = False  # a value that cannot be searched for at all: the page answers 400

    def search(self, name: str = "q") -> str:
        """The search box's words, stripped and at most SEARCH_LENGTH characters."""
        value = self.request.GET.get(name, "")
        problem = text_problem(value)
        if problem:
            messages.error(self.request, _("Search: %(problem)s The list is shown without it.") % {"problem": problem})
            self.refused = True
            return ""
        value = value.strip()
        if len(value) > SEARCH_LENGTH:
            messages.warning(self.request, _("A search is at most %(count)d characters long: its first %(count)d "
                                             "were searched.") % {"count": SEARCH_LENGTH})
            value = value[:SEARCH_LENGTH].strip()
        return self._keep(name, value)

    def choice(self, name: str, choices: Iterable[str], *, label: str) -> str:
        """A filter's choice among `choices` (case aside, as "unpaid" for UNPAID); none, and why, for
        one the filter does not offer."""
        value = self.request.GET.get(name, "").strip()
        if not value:
            return ""
        offered = {str(choice).upper(): str(choice) for choice in choices}
        if value.upper() in offered:
            return self._keep(name, offered[value.upper()])
        messages.warning(self.request, _("%(filter)s: %(value)s is not one of its choices; the list shows them all.")
                         % {"filter": label, "value": _shown(value)})
        return ""

    def sort(self, *, sorts: Mapping, default: str, columns: Iterable[tuple[str, str]]) -> tuple[ListSort, SortPicker]:
        """The list's order (a sort it does not offer: its default, and why) for its headers, and the
        phone's "Sort by" of the same columns; both keep the values kept so far."""
        asked = self.request.GET.get("sort", "").strip()
        columns = list(columns)
        sorting = list_sort(query={**dict(self.kept), "sort": asked}, sorts=sorts, default=default, columns=columns,
                            path=self.request.path)
        if sorting.error:  # its reason names the sorts by their keys: the reader is told in words instead
            messages.warning(self.request, _("The list cannot be sorted by %(sort)s; it is in its usual order.")
                             % {"sort": _shown(asked)})
        elif asked:
            self.kept.append(("sort", sorting.value))
        picker = sort_picker(query=dict(self.kept), current=sorting.value, columns=columns, path=self.request.path)
        return sorting, picker

    @property
    def status(self) -> int:
        return 400 if self.refused else 200

    def _keep(self, name: str, value: str) -> str:
        if value:
            self.kept.append((name, value))
        return value
