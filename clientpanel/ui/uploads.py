"""Uploads the page-rendering interfaces take (client files): a file over the size limit is not
kept while the request is read — neither in memory nor in a temporary file — and the view learns
that it was too large rather than that it was missing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class FileSizeLimit(FileUploadHandler):
    """Put first in request.upload_handlers before the body is read (the view is csrf_exempt and
    checks the token itself with csrf_protect, Django's documented way): a file field past `limit`
    bytes is skipped — absent from request.FILES, its name in too_large — and the rest of the
    form is read as usual."""

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large: set[str] = set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large.add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers (memory or temporary file) make the file


def limit_uploads(request: HttpRequest, limit: int) -> FileSizeLimit:
    handler = FileSizeLimit(request, limit)
    request.upload_handlers.insert(0, handler)
    return handler


def upload_limited(limit: Callable[[], int]) -> Callable:
    """A view taking uploads of at most limit() bytes per file: the FileSizeLimit is in place before
    the body is read (so the view is csrf_exempt) and the CSRF token is then checked all the same
    (csrf_protect, Django's documented pair); the view gets the handler as its `upload_limit`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return protected(request, *args, upload_limit=limit_uploads(request, limit()), **kwargs)

        return wrapper

    return decorate
