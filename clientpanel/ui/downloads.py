"""Files the page-rendering interfaces hand out (document PDFs, ZIPs): always as an attachment, and
when the file cannot be given (a DomainError: a stored PDF that no longer matches its SHA-256), the
reason on the page the user came from instead of an error page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from clientpanel.core.errors import DomainError


def attachment(request: HttpRequest, make_file: Callable[[], bytes], *, content_type: str, filename: str,
               back_to: str) -> HttpResponse:
    try:
        content = make_file()
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back_to)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
