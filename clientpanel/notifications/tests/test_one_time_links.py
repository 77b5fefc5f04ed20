"""One-time links (a password reset's, a welcome's set-password link) are kept out of what is stored:
messages written before that rule are cleaned by migration 0003, and a data export shows none."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from clientpanel.notifications.links import links_filled, links_hidden
from clientpanel.notifications.models import EmailMessage, EmailStatus

pytestmark = pytest.mark.django_db

LINK = "http://panel.example.com/portal/password/reset/MTIz/cd2x4k-0123456789abcdef0123456789abcdef/"


def _stored(status: str) -> EmailMessage:
    now = timezone.now()
    return EmailMessage.objects.create(
        created_at=now, next_attempt_at=now, template="password_reset", language="en", recipient="a@example.com",
        subject="Reset", body_text=f"Choose a new password: {LINK}\nThanks", status=status,
        body_html=f'<p><a href="{LINK}">{LINK}</a></p>')


def test_the_migration_takes_the_links_out_of_messages_written_before():
    sent, waiting = _stored(EmailStatus.SENT), _stored(EmailStatus.QUEUED)
    migration = importlib.import_module("clientpanel.notifications.migrations.0003_email_one_time_links")
    migration.forwards(apps, None)
    sent.refresh_from_db()
    waiting.refresh_from_db()
    for message in (sent, waiting):
        assert LINK not in message.body_text + message.body_html
        assert "[[one-time-link:reset_password_url]]" in message.body_text
    assert sent.links == {}  # sent: nobody needs it any more
    assert waiting.links == {"reset_password_url": LINK}  # still to be sent: kept apart, filled in then
    assert links_filled(waiting.body_text, waiting.links) == f"Choose a new password: {LINK}\nThanks"


def test_what_anyone_but_the_recipient_reads_names_the_link_without_it():
    text = "Here: [[one-time-link:set_password_url]]."
    assert links_hidden(text) == "Here: [one-time link, sent only to the recipient]."
    assert links_filled(text, {"set_password_url": LINK}) == f"Here: {LINK}."
    assert links_filled(text, {}) == "Here: ."  # a link that is gone is never guessed


@pytest.mark.parametrize("template, html, sent", [
    ("Choose it here:\n[[one-time-link:reset_password_url]]\n", False, f"Choose it here:\n{LINK}\n"),
    ("Here: [[one-time-link:reset_password_url]].", False, f"Here: {LINK}."),
    ("https://evil.example/?u=[[one-time-link:reset_password_url]]", False, "https://evil.example/?u="),
    ('<a href="[[one-time-link:reset_password_url]]">Choose</a>', True, f'<a href="{LINK}">Choose</a>'),
    ("<p>[[one-time-link:reset_password_url]]</p>", True, f"<p>{LINK}</p>"),
    ('<img src="https://evil.example/[[one-time-link:reset_password_url]]">', True,
     '<img src="https://evil.example/">'),
    ('<div style="background:url( [[one-time-link:reset_password_url]] )">', True,
     '<div style="background:url(  )">'),
])
def test_a_link_is_filled_in_only_where_a_link_stands(template, html, sent):
    """A template staff edited cannot send the link to another site: only a link standing alone in
    the text, or an HTML link's whole address or text, receives it."""
    assert links_filled(template, {"reset_password_url": LINK}, html=html) == sent
