"""An e-mail template's syntax errors said in the reader's language with their line: Django's
English ("Unexpected end of expression in if tag.") never reaches a Polish page; a syntax error
not recognised is a sentence of ours followed by Django's text; a "{{" or "{%" left unclosed on its
line (which Django passes on as text, into the client's inbox) is refused too."""

import pytest
from django.utils import translation

from clientpanel.core.errors import ValidationFailed
from clientpanel.notifications.rendering import check_template, shipped
from clientpanel.notifications.syntax_errors import syntax_error_message

pytestmark = pytest.mark.django_db


def _refusal(body_text: str) -> str:
    with pytest.raises(ValidationFailed) as refused:
        check_template("low_balance", {**shipped("low_balance", "en"), "body_text": body_text})
    return refused.value.fields["body_text"][0]


@pytest.mark.parametrize(("source", "said", "django"), [
    ("Hi\n{% if %}x{% endif %}", "The {% if %} condition is incomplete", "Unexpected end of expression"),
    ("Hi\n{% if days > %}x{% endif %}", "The {% if %} condition is incomplete", "Unexpected end of expression"),
    ("Hi\n{% if days balance %}x{% endif %}", "has “balance” left over", "Unused"),
    ("Hi\n{% if and days %}x{% endif %}", "has “and” where a value belongs", "Not expecting"),
    ("Hi\n{% if days %}x", "{% if %} is not closed: add {% endif %}", "Unclosed tag"),
    ("Hi\n{% with a=days %}x", "{% with %} is not closed: add {% endwith %}", "Unclosed tag"),
    ("Hi\n{% if days %}{% endwith %}", "{% endwith %} is out of place", "Invalid block tag"),
    ("Hi\n{% endif %}", "{% endif %} is out of place", "Did you forget"),
    ("Hi\n{{ balance! }}", "“!” in “balance!” cannot be read", "Could not parse"),
    ("Hi\n{{ balance|default }}", "The filter |default needs an argument", "requires 2 arguments"),
    ("Hi\n{{ balance|upper:1 }}", "The filter |upper takes no argument", "requires 1 arguments"),
    ("Hi\n{{ }}", "{{ }} is empty", "Empty variable tag"),
    ("Hi\n{% with %}x{% endwith %}", "{% with %} needs a name and a value", "expected at least one"),
    ("Hi\nYour balance is {{ balance", "“{{” is not closed by “}}” on the same line", "{{ balance"),
    ("Hi\n{% if days %}soon{% endif %} {% if days", "“{%” is not closed by “%}”", "{% if days"),
])
def test_a_common_syntax_error_is_said_in_our_words_with_its_line(source, said, django):
    message = _refusal(source)
    assert message.startswith("Line 2: ") and said in message and django not in message


def test_the_reader_gets_it_in_polish_with_the_line():
    with translation.override("pl"):
        message = _refusal("Hi\n{% if %}x{% endif %}")
    assert message.startswith("Wiersz 2: ") and "Unexpected end of expression" not in message


def test_another_syntax_error_is_a_sentence_of_ours_then_djangos_text():
    message = _refusal("Hi\n{% templatetag nothing %}")
    assert message.startswith("Line 2: The template's markup cannot be read; Django says: ")
    assert "Invalid templatetag argument: 'nothing'" in message
    assert syntax_error_message("Something new in Django.").endswith("Django says: Something new in Django.")


def test_a_tag_not_offered_still_names_what_may_be_used():
    message = _refusal("Hi\n{% if days %}{% for c in balance %}{% endfor %}{% endif %}")
    assert message.startswith("Line 2: {% for %} is not offered in e-mail templates; use {% if %}")


def test_the_shipped_templates_pass_in_every_language():
    from clientpanel.notifications.kinds import MESSAGE_KINDS

    for language in ("en", "pl"):
        for key in MESSAGE_KINDS:
            parts = shipped(key, language)
            if parts is not None:
                check_template(key, parts)
