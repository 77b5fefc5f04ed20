"""Templates of the messages: the shipped defaults (defaults/<language>/<key>.*), staff edits over
them (EmailTemplate rows), their checks at save, and rendering.

Templates use Django's template language on an engine of their own: no loaders, and only the tags
and filters of template_language.py (nothing included, extended or linked; no loops), HTML escaped
in the HTML body only. A template may use only the variables its message lists (kinds.py), in
{{ }}, in conditions and in a filter's argument, so a typo is a save error, never a blank in a
client's inbox. A staff edit saved before a rule it breaks, or that fails when it is sent, is
logged and the shipped default goes out instead (the template pages say so: edits_refused)."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Variable, VariableNode
from django.template.defaulttags import FirstOfNode, IfNode, WithNode
from django.utils.translation import gettext as _

from clientpanel.core.errors import FieldErrors, ValidationFailed
from clientpanel.core.text import at_most_characters, text_problem

from .kinds import MESSAGE_KINDS
from .models import EmailTemplate
from .syntax_errors import syntax_error_message, unclosed_marker

DEFAULTS = Path(__file__).resolve().parent / "defaults"
PARTS = ("subject", "body_text", "body_html")
_FILES = {"subject": "subject.txt", "body_text": "txt", "body_html": "html"}
# Markup an e-mail never needs, which the staff panel's preview (the HTML shown as it is) must not
# carry: htmx acts on hx-* attributes (and a htmx-config <meta>) with the viewer's session and CSRF
# token, so a template one staff member saved would act as whoever previews it; scripts, frames,
# forms, meta refreshes and <base> besides. Refused in the source at save and in what the preview
# renders (a template can build an attribute's name from its tags).
_ACTIVE_MARKUP = re.compile(
    r"(?<![\w-])(?:data-)?hx-[\w:.-]+\s*=|<\s*(?:script|iframe|frame|object|embed|form|meta|base)\b", re.IGNORECASE)
PART_MAX = 100_000  # characters of one part: a long e-mail is a few thousand


class _MessageEngine(Engine):
    default_builtins: list[str] = []  # Django's full tag and filter set is not offered


_LANGUAGE = ["clientpanel.notifications.template_language"]
_text_engine = _MessageEngine(autoescape=False, debug=True, builtins=_LANGUAGE)
_html_engine = _MessageEngine(autoescape=True, debug=True, builtins=_LANGUAGE)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


@functools.cache
def shipped(key: str, language: str) -> dict[str, str] | None:
    """The shipped default of a message in a language, or None when that language has none."""
    folder = DEFAULTS / language
    if not (folder / f"{key}.subject.txt").exists():
        return None
    return {part: (folder / f"{key}.{suffix}").read_text(encoding="utf-8") for part, suffix in _FILES.items()}


def template_parts(key: str, language: str) -> dict[str, str] | None:
    """What is used for a message in a language: the staff edit, else the shipped default."""
    edited = EmailTemplate.objects.filter(key=key, language=language).first()
    if edited is not None:
        return {"subject": edited.subject, "body_text": edited.body_text, "body_html": edited.body_html}
    return shipped(key, language)


def edits_refused() -> set[tuple[str, str]]:
    """The (key, language) of the staff edits that no longer pass check_template (saved before a
    rule they break): render sends the shipped default in their place, and the pages say so."""
    return {(edit.key, edit.language) for edit in EmailTemplate.objects.filter(key__in=list(MESSAGE_KINDS))
            if not _passes(edit.key, edit.subject, edit.body_text, edit.body_html)}


def message_language(*languages: str | None) -> str:
    """The first of the languages (the client's, then its home company's) the product speaks;
    English otherwise."""
    spoken = set(settings.CLIENTPANEL_LANGUAGES)
    return next((lang for lang in languages if lang and lang in spoken), "en")


def _compile(part: str, source: str) -> Template:
    engine = _html_engine if part == "body_html" else _text_engine
    return engine.from_string(source)


def _expression_names(expression) -> set[str | None]:
    """The top-level names a filter expression reads: its variable ({{ x.y|f }} reads x) and its
    filters' arguments ({{ x|default:y }} reads y too); a literal reads none."""
    found = [getattr(expression, "var", None)] + [arg for _f, args in getattr(expression, "filters", ())
                                                  for lookup, arg in args if lookup]
    return {var.var.split(".")[0] for var in found if isinstance(var, Variable) and var.lookups is not None}


def _names_used(template: Template) -> set[str]:
    """The top-level variable names a template reads, in {{ }}, {% if %}, {% with %} and {% firstof %}:
    a name a {% with %} sets is not the message's inside that block only."""
    names = _names_read(template.nodelist, frozenset())
    names.discard(None)
    return names  # type: ignore[return-value]


def _names_read(nodes, bound: frozenset) -> set[str | None]:
    names: set[str | None] = set()
    for node in nodes:
        if isinstance(node, VariableNode):
            names |= _expression_names(node.filter_expression)
        elif isinstance(node, FirstOfNode):
            for expression in node.vars:
                names |= _expression_names(expression)
        elif isinstance(node, IfNode):
            for condition, nodelist in node.conditions_nodelists:
                names |= _condition_names(condition) | _names_read(nodelist, bound)
            continue
        elif isinstance(node, WithNode):
            for expression in node.extra_context.values():
                names |= _expression_names(expression)
            names |= _names_read(node.nodelist, bound | set(node.extra_context))
            continue
        for attribute in getattr(node, "child_nodelists", ()):  # {% spaceless %} and the like
            names |= _names_read(getattr(node, attribute, None) or (), bound)
    return names - bound


def _condition_names(condition) -> set:
    """Names read by an {% if %} condition: its operands, recursively (literals read none)."""
    if condition is None:
        return set()
    names = _expression_names(getattr(condition, "value", None))
    for operand in (getattr(condition, "first", None), getattr(condition, "second", None)):
        names |= _condition_names(operand)
    return names


def check_template(key: str, parts: dict[str, str]) -> None:
    """Refuse a template that does not compile (naming the line) or reads a variable its message
    does not have; raises ValidationFailed with one entry per part."""
    errors = FieldErrors()
    kind = MESSAGE_KINDS[key]
    allowed = set(kind.all_variables)
    for part in PARTS:
        source = parts.get(part, "")
        if part != "body_html" and not source.strip():
            errors.add(part, _("This part cannot be empty."))
            continue
        if part == "subject" and ("\n" in source.strip() or len(source) > 255):
            errors.add(part, _("A subject is one line of at most 255 characters."))
            continue
        if len(source) > PART_MAX:
            errors.add(part, at_most_characters(PART_MAX))
            continue
        if problem := text_problem(source):  # a control character, a text damaged on the way (U+FFFD)
            errors.add(part, problem)
            continue
        try:
            template = _compile(part, source)
        except TemplateSyntaxError as error:
            # Django's words are English: said in the reader's language (syntax_errors.py).
            line = getattr(error, "template_debug", {}).get("line")
            message = syntax_error_message(str(error))
            errors.add(part, _("Line %(line)s: %(message)s") % {"line": line, "message": message}
                       if line else message)
            continue
        if unclosed := unclosed_marker(template):  # left as text by Django: the client would get it as it is
            errors.add(part, _("Line %(line)s: %(message)s") % {"line": unclosed[0], "message": unclosed[1]})
            continue
        if part == "body_html":
            refuse_active_markup(source, errors)
        unknown = sorted(_names_used(template) - allowed)
        if unknown:
            errors.add(part, _("Unknown variable: %(names)s. Use one of the variables listed beside the editor.")
                       % {"names": ", ".join(unknown)})
    errors.raise_if_any()


def refuse_active_markup(html: str, errors: FieldErrors) -> None:
    """A field error on body_html when the HTML carries markup that would act in the staff panel."""
    found = _ACTIVE_MARKUP.search(html)
    if found:
        errors.add("body_html", _("An e-mail's HTML cannot carry %(markup)s: no htmx attributes, scripts, frames, "
                                  "forms, <meta> or <base>.") % {"markup": found.group(0).strip()})


def preview_parts(key: str, parts: dict[str, str], context: dict[str, object]) -> Rendered:
    """render_parts for the staff panel's preview, which shows the HTML as it is: a part that fails
    when filled in is a field error naming what failed, and what the template's tags built is
    refused when it carries markup that would act there (past the source's check)."""
    errors = FieldErrors()
    values = _values(key, context)
    filled: dict[str, str] = {}
    for part in PARTS:
        try:
            filled[part] = _fill(part, parts[part], values)
        except Exception as error:  # a filter's argument it cannot take ({{ x|truncatechars:"a" }}, …)
            errors.add(part, _("This part fails when it is filled in: %(error)s") % {"error": error})
    errors.raise_if_any()
    rendered = Rendered(**filled)
    refuse_active_markup(rendered.body_html, errors)
    errors.raise_if_any()
    return rendered


def render(key: str, language: str, context: dict[str, object]) -> Rendered:
    """The message in the language (falling back to English when that language has no template)."""
    parts = template_parts(key, language) or template_parts(key, "en")
    if parts is None:
        raise LookupError(f"No template for the message {key!r}.")
    default = shipped(key, language) or shipped(key, "en")
    if default is not None and parts != default and not _passes(key, *(parts[part] for part in PARTS)):
        # Saved before a rule it breaks: one that would render ("{{ name" left open, an unknown
        # variable left blank) goes out as wrong as one that fails; the pages say the default is sent.
        log.warning("the edited template of %s (%s) breaks a rule; the shipped default is sent", key, language)
        parts = default
    try:
        return render_parts(key, parts, context)
    except Exception:  # any failure of a template (a tag, a filter, a variable): the message still goes
        if default is None or parts == default:
            raise
        log.exception("the edited template of %s (%s) failed; the shipped default is sent", key, language)
        return render_parts(key, default, context)


@functools.lru_cache(maxsize=256)
def _passes(key: str, subject: str, body_text: str, body_html: str) -> bool:
    """Whether a template passes check_template (asked once per text a process sends)."""
    try:
        check_template(key, {"subject": subject, "body_text": body_text, "body_html": body_html})
    except ValidationFailed:
        return False
    return True


def render_parts(key: str, parts: dict[str, str], context: dict[str, object]) -> Rendered:
    """Templates as given (the ones in use, or the shipped default) filled with the context."""
    values = _values(key, context)
    return Rendered(**{part: _fill(part, parts[part], values) for part in PARTS})


def _values(key: str, context: dict[str, object]) -> dict[str, object]:
    return {name: context.get(name, "") for name in MESSAGE_KINDS[key].all_variables}


def _fill(part: str, source: str, values: dict[str, object]) -> str:
    """One part filled in. A Context escapes HTML unless told otherwise, whatever its engine says:
    the subject and the text version are plain text ("Smith & Sons", not "Smith &amp; Sons"); only
    the HTML escapes."""
    if part == "body_html":
        return _compile(part, source).render(Context(values)).strip() if source else ""
    filled = _compile(part, source).render(Context(values, autoescape=False))
    return " ".join(filled.split())[:255] if part == "subject" else filled.strip() + "\n"
