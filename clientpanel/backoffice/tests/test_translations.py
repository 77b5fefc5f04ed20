"""Translations (issue 10): the panel and the PDFs speak English or Polish; every word on a page
goes through gettext, and the Polish catalog is whole, reviewed (nothing fuzzy), compiled and in
step with the sources."""

from __future__ import annotations

import gettext
import io
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize
from pypdf import PdfReader

from clientpanel.accounts.models import User
from clientpanel.invoicing.pdf import document_pdf
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.invoicing.storage import stored_pdf

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATE_ROOTS = sorted(BASE_DIR.glob("clientpanel/*/templates"))
PO_FILE = BASE_DIR / "locale" / "pl" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
# Where messages are marked, and what is left out there (as `make messages` does).
SCANNED = ("clientpanel", "config")
NOT_SCANNED = {"tests", "migrations", "__pycache__"}

# --- a template's words outside {% translate %} ----------------------------------------------------

# Words that are the same in every language: the product's name.
UNTRANSLATED_ALLOWED = {"Clientpanel"}
# Attributes people read or hear (tooltips, placeholders, screen readers, confirmation dialogs).
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "hx-confirm", "data-confirm", "label"}
LETTER = re.compile(r"[^\W\d_]")
# A literal given to a filter that shows it: {{ x|default:"Any" }} (use default:_("Any")).
SHOWN_FILTER_LITERAL = re.compile(r"\|(?:default|default_if_none|yesno):([\"'])(.*?)\1")
VARIABLE = "\x00"  # stands for {{ … }} in the HTML the check reads: no letters
SHOWN_LITERAL = re.compile("\x01(\\d+)\x02")  # stands for a {{ … }} that shows a literal, by its index


def _skeleton(source: str) -> tuple[str, list[str]]:
    """The template's HTML with every tag, comment and translated block taken out and each
    variable replaced by VARIABLE (or SHOWN_LITERAL, when it holds a literal with letters that a
    filter may show); and those literals."""
    parts, shown = [], []
    skipping = None  # the end tag of a block whose content is not page text
    for token in Lexer(source).tokenize():
        contents = token.contents.strip()
        if skipping:
            if token.token_type == TokenType.BLOCK and contents.split()[0] == skipping:
                skipping = None
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        elif token.token_type == TokenType.VAR:
            literals = [m.group(2) for m in SHOWN_FILTER_LITERAL.finditer(contents) if LETTER.search(m.group(2))]
            if literals:
                parts.append(f"\x01{len(shown)}\x02")
                shown.append(" ".join(literals))
            else:
                parts.append(VARIABLE)
        elif token.token_type == TokenType.BLOCK:
            name = contents.split()[0]
            if name in {"blocktranslate", "blocktrans", "comment", "verbatim"}:
                skipping = {"blocktrans": "endblocktrans"}.get(name, f"end{name}")
    return "".join(parts), shown


class _VisibleText(HTMLParser):
    def __init__(self, shown: list[str]):
        super().__init__(convert_charrefs=True)
        self.shown = shown
        self.found: list[str] = []
        self._hidden_depth = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._hidden_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            shown = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in {"submit", "button"})
            if shown and value:
                self._check(value, f"{tag}[{name}]")

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data):
        if not self._hidden_depth:
            self._check(data, "text")

    def _check(self, text: str, where: str):
        self.found += [f"{where}, filter literal: {self.shown[int(i)]!r}" for i in SHOWN_LITERAL.findall(text)]
        words = " ".join(SHOWN_LITERAL.sub(" ", text).replace(VARIABLE, " ").split())
        for allowed in UNTRANSLATED_ALLOWED:
            words = words.replace(allowed, "")
        if LETTER.search(words):
            self.found.append(f"{where}: {words.strip()!r}")


def untranslated_literals(source: str) -> list[str]:
    """Words a reader would see that do not go through gettext."""
    html, shown = _skeleton(source)
    parser = _VisibleText(shown)
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_literal_check_finds_words_outside_translate_and_passes_translated_ones():
    assert untranslated_literals('<p class="lead">Hello {{ name }}</p>') == ["text: 'Hello'"]
    assert untranslated_literals('<input placeholder="Search" aria-label="{% translate "Search" %}">') == [
        "input[placeholder]: 'Search'"]
    assert untranslated_literals('<td>{{ c.country|default:"Any" }}</td>') == ["text, filter literal: 'Any'"]
    assert untranslated_literals('<div class="{{ col|default:\'col-md-6\' }}" title="{{ t|default:\'Hi\' }}">') == [
        "div[title], filter literal: 'Hi'"]
    assert untranslated_literals(
        '{% load i18n %}<h1 class="h4">{% translate "Dashboard" %}</h1><style>.x { color: red }</style>'
        '<p>{% blocktranslate with n=count %}Show {{ n }}{% endblocktranslate %} · {{ x|default:_("Any") }}</p>'
        '<a href="/staff/" class="btn {% if a %}active{% endif %}">Clientpanel</a>') == []


@pytest.mark.parametrize("template", [p for root in TEMPLATE_ROOTS for p in sorted(root.rglob("*.html"))],
                         ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_templates_have_no_untranslated_literals(template: Path):
    assert untranslated_literals(template.read_text()) == []


# --- the Polish catalog ----------------------------------------------------------------------------

def _catalog():
    with PO_FILE.open("rb") as po:
        return read_po(po)


def _key(context, message) -> tuple:
    return context or "", message if isinstance(message, str) else tuple(message)


def test_polish_catalog_has_every_entry_translated_and_nothing_fuzzy():
    catalog = _catalog()
    assert not catalog.fuzzy, "the header is marked fuzzy"
    untranslated = [m.id for m in catalog if m.id and not (
        m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_polish_translations_keep_the_placeholders_of_their_message():
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    broken = []
    for message in _catalog():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(placeholder.findall(ids[-1]))
        broken += [(message.id, s) for s in strings if set(placeholder.findall(s)) != wanted]
    assert broken == []


# The gettext functions makemessages looks for, as Babel's extractor spells them.
KEYWORDS = {
    "_": None, "gettext": None, "gettext_lazy": None, "gettext_noop": None, "ngettext": (1, 2),
    "ngettext_lazy": (1, 2), "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "npgettext_lazy": ((1, "c"), 2, 3),
}


def _scanned(suffix: str):
    for top in SCANNED:
        for path in sorted((BASE_DIR / top).rglob(f"*{suffix}")):
            if not NOT_SCANNED & set(path.relative_to(BASE_DIR).parts[:-1]):
                yield path


def marked_messages() -> set[tuple]:
    """Every (context, message) the sources mark for translation, found as makemessages finds
    them (templates turned into Python by Django's templatize, then read for gettext calls) but
    with Babel alone, so the check needs no GNU gettext."""
    found = set()
    sources = [(path, path.read_bytes()) for path in _scanned(".py")]
    # templatize keeps the template's indentation, which Python's tokenizer would refuse.
    sources += [(path, "\n".join(line.lstrip() for line in templatize(path.read_text(), origin=str(path))
                                  .splitlines()).encode())
                for root in TEMPLATE_ROOTS for path in sorted(root.rglob("*.html"))]
    for _path, code in sources:
        for _line, message, _comments, context in extract("python", io.BytesIO(code), keywords=KEYWORDS):
            found.add(_key(context, message))
    return found


def test_polish_catalog_holds_exactly_the_messages_the_sources_mark():
    in_catalog = {_key(m.context, m.id) for m in _catalog() if m.id}
    in_sources = marked_messages()
    assert sorted(in_sources - in_catalog, key=str) == [], "new messages: run `make messages` and translate them"
    assert sorted(in_catalog - in_sources, key=str) == [], "messages no longer used: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_makemessages_finds_the_same_messages(tmp_path):
    """The check above reads the sources as Django's makemessages does: run makemessages over
    the same folders (linked into a temporary directory, so it writes into a copy of the catalog
    there and never into locale/) and compare."""
    locale = tmp_path / "locale"
    (locale / "pl" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO_FILE, locale / "pl" / "LC_MESSAGES" / "django.po")
    for top in SCANNED:
        (tmp_path / top).symlink_to(BASE_DIR / top)
    script = ("import django, sys; from django.conf import settings; django.setup(); "
              "settings.LOCALE_PATHS = [sys.argv[1]]; from django.core.management import call_command; "
              "call_command('makemessages', locale=['pl'], no_obsolete=True, add_location='file', verbosity=0, "
              f"symlinks=True, ignore_patterns={['*/tests/*', '*/migrations/*']!r})")
    subprocess.run([sys.executable, "-c", script, str(locale)], cwd=tmp_path, check=True,
                   env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"})
    with (locale / "pl" / "LC_MESSAGES" / "django.po").open("rb") as po:
        made = {_key(m.context, m.id) for m in read_po(po) if m.id}
    assert made == marked_messages()


def test_compiled_catalog_is_the_polish_catalog():
    """django.mo is committed: it must say what django.po says (`make messages` compiles it)."""
    with MO_FILE.open("rb") as mo:
        compiled = {k: v for k, v in gettext.GNUTranslations(mo)._catalog.items() if k != ""}
    expected = {}
    for message in _catalog():
        if not message.id:
            continue
        prefix = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, str):
            expected[prefix + message.id] = message.string
        else:
            expected |= {(prefix + message.id[0], i): s for i, s in enumerate(message.string)}
    assert compiled == expected


# --- the panel and the PDFs in Polish --------------------------------------------------------------


def test_english_is_the_default_and_html_lang_says_so(staff_client):
    page = staff_client.get(reverse("backoffice:dashboard")).content.decode()
    assert '<html lang="en">' in page and ">Dashboard</h1>" in page and 'aria-pressed="true">English<' in page


def test_a_staff_member_who_chose_polish_reads_the_panel_in_polish(staff_client, staff, make_client):
    client = make_client(company_name="Zenith Systems")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="150.00")
    back = reverse("backoffice:client-list")
    switched = staff_client.post(reverse("backoffice:account-language"), {"language": "pl", "next": back})
    assert switched.status_code == 302 and switched["Location"] == back
    assert User.objects.get(pk=staff.pk).language == "pl"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"

    dashboard = staff_client.get(reverse("backoffice:dashboard")).content.decode()
    assert '<html lang="pl">' in dashboard
    for polish in [">Pulpit</h1>", "Ostatnio dodani klienci", "Zarządzaj klientami", "Wyloguj",
                   'aria-pressed="true">Polski<', ">NOWY</span>"]:
        assert polish in dashboard, polish
    document = staff_client.get(reverse("backoffice:document-detail", args=[proforma.pk])).content.decode()
    for polish in ["Pobierz PDF", "Zaksięguj wpłatę", "Sprzedawca", "Nabywca", "Razem", "NIEOPŁACONA",
                   "Termin płatności"]:
        assert polish in document, polish
    assert "UNPAID" not in document
    profile = staff_client.get(reverse("backoffice:client-profile", args=[client.pk])).content.decode()
    assert "Termin płatności (dni)" in profile and ">7 dni<" in profile and "payment_terms_days<" not in profile
    # The choice is kept on the account: the next login speaks Polish whatever the browser asks.
    staff_client.logout()
    staff_client.force_login(User.objects.get(pk=staff.pk))
    again = staff_client.get(reverse("backoffice:dashboard"), headers={"accept-language": "en"}).content.decode()
    assert ">Pulpit</h1>" in again
    # And back to English.
    staff_client.post(reverse("backoffice:account-language"), {"language": "en"})
    assert ">Dashboard</h1>" in staff_client.get(reverse("backoffice:dashboard")).content.decode()


def test_the_switch_refuses_a_language_the_panel_does_not_speak(staff_client, staff):
    response = staff_client.post(reverse("backoffice:account-language"), {"language": "de"}, follow=True)
    assert "The panel does not speak that language." in response.content.decode()
    assert User.objects.get(pk=staff.pk).language == "en"


def test_the_login_page_follows_the_browser_language(client, db):
    page = client.get(reverse("backoffice:login"), headers={"accept-language": "pl"}).content.decode()
    assert '<html lang="pl">' in page and "Zaloguj się" in page and "Hasło" in page


def _pdf_text(content: bytes) -> str:
    return PdfReader(io.BytesIO(content)).pages[0].extract_text()


def test_a_polish_clients_pdf_is_in_polish_whoever_issues_it(staff_client, make_client):
    polish = make_client(language="pl", company_name="Kowalski sp. z o.o.")
    staff_client.post(reverse("backoffice:add-funds", args=[polish.pk]), {"net_amount": "150.00"})
    text = _pdf_text(stored_pdf(polish.documents.get()))  # issued by a staff member reading English
    for words in ["Faktura proforma", "Numer", "Data wystawienia", "Termin płatności", "Sprzedawca", "Nabywca",
                  "Pozycja", "Ilość", "Cena jedn.", "Netto", "Razem", "150,00 USD"]:
        assert words in text, words
    assert "Proforma invoice" not in text and "Seller" not in text


def test_an_english_clients_pdf_stays_english_in_a_polish_request(make_client):
    english = make_client(language="en")
    document = proforma_add_funds(actor=None, client_id=english.pk, net_amount="10.00")
    with translation.override("pl"):
        text = _pdf_text(document_pdf(document))
    assert "Proforma invoice" in text and "Seller" in text and "Sprzedawca" not in text
