"""Django's refusals of an e-mail template's markup, said in the reader's language (check_template,
rendering.py, puts "Line N: " before them): Django writes its TemplateSyntaxError in English, which
a Polish page showed as it was ("Wiersz 1: Unexpected end of expression in if tag."). The common
ones are recognised by their wording and said in ours; any other is a sentence of ours followed by
Django's text. Also the markers Django leaves as text — "{{", "{%" or "{#" not closed on their line,
which would reach a client's inbox as they are."""

from __future__ import annotations

import re

from django.template import Template
from django.template.base import TextNode
from django.utils.translation import gettext as _

from . import template_language

# The tags that close or continue the message language's tags: misplaced, they are not "not offered".
_INNER_TAGS = frozenset({"elif", "else", "endif", "endwith", "endcomment", "endspaceless", "endverbatim"})

_INVALID_TAG = re.compile(r"^Invalid block tag on line \d+: '([^']+)'(?:, expected (.+?))?\. Did you forget")
_INVALID_FILTER = re.compile(r"^Invalid filter: '([^']+)'")
_UNCLOSED = re.compile(r"^Unclosed tag on line \d+: '([^']+)'\. Looking for one of: (.+)\.$")
_UNUSED = re.compile(r"^Unused '(.+)' at end of if expression\.$")
_NOT_EXPECTED = re.compile(r"^Not expecting '(.+)' in this position in if tag\.$")
_NOT_INFIX = re.compile(r"^Not expecting '(.+)' as infix operator in if tag\.$")
_REMAINDER = re.compile(r"^Could not parse the remainder: '(.*)' from '(.*)'$", re.DOTALL)
_ARGUMENTS = re.compile(r"^(\w+) requires (\d+) arguments, (\d+) provided$")
_UNDERSCORE = re.compile(r"^Variables and attributes may not begin with underscores: '(.*)'$")
_WITH_INVALID = re.compile(r"^'with' received an invalid token: '(.*)'$")
_NO_VARIABLE = re.compile(r"^Could not find variable at start of (.*)\.$")
_QUOTED = re.compile(r"'([^']+)'")


def syntax_error_message(django_message: str) -> str:
    """Django's TemplateSyntaxError message in the reader's language (without its line)."""
    for recognise in (_not_offered, _misplaced_tag, _unclosed, _condition, _expression, _tag_arguments):
        said = recognise(django_message)
        if said:
            return said
    return _("The template's markup cannot be read; Django says: %(error)s") % {"error": django_message}


def _tag(name: str) -> str:
    return f"{{% {name} %}}"


def _not_offered(message: str) -> str | None:
    """A tag or filter the message language does not have, with what may be used instead."""
    found = _INVALID_TAG.match(message)
    if found and found.group(1) not in _INNER_TAGS and found.group(1) not in template_language.TAGS:
        return _("{%% %(tag)s %%} is not offered in e-mail templates; use %(tags)s.") % {
            "tag": found.group(1), "tags": ", ".join(_tag(tag) for tag in template_language.TAGS)}
    if found := _INVALID_FILTER.match(message):
        return _("The filter |%(filter)s is not offered in e-mail templates; use %(filters)s.") % {
            "filter": found.group(1), "filters": ", ".join(f"|{name}" for name in template_language.FILTERS)}
    return None


def _misplaced_tag(message: str) -> str | None:
    """A tag of the language where it cannot be: {% endwith %} inside {% if %}, {% endif %} or
    {% else %} with nothing open, {% elif %} after {% else %}."""
    found = _INVALID_TAG.match(message)
    if not found:
        return None
    if found.group(2):
        expected = ", ".join(_tag(name) for name in _QUOTED.findall(found.group(2)))
        return _("{%% %(tag)s %%} is out of place: the tag open before it needs one of %(expected)s first.") % {
            "tag": found.group(1), "expected": expected}
    return _("{%% %(tag)s %%} is out of place: no tag it belongs to is open before it.") % {"tag": found.group(1)}


def _unclosed(message: str) -> str | None:
    if found := _UNCLOSED.match(message):
        closing = [name.strip() for name in found.group(2).split(",")][-1]  # "elif, else, endif": endif
        return _("{%% %(tag)s %%} is not closed: add {%% %(end)s %%} where it ends.") % {
            "tag": found.group(1), "end": closing}
    if message.startswith("Empty variable tag"):
        return _("{{ }} is empty: write a variable's name inside it.") % {}
    if message.startswith("Empty block tag"):
        return _("{%% %%} is empty: write a tag inside it.") % {}
    return None


def _condition(message: str) -> str | None:
    """The condition of an {% if %} or {% elif %} (smartif's words)."""
    if message == "Unexpected end of expression in if tag.":
        return _("The {%% if %%} condition is incomplete: a value is missing (e.g. {%% if days %%} or "
                 "{%% if days > 3 %%}).") % {}
    if found := _UNUSED.match(message):
        return _("The {%% if %%} condition has “%(word)s” left over: join conditions with “and” or “or”, and compare "
                 "with ==, !=, <, >, <= or >=.") % {"word": found.group(1)}
    if found := _NOT_EXPECTED.match(message):
        return _("The {%% if %%} condition has “%(word)s” where a value belongs.") % {"word": found.group(1)}
    if found := _NOT_INFIX.match(message):
        return _("The {%% if %%} condition cannot put “%(word)s” between two values.") % {"word": found.group(1)}
    return None


def _expression(message: str) -> str | None:
    """A variable and its filters, in {{ }} or in a tag."""
    if found := _REMAINDER.match(message):
        return _("“%(rest)s” in “%(expression)s” cannot be read: write a variable's name, a quoted text or a number, "
                 "then |filter or |filter:argument (and compare with == in {%% if %%}).") % {
            "rest": found.group(1), "expression": found.group(2)}
    if found := _ARGUMENTS.match(message):
        name, required, provided = found.group(1), int(found.group(2)), int(found.group(3))
        if provided < required:
            return _("The filter |%(filter)s needs an argument after a colon, e.g. |%(filter)s:\"…\".") % {
                "filter": name}
        return _("The filter |%(filter)s takes no argument.") % {"filter": name}
    if found := _UNDERSCORE.match(message):
        return _("“%(name)s”: a variable's name cannot begin with _.") % {"name": found.group(1)}
    if found := _NO_VARIABLE.match(message):
        return _("“%(expression)s” does not begin with a variable's name.") % {"expression": found.group(1)}
    if message.startswith("Could not parse some characters"):
        return _("A filter is missing its name: write |filter after a value, one | each (e.g. {{ name|upper }}).") % {}
    return None


def _tag_arguments(message: str) -> str | None:
    """What {% with %} and {% firstof %} need."""
    if message == "'with' expected at least one variable assignment":
        return _("{%% with %%} needs a name and a value, e.g. {%% with amount=balance %%}.") % {}
    if found := _WITH_INVALID.match(message):
        return _("{%% with %%} takes name=value pairs only; “%(word)s” is not one.") % {"word": found.group(1)}
    if message == "'firstof' statement requires at least one argument":
        return _("{%% firstof %%} needs at least one variable.") % {}
    return None


_OPEN_MARKERS = (("{{", "}}"), ("{%", "%}"), ("{#", "#}"))


def unclosed_marker(template: Template) -> tuple[int, str] | None:
    """The line and message of a "{{", "{%" or "{#" that Django left as text (not closed on its
    line: Django reads a tag on one line only), which the client would get as it is; None if none."""
    return _unclosed_in(template.nodelist)


def _unclosed_in(nodes) -> tuple[int, str] | None:
    for node in nodes:
        if isinstance(node, TextNode):
            for opening, closing in _OPEN_MARKERS:
                at = node.s.find(opening)
                if at >= 0:
                    token = getattr(node, "token", None)
                    line = (token.lineno if token is not None else 1) + node.s.count("\n", 0, at)
                    return line, _("“%(opening)s” is not closed by “%(closing)s” on the same line.") % {
                        "opening": opening, "closing": closing}
        for attribute in getattr(node, "child_nodelists", ()):
            found = _unclosed_in(getattr(node, attribute, None) or ())
            if found:
                return found
    return None
