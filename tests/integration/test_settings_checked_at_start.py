"""Settings an operator types stop the start with one line naming the variable, the value and what
is accepted: an unknown currency, a language Clientpanel does not ship, a PDF font that is not there
(PDFs silently lost their Polish letters), a public address without its scheme (every e-mailed link
was relative). Under gunicorn the line is all that is printed, and the exit is not zero."""

from __future__ import annotations

import subprocess

import pytest

from tests.test_production_server import GUNICORN, PYTHON, ROOT, _env, _free_port

SETUP = ["-c", "import django; django.setup()"]
PROD = {"DJANGO_SETTINGS_MODULE": "config.settings.prod", "ALLOWED_HOSTS": "panel.example.com",
        "SECRET_KEY": "k7Hq-long-random-production-secret-9fZ2-w1-aB3dE5gH7jK9mN"}

BAD = [
    ({"CLIENTPANEL_CURRENCIES": "USD,EURO"}, "CLIENTPANEL_CURRENCIES='USD,EURO' names 'EURO', which is not an ISO "
     "4217 currency code: use three-letter codes in capitals, comma-separated, such as USD,EUR,PLN"),
    ({"CLIENTPANEL_CURRENCIES": "usd"}, "CLIENTPANEL_CURRENCIES='usd' names 'usd', which is not an ISO 4217"),
    ({"CLIENTPANEL_CURRENCIES": " , "}, "CLIENTPANEL_CURRENCIES=' , ' names none: use three-letter codes"),
    ({"CLIENTPANEL_LANGUAGES": "en,de"}, "CLIENTPANEL_LANGUAGES='en,de' names 'de', which is not a language "
     "Clientpanel ships: use some of en,pl"),
    ({"PDF_FONT": "/nowhere/DejaVuSans.ttf"}, "PDF_FONT='/nowhere/DejaVuSans.ttf' is not a readable file: name a "
     "TrueType font file (.ttf), or leave it empty for DejaVu Sans"),
    ({"PDF_FONT": "/tmp"}, "PDF_FONT='/tmp' is not a readable file"),
    ({"CLIENTPANEL_BASE_URL": "panel.example.com"}, "CLIENTPANEL_BASE_URL='panel.example.com' is not an http:// or "
     "https:// address: use the public address, such as https://panel.example.com"),
    ({"CLIENTPANEL_BASE_URL": "ftp://panel.example.com"}, "CLIENTPANEL_BASE_URL='ftp://panel.example.com' is not"),
    ({"CLIENTPANEL_BASE_URL": "https://"}, "CLIENTPANEL_BASE_URL='https://' is not an http:// or https:// address"),
    ({"CLIENTPANEL_BASE_URL": "https://panel.example.com:port"}, "CLIENTPANEL_BASE_URL='https://panel.example.com:"
     "port' is not"),
    ({"CLIENTPANEL_DEFAULT_CURRENCY": "JPY"}, "CLIENTPANEL_DEFAULT_CURRENCY='JPY' is not in CLIENTPANEL_CURRENCIES "
     "(USD,EUR,PLN,GBP,CAD): use one of them"),
    ({"CLIENTPANEL_CURRENCIES": "EUR,PLN", "CLIENTPANEL_DEFAULT_CURRENCY": "USD"}, "CLIENTPANEL_DEFAULT_CURRENCY="
     "'USD' is not in CLIENTPANEL_CURRENCIES (EUR,PLN)"),
    ({"CLIENTPANEL_DEFAULT_LANGUAGE": "de"}, "CLIENTPANEL_DEFAULT_LANGUAGE='de' is not in CLIENTPANEL_LANGUAGES"),
    ({"CLIENTPANEL_DEFAULT_COUNTRY": "pl"}, "CLIENTPANEL_DEFAULT_COUNTRY='pl' is not an ISO 3166-1 country code: "
     "use two capital letters, such as US or PL"),
    ({"CLIENTPANEL_DEFAULT_COUNTRY": "XX"}, "CLIENTPANEL_DEFAULT_COUNTRY='XX' is not an ISO 3166-1 country code"),
]


def _setup(**extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, *SETUP], cwd=ROOT, env=_env(**extra), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("extra, named", BAD, ids=lambda value: str(value)[:40])
def test_a_bad_value_stops_the_start_naming_it(extra, named):
    result = _setup(**extra)
    assert result.returncode != 0
    assert "ImproperlyConfigured: " + named in result.stderr, result.stderr[-2000:]


def test_production_settings_check_them_too(tmp_path):
    result = _setup(**PROD, DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}", CLIENTPANEL_LANGUAGES="pl,fr")
    assert result.returncode != 0
    assert "ImproperlyConfigured: CLIENTPANEL_LANGUAGES='pl,fr' names 'fr'" in result.stderr, result.stderr[-2000:]


SHOW = (SETUP[1] + "; from django.conf import settings as s; "
        "print(s.CLIENTPANEL_CURRENCIES, s.CLIENTPANEL_LANGUAGES, repr(s.PDF_FONT), s.CLIENTPANEL_BASE_URL, "
        "s.CLIENTPANEL_DEFAULT_CURRENCY, s.CLIENTPANEL_DEFAULT_LANGUAGE, s.CLIENTPANEL_DEFAULT_COUNTRY)")


def _shown(**extra: str) -> str:
    result = subprocess.run([PYTHON, "-c", SHOW], cwd=ROOT, env=_env(**extra), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_good_values_start_as_before(tmp_path):
    font = tmp_path / "Font.ttf"
    font.write_bytes(b"\0\1\0\0")  # read only when a PDF is made
    assert _shown(CLIENTPANEL_CURRENCIES="EUR, PLN", CLIENTPANEL_LANGUAGES="pl", PDF_FONT=str(font),
                  CLIENTPANEL_BASE_URL="https://panel.example.com/", CLIENTPANEL_DEFAULT_COUNTRY="PL") == (
        f"['EUR', 'PLN'] ['pl'] {str(font)!r} https://panel.example.com/ EUR pl PL")  # unset defaults: the lists' first
    assert _shown() == "['USD', 'EUR', 'PLN', 'GBP', 'CAD'] ['en', 'pl'] '' http://127.0.0.1:8000 USD en US"


def _besides_starting(printed: str) -> str:
    """What gunicorn printed besides its "Starting gunicorn" line (the check runs in its first hook)."""
    return "\n".join(line for line in printed.strip().splitlines() if "[INFO] Starting gunicorn" not in line)


@pytest.mark.parametrize("check_config", [False, True])
def test_gunicorn_prints_the_one_line_and_exits_non_zero(check_config):
    command = [GUNICORN, "-c", "config/gunicorn.conf.py", *(["--check-config"] if check_config else []), "config.wsgi"]
    result = subprocess.run(command, cwd=ROOT, env=_env(CLIENTPANEL_BASE_URL="panel.example.com", WEB_WORKERS="2",
                                                        WEB_BIND=f"127.0.0.1:{_free_port()}"),
                            capture_output=True, text=True, timeout=120)
    printed = result.stdout + result.stderr
    assert result.returncode != 0
    assert _besides_starting(printed) == ("ImproperlyConfigured: CLIENTPANEL_BASE_URL='panel.example.com' is not an "
                                          "http:// or https:// address: use the public address, such as "
                                          "https://panel.example.com (docs/deploy.md)."), printed


def test_gunicorn_names_the_production_settings_missing_secret_in_one_line_too(tmp_path):
    result = subprocess.run([GUNICORN, "-c", "config/gunicorn.conf.py", "config.wsgi"], cwd=ROOT,
                            env=_env(**PROD | {"SECRET_KEY": ""}, DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}",
                                     WEB_BIND=f"127.0.0.1:{_free_port()}"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    printed = result.stdout + result.stderr
    assert _besides_starting(printed) == "ImproperlyConfigured: Set SECRET_KEY in the environment.", printed
