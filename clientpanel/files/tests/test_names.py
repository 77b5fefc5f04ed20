"""Names from outside never reach the disk, and a download's name is always a harmless one."""

from __future__ import annotations

import pytest
from django.utils import translation

from clientpanel.files.names import MAX_NAME_LENGTH, download_name, name_from_upload, size_text


@pytest.mark.parametrize(("raw", "name"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("C:\\Users\\anna\\Umowa.pdf", "Umowa.pdf"),
    ("umowa\x00.pdf", "umowa.pdf"),
    ("  .hidden  ", "hidden"),
    ("", ""),
    (None, ""),
])
def test_an_uploaded_name_loses_its_directories_and_control_characters(raw, name):
    assert name_from_upload(raw) == name


def test_a_long_uploaded_name_is_cut_keeping_its_extension():
    name = name_from_upload("a" * 400 + ".pdf")
    assert len(name) == MAX_NAME_LENGTH and name.endswith("a.pdf")


@pytest.mark.parametrize(("name", "content_type", "expected"), [
    ("Signed contract", "application/pdf", "Signed contract.pdf"),
    ("scan.JPEG", "image/jpeg", "scan.JPEG"),
    ("contract.exe", "application/pdf", "contract.exe.pdf"),
    ("page.html", "text/plain; charset=utf-8", "page.html.txt"),
    ("export.csv", "text/plain; charset=utf-8", "export.csv"),
    ("../../etc/passwd", "text/plain; charset=utf-8", "etc_passwd.txt"),
    ('Umowa "A"; filename=x.exe', "application/pdf", "Umowa _A_ filename_x.exe.pdf"),
    ("Zażółć gęślą jaźń", "application/pdf", "Zażółć gęślą jaźń.pdf"),
    ("...", "image/png", "file.png"),
    ("line\r\nbreak", "application/pdf", "line_break.pdf"),
])
def test_a_download_name_is_safe_and_ends_as_its_type(name, content_type, expected):
    assert download_name(name, content_type) == expected


def test_a_very_long_name_downloads_under_a_shorter_one():
    assert len(download_name("x" * 200, "application/pdf")) <= 124


def test_sizes_are_shown_in_the_readers_language():
    assert [size_text(n) for n in (1, 812, 1536, 20 * 1024 * 1024)] == ["1 byte", "812 bytes", "1.5 KB", "20 MB"]
    with translation.override("pl"):
        assert size_text(1536) == "1,5 KB"
