"""The bad-input sweep's machinery: a staff panel crawled for its POST forms, each form sent values
that are wrong in every way a person or a script can get them wrong, and every answer checked for
the two things the product never does with bad input — a 500, and a half-write (rows added or
removed while the answer says the input was refused).

Used by test_bad_input_sweep.py; kept apart so that the test reads as what it checks."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
from django.db import connection
from django.urls import Resolver404, resolve

NUL = "Probe\x00name"
LONG = "x" * 10_000
# (kind, value) sent to every text-like field of a form at once.
TEXT_VALUES = [
    ("nul", NUL), ("long", LONG), ("whitespace", "   \t "),
    # JSON text (settings fields) whose escapes decode to what jsonb refuses
    ("json-nul", '{"a": "\\u0000"}'), ("json-infinity", '{"a": 1e999, "b": NaN}'),
    ("c1-control", "Probe\x85"), ("escape", "Probe\x1b[31m"),
    ("zero-width", "\u200b"), ("unicode-email", "żółć@exämple.com"),
    ("long-email", "a" * 300 + "@example.com"), ("replacement", "\ufffd\ufffe"),
]
NUMBER_VALUES = ["1e999", "NaN", str(10**30), "-1", "Infinity", "-Infinity", "-" + str(10**30), "1.00000000001",
                 "0x10", "１２"]
DATE_VALUES = ["0000-00-00", "2026-02-30", "9999-12-31", "0001-01-01", "99999-01-01", "2026-13-01"]
CHOICE_VALUES = ["no-such-choice", "\x00", str(10**30), "-1", "00000000-0000-0000-0000-000000000000", "not-a-uuid"]

# The durable test sends the first values of each list (a run under 30 s); SWEEP_FULL=1 sends them all.
FULL = os.environ.get("SWEEP_FULL") == "1"


def values(kinds: list, quick: int) -> list:
    return kinds if FULL else kinds[:quick]


# Tables that a refused request may write for good reasons: the session (sudo, messages), the
# throttle's and refusal log's own rows.
IGNORED_TABLES = {"django_session", "clientpanel_cache"}


@dataclass
class Finding:
    url: str
    what: str
    status: int
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.status} {self.what} at {self.url}: {self.detail[:300]}"


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]]
    kinds: dict[str, str] = field(default_factory=dict)  # field name -> text | number | date | choice | file
    buttons: list[tuple[str, str]] = field(default_factory=list)  # the named submit buttons: other actions

    @property
    def route(self) -> str:
        try:
            return resolve(urlsplit(self.action).path).view_name
        except Resolver404:
            return self.action


def row_counts() -> dict[str, int]:
    tables = [t for t in connection.introspection.table_names() if t not in IGNORED_TABLES]
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM \"{t}\"" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {t: after.get(t, 0) - n for t, n in before.items() if after.get(t, 0) != n}


def _kind(element) -> str:
    tag = element.tag
    if tag == "select":
        return "choice"
    if tag == "textarea":
        return "text"
    kind = (element.get("type") or "text").lower()
    if kind in ("number", "range"):
        return "number"
    if kind in ("date", "datetime-local", "month", "time"):
        return "date"
    if kind in ("radio",):
        return "choice"
    if kind in ("checkbox",):
        return "checkbox"
    if kind == "file":
        return "file"
    if kind in ("hidden", "submit", "button", "image", "reset"):
        return kind
    name = element.get("name") or ""
    if re.search(r"(amount|price|limit|rate|quantity|days|count|setup|fee|discount|number_start|credit)", name):
        return "number"
    if re.search(r"(date|_at$|_on$|since|until)", name):
        return "date"
    return "text"


def _parsed(html: str):
    return lxml.html.fromstring(html) if html.strip() else lxml.html.fromstring("<div></div>")


def forms_of(html: str, page_url: str) -> Iterator[Form]:
    doc = _parsed(html)
    for element in doc.xpath("//*[@hx-post][not(self::form)]"):
        if not element.xpath("ancestor::form"):
            yield Form(action=element.get("hx-post"), fields={})
    for form in doc.forms:
        if (form.get("method") or "get").lower() != "post" and not form.get("hx-post"):
            continue
        action = form.get("hx-post") or form.get("action") or page_url
        if not action.startswith("/"):
            action = page_url
        fields: dict[str, list[str]] = {}
        kinds: dict[str, str] = {}
        buttons = [(b.get("name"), b.get("value") or "")
                   for b in form.xpath(".//button[@name]|.//input[@type='submit'][@name]")]
        for element in form.xpath(".//input|.//select|.//textarea"):
            name = element.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            kind = _kind(element)
            kinds.setdefault(name, kind)
            if kind in ("submit", "button", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") or element.get("type") in ("checkbox", "radio"):
                if element.get("checked") is not None:
                    fields.setdefault(name, []).append(element.get("value") or "on")
                continue
            if element.tag == "select":
                chosen = [o.get("value", o.text_content()) for o in element.xpath(".//option[@selected]")]
                if not chosen:
                    options = [o.get("value", o.text_content()) for o in element.xpath(".//option")]
                    chosen = [next((o for o in options if o), "")] if options else []
                fields.setdefault(name, []).extend(chosen)
                continue
            if element.tag == "textarea":
                fields.setdefault(name, []).append(element.text or "")
                continue
            fields.setdefault(name, []).append(element.get("value") or "")
        yield Form(action=action, fields=fields, kinds=kinds, buttons=buttons)


def links_of(html: str) -> Iterator[str]:
    doc = _parsed(html)
    for href in doc.xpath("//a/@href|//*/@hx-get"):
        path = urlsplit(href).path
        if path.startswith("/staff/") and not re.search(r"(logout|export|\.csv|/pdf/|download|e-invoice/$)", path):
            yield path


def plausible(name: str, kind: str, n: int) -> str:
    """A value a person would type into an empty field, so that one bad field is the only one."""
    if kind == "number":
        return "1"
    if kind == "date":
        return "2026-11-24"
    if "email" in name:
        return f"probe{n}@example.com"
    if name in ("country",):
        return "PL"
    if "currency" in name:
        return "PLN"
    if "url" in name:
        return "https://example.com/hook"
    if "phone" in name:
        return "+48 600 100 200"
    if "password" in name:
        return "Correct-Horse-Battery-9"
    if "key" in name:
        return f"probe-{n}"
    return f"Probe {n}"
