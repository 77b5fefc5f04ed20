"""The content decides what a file is; markup and everything off the allow-list is refused."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientpanel.files import detection
from clientpanel.files.detection import Refused, detect

from . import samples


@pytest.mark.parametrize(("content", "kind"), [
    (samples.PDF, detection.PDF),
    (samples.png(), detection.PNG),
    (samples.JPEG, detection.JPEG),
    (samples.GIF, detection.GIF),
    (samples.WEBP, detection.WEBP),
    (samples.docx(), detection.DOCX),
    (samples.xlsx(), detection.XLSX),
    (samples.pptx(), detection.PPTX),
    (samples.odt(), detection.ODT),
    (samples.ods(), detection.ODS),
    (samples.CSV, detection.TEXT),
    ("\ufeffKsięgowa: proszę o fakturę.\r\nDziękuję\n".encode(), detection.TEXT),
    (b"price < 10 and a > b\n", detection.TEXT),
])
def test_each_allowed_kind_is_told_by_its_content(content, kind):
    file = io.BytesIO(content)
    assert detect(file) == kind
    assert file.tell() == 0  # left at the start for the storage to copy


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty"),
    (samples.HTML, "markup"),
    (b"  \n\t<html><p>hi</p></html>", "markup"),
    (b"\xef\xbb\xbf<!doctype html>", "markup"),
    (b"Invoice attached.\nThanks!\n<script src=//evil.example/x.js></script>", "markup"),
    (b"<p>a paragraph</p>", "markup"),
    (samples.SVG, "markup"),
    (b"<svg onload=alert(1)>", "markup"),
    (b'<?xml version="1.0"?><invoice/>', "markup"),
    (b"notes\n<!-- hidden -->\n", "markup"),
    (b"a,b\n1,2\x00\n", "not accepted"),
    ("Zażółć".encode("iso-8859-2"), "UTF-8"),
    ("text".encode("utf-16"), "not accepted"),
    (b"MZ\x90\x00\x03\x00\x00\x00", "not accepted"),
    (b"\x7fELF\x02\x01\x01", "not accepted"),
    (samples.plain_zip(), "office documents"),
    (samples.docm(), "macros"),
    (b"PK\x03\x04 this is no zip at all", "cannot be read"),
])
def test_what_is_not_on_the_list_is_refused_with_a_reason(content, reason):
    with pytest.raises(Refused, match=reason):
        detect(io.BytesIO(content))


def test_markup_split_across_two_chunks_is_found():
    content = b"a" * (64 * 1024 - 3) + b"<script>alert(1)</script>"
    with pytest.raises(Refused, match="markup"):
        detect(io.BytesIO(content))


def test_markup_after_a_long_blank_start_is_found():
    with pytest.raises(Refused, match="markup"):
        detect(io.BytesIO(b" " * (200 * 1024) + b"<html>"))


@given(st.binary(max_size=2048))
def test_any_bytes_are_either_a_kind_or_a_refusal(content):
    try:
        kind = detect(io.BytesIO(content))
    except Refused:
        return
    assert kind in detection.ALLOWED_KINDS


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="<"), min_size=1,
               max_size=500))
def test_utf8_text_without_markup_is_text(text):
    assert detect(io.BytesIO(text.encode())) == detection.TEXT
