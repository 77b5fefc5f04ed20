"""Settings → Webhooks: an endpoint's URL, description, events and whether it is on."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.ui.forms import SentOnceMixin
from clientpanel.webhooks.events import WEBHOOK_EVENTS

from .common import ServiceErrorsMixin


class WebhookForm(SentOnceMixin, ServiceErrorsMixin, forms.Form):
    """A new endpoint is made once per showing (two made by a double click would each receive every
    event); the same form edits one, where its key is not claimed (an edit sent twice sets the same)."""

    url = forms.CharField(label=_("URL"), max_length=1000, widget=forms.URLInput,
                          help_text=_("An http(s) address that answers 2xx to a POST; it must be public."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events"), required=False,
                                       widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                                       help_text=_("None ticked: every event, including those added later."))
    is_active = forms.BooleanField(label=_("Active (deliver messages)"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = [(name, f"{name} — {event.description}")
                                         for name, event in WEBHOOK_EVENTS.items()]
