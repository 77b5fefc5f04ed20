"""{% sent_once_key %}: a new one-time key for a form that is no Django form of its own (a Pay now
button): the hidden field ui.forms.SentOnceForm reads back, claimed by sent_once when sent."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from clientpanel.ui.forms import SUBMISSION, SentOnceForm

register = template.Library()


@register.simple_tag
def sent_once_key() -> SafeString:
    return SentOnceForm(auto_id=False)[SUBMISSION].as_hidden()
