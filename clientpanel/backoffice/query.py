"""Free text read from a list page's query string (the search box and text filters), checked once.

A search term reaches the database as it is typed, so it follows the text rule of core/text.py:
a NUL byte or another control character (which PostgreSQL refuses with an exception) is refused
with a 400 that shows the list again without that term and says why, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from clientpanel.core.text import text_problem

LABELS = {"q": gettext_lazy("Search"), "email": gettext_lazy("Email"), "action": gettext_lazy("Action"),
          "actor_kind": gettext_lazy("Actor")}


class RefusedQuery(BadRequest):
    """A query-string value the page cannot search for. Without @refuses_bad_query on the view
    this is still a 400 (Django's handler for BadRequest), only a plainer one."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"{LABELS.get(name, name.replace('_', ' ').capitalize())}: {problem}")
        self.name = name


def query_text(request: HttpRequest, name: str = "q", *, max_length: int | None = 100) -> str:
    """The query-string value `name`, stripped and cut to max_length (None: left to the selector,
    which says when it is too long); RefusedQuery when it holds control characters."""
    value = request.GET.get(name, "")
    problem = text_problem(value)
    if problem:
        raise RefusedQuery(name, problem)
    return value.strip()[:max_length]


def refuses_bad_query(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answers a refused query-string value with the page as it is without that value, the reason
    above it, and the status 400. List pages read the query string only, so running the view again
    changes nothing."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused_any = False
        for _ in range(len(request.GET) + 1):
            try:
                response = view(request, *args, **kwargs)
            except RefusedQuery as refused:
                query = request.GET.copy()
                query.pop(refused.name, None)
                request.GET = query
                messages.error(request, str(refused))
                refused_any = True
                continue
            if refused_any:
                response.status_code = 400
            return response
        raise BadRequest("The query string was refused.")

    return wrapper
