"""The part of Django's template language an e-mail template may use: conditions, plain filters
and comments. Nothing that reaches outside the message ({% include %}, {% extends %}, {% url %},
{% load %}, {% debug %}, {% csrf_token %}), nothing that multiplies the output ({% for %} over a
value's letters, {% lorem %}, |join between its letters, padding and number formats of any width)
and nothing that marks a client's value as HTML (|safe). The message engine's only library
(rendering.py)."""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

TAGS = ("if", "with", "firstof", "comment", "spaceless", "verbatim", "templatetag")
FILTERS = (
    "default", "default_if_none", "yesno", "pluralize", "length",
    "upper", "lower", "title", "capfirst", "cut", "add", "slugify", "striptags", "wordcount",
    "truncatechars", "truncatewords", "linebreaks", "linebreaksbr", "linenumbers",
    "first", "last", "slice", "escape", "force_escape", "urlencode", "iriencode",
)

register = Library()
for _name in TAGS:
    register.tag(_name, defaulttags.register.tags[_name])
for _name in FILTERS:
    register.filter(_name, defaultfilters.register.filters[_name])
