"""What an e-mail template may say: conditions, plain filters and the message's variables. Tags
that reach outside the message, multiply it or mark a client's value as HTML are save errors; a
variable read anywhere (a filter's argument, {% with %}, {% firstof %}) must be the message's; a
part that fails when filled in is a preview error; and an edit stored before these rules that
breaks one, or fails when sent, gives way to the shipped default."""

import logging

import pytest

from clientpanel.core.errors import ValidationFailed
from clientpanel.notifications.models import EmailTemplate
from clientpanel.notifications.rendering import PART_MAX, check_template, preview_parts, render, shipped

pytestmark = pytest.mark.django_db


def _parts(**changed):
    return {**shipped("low_balance", "en"), **changed}


@pytest.mark.parametrize("source", [
    '{% include "/etc/passwd" %}', '{% extends "base.html" %}', '{% url "portal:login" %}', "{% load static %}",
    "{% debug %}", "{% lorem 2000000 w %}", "{% for c in balance %}{{ c }}{% endfor %}", "{% csrf_token %}",
    "{% now 'Y' %}", "{% cycle 'a' 'b' %}", "{% autoescape off %}{{ balance }}{% endautoescape %}",
    "{{ balance|safe }}", '{{ balance|center:"99999999" }}', '{{ days|stringformat:"099999999d" }}',
    '{{ balance|join:"x" }}', "{{ balance|make_list }}",
])
def test_a_tag_or_filter_outside_the_message_language_is_refused_with_its_line(source):
    with pytest.raises(ValidationFailed) as refused:
        check_template("low_balance", _parts(body_text="Hello\n" + source))
    message = refused.value.fields["body_text"][0]
    assert message.startswith("Line 2: ") and "is not offered in e-mail templates; use " in message
    assert "{% if %}" in message or "|default" in message  # what may be used instead


@pytest.mark.parametrize("source", [
    "{{ balance|default:SECRET_KEY }}", "{% if days > settings.DEBUG %}x{% endif %}",
    "{% with key=SECRET_KEY %}{{ key }}{% endwith %}", "{% firstof nothing_here balance %}",
    '{{ balance|yesno:other }}', "{% with a=balance %}{% endwith %}{{ a }}",
    "{% with a=balance %}{% if a %}{{ a }}{% endif %}{% endwith %}{% if a %}x{% endif %}",
])
def test_a_variable_read_anywhere_must_be_the_messages(source):
    with pytest.raises(ValidationFailed) as refused:
        check_template("low_balance", _parts(body_html=source))
    assert refused.value.fields["body_html"][0].startswith("Unknown variable: ")


def test_conditions_filters_with_and_firstof_serve_a_message():
    parts = _parts(subject="{% with amount=balance|upper %}Low: {{ amount }}{% endwith %}",
                   body_text='{% if days > 3 %}{{ days }} days{% else %}soon{% endif %}, '
                             '{% firstof available balance %} {{ balance|default:available|truncatechars:40 }}')
    check_template("low_balance", parts)
    rendered = preview_parts("low_balance", parts, {"balance": "$1.00", "available": "$5.00", "days": 7})
    assert rendered.subject == "Low: $1.00" and rendered.body_text == "7 days, $5.00 $1.00\n"


def test_a_part_too_long_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        check_template("low_balance", _parts(body_text="x" * (PART_MAX + 1)))
    assert refused.value.fields["body_text"] == [f"At most {PART_MAX:,} characters.".replace(",", "")]


def test_a_part_that_fails_when_filled_in_is_a_preview_error_naming_it():
    parts = _parts(body_html="<p>{{ days|first }}</p>")  # days is a number: nothing to take the first of
    check_template("low_balance", parts)
    with pytest.raises(ValidationFailed) as refused:
        preview_parts("low_balance", parts, {"days": 7})
    assert refused.value.fields["body_html"][0].startswith("This part fails when it is filled in: ")
    assert "body_text" not in refused.value.fields


def test_a_stored_edit_that_fails_when_sent_gives_way_to_the_shipped_default(caplog):
    EmailTemplate.objects.create(key="low_balance", language="en", subject="Edited {{ balance }}",
                                 body_text='{% include "/etc/passwd" %}', body_html="")
    with caplog.at_level(logging.WARNING, logger="clientpanel.notifications.rendering"):
        rendered = render("low_balance", "en", {"balance": "$1.00", "available": "$2.00", "days": 7})
    assert not rendered.subject.startswith("Edited") and "$1.00" in rendered.body_text
    assert "low_balance" in caplog.text and "shipped default" in caplog.text


@pytest.mark.parametrize("body", ["Hello {{ balance\nbye", "Hello {{ not_a_variable }}"])
def test_a_stored_edit_that_breaks_a_rule_but_would_render_gives_way_to_the_default_too(body):
    """"{{ balance" left open went out with its braces, an unknown variable as a blank: an edit the
    checks refuse is never sent, as the template pages say ("default sent")."""
    EmailTemplate.objects.create(key="low_balance", language="en", subject="Edited {{ balance }}",
                                 body_text=body, body_html="")
    rendered = render("low_balance", "en", {"balance": "$1.00", "available": "$2.00", "days": 7})
    assert not rendered.subject.startswith("Edited") and rendered.body_text != body
    assert "{{" not in rendered.body_text and "$1.00" in rendered.body_text
