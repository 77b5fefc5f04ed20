"""A form whose bytes are not UTF-8 is a 400 that says so, never text stored with replacement
characters; a form in any language, percent-encoded as browsers send it, passes."""

import pytest
from django.test import Client
from django.urls import reverse

from clientpanel.ui.form_text import is_utf8_form

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(("body", "utf8"), [
    (b"postcode=%ED%A0%80", False),  # a surrogate's bytes: no UTF-8 character
    (b"city=Krak%F3w", False),  # Latin-2 "ó"
    (b"city=\xed\xa0\x80", False),  # raw, not percent-encoded
    (b"%FF=value", False),  # in a name too
    (b"city=Krak%C3%B3w&name=Za%C5%BC%C3%B3%C5%82%C4%87+g%C4%99%C5%9Bl%C4%85", True),
    (b"a=1&b=&&c", True), (b"", True), (b"note=%E2%82%AC+%F0%9F%99%82", True),
])
def test_every_name_and_value_must_decode_as_utf8(body, utf8):
    assert is_utf8_form(body) is utf8


@pytest.mark.django_db
@pytest.mark.parametrize("url", [reverse("portal:login"), reverse("backoffice:login")])
def test_a_form_that_is_not_utf8_is_refused_with_a_400_saying_so(url):
    browser = Client()
    refused = browser.post(url, b"email=a%40example.com&password=x%ED%A0%80", content_type=FORM)
    assert refused.status_code == 400
    assert "not UTF-8" in refused.content.decode()
    understood = browser.post(url, b"email=%C5%BC%40example.com&password=wrong", content_type=FORM)
    assert understood.status_code == 200  # read, and answered as a failed sign-in
