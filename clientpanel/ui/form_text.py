"""A form whose fields are not UTF-8 is refused with a 400 that says so. Django reads a form's
bytes with replacement characters, so "\\xed\\xa0\\x80" in a postcode would be stored as "���"
without a word; browsers never send such bytes, a script may. A form sent as multipart (with
files) cannot be read here without spending the upload handlers a view may set: Django reads its
fields with replacement characters, and core.text.text_problem refuses those in every field."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

FORM = "application/x-www-form-urlencoded"


class FormNotUtf8(BadRequest):
    """ui.errors.bad_request names it to the person who sent the form."""


def is_utf8_form(body: bytes) -> bool:
    """Whether every name and value of an urlencoded form decodes as UTF-8."""
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


class Utf8FormMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") and request.content_type == FORM and not is_utf8_form(request.body):
            raise FormNotUtf8("The form's fields are not UTF-8.")
        return self.get_response(request)
