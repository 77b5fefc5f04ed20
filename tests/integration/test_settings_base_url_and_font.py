"""CLIENTPANEL_BASE_URL and PDF_FONT checked at start beyond their form: a host with a space, a
user and password (which every e-mailed link would carry, never echoed back), port 0; a PDF_FONT
that is a file but no TrueType font (/etc/passwd broke every PDF), or an OpenType font with
PostScript outlines, which reportlab cannot embed. One line each, as the other settings."""

from __future__ import annotations

import pytest

from tests.integration.test_settings_checked_at_start import _setup, _shown

NOT_AN_ADDRESS = ("is not an http:// or https:// address: use the public address, such as "
                  "https://panel.example.com (docs/deploy.md).")


@pytest.mark.parametrize("value", ["https://panel example.com", "https://panel.example.com:0",
                                   "https://panel.example.com/a b", "http://[::1"])
def test_a_base_url_links_could_not_use_stops_the_start(value):
    result = _setup(CLIENTPANEL_BASE_URL=value)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: CLIENTPANEL_BASE_URL={value!r} {NOT_AN_ADDRESS}" in result.stderr, \
        result.stderr[-2000:]


def test_a_base_url_with_a_user_and_password_is_refused_without_echoing_them():
    result = _setup(CLIENTPANEL_BASE_URL="https://admin:s3cret-pw@panel.example.com")
    assert result.returncode != 0
    assert ("ImproperlyConfigured: CLIENTPANEL_BASE_URL (…@panel.example.com) names a user and password: use the "
            "public address alone, such as https://panel.example.com (docs/deploy.md).") in result.stderr, \
        result.stderr[-2000:]
    assert "s3cret-pw" not in result.stderr


@pytest.mark.parametrize("start, said", [(b"root:x:0:0:root:/root:/bin/bash\n", "is not a TrueType font file"),
                                         (b"OTTO\x00\x0b", "is an OpenType font with PostScript outlines, which "
                                                            "PDFs cannot embed"),
                                         (b"", "is not a TrueType font file")])
def test_a_pdf_font_that_is_no_truetype_font_stops_the_start(tmp_path, start, said):
    font = tmp_path / "Font.ttf"
    font.write_bytes(start)
    result = _setup(PDF_FONT=str(font))
    assert result.returncode != 0
    assert (f"ImproperlyConfigured: PDF_FONT={str(font)!r} {said}: name a TrueType font file (.ttf), or leave it "
            "empty for DejaVu Sans (docs/deploy.md).") in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("start", [b"\x00\x01\x00\x00", b"true", b"ttcf"])
def test_truetype_fonts_and_collections_and_addresses_with_ports_and_ipv6_start(tmp_path, start):
    font = tmp_path / "Font.ttf"
    font.write_bytes(start + b"\x00" * 8)
    shown = _shown(PDF_FONT=str(font), CLIENTPANEL_BASE_URL="https://[::1]:8443/panel/")
    assert f"{str(font)!r} https://[::1]:8443/panel/" in shown
    assert "http://127.0.0.1:8000" in _shown(CLIENTPANEL_BASE_URL="http://127.0.0.1:8000")
