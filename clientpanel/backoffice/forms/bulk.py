"""The directory's bulk actions: what each asks on its confirmation page (a status, a group, an
e-mail). The selection itself is not a form field: it is read again from the request each time."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.clients import selectors as client_selectors
from clientpanel.clients.models import ClientStatus
from clientpanel.core.errors import ValidationFailed
from clientpanel.notifications.bulk import (
    BULK_EMAIL_TEMPLATES,
    SUBJECT_LIMIT,
    TEXT_LIMIT,
    TO_ALL_USERS,
    TO_OWNER,
    staff_message_clean,
)
from clientpanel.notifications.kinds import STAFF_MESSAGE, WELCOME

from .common import ServiceErrorsMixin, choices_with_blank


class BulkStatusForm(ServiceErrorsMixin, forms.Form):
    # No status is preselected: Run must never set the first one by default.
    status = forms.ChoiceField(label=_("New status"), choices=choices_with_blank(ClientStatus.choices))

    def arguments(self) -> dict:
        return {"action": "status", "value": self.cleaned_data["status"]}


NO_GROUP = "none"


class BulkGroupForm(ServiceErrorsMixin, forms.Form):
    group = forms.ChoiceField(label=_("Group"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = choices_with_blank([
            *[(str(pk), name) for pk, name in client_selectors.group_names()],
            (NO_GROUP, _("No group (take them out of theirs)"))])

    def arguments(self) -> dict:
        group = self.cleaned_data["group"]
        return {"action": "group", "value": None if group == NO_GROUP else int(group)}


TEMPLATE_CHOICES = {
    STAFF_MESSAGE: _("A message you write (the “Message from staff” template)"),
    WELCOME: _("The welcome e-mail again (to each owner, with a link to choose a password when it has none)"),
}


class BulkEmailForm(ServiceErrorsMixin, forms.Form):
    template = forms.ChoiceField(label=_("E-mail"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                 initial=STAFF_MESSAGE)
    recipients = forms.ChoiceField(label=_("To"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                                   initial=TO_OWNER, required=False,
                                   choices=[(TO_OWNER, _("The owner of each client")),
                                            (TO_ALL_USERS, _("Every user of each client"))])
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_LIMIT, required=False)
    text = forms.CharField(label=_("Message"), max_length=TEXT_LIMIT, required=False, strip=False,
                           widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Plain text; it goes inside the “Message from staff” template (Settings → "
                                       "E-mail templates), in each client's language."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(key, TEMPLATE_CHOICES[key]) for key in BULK_EMAIL_TEMPLATES]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("template") == STAFF_MESSAGE:
            try:
                staff_message_clean(subject=cleaned.get("subject", ""), text=cleaned.get("text", ""),
                                    recipients=cleaned.get("recipients") or TO_OWNER)
            except ValidationFailed as error:
                self.apply_errors(error)
        return cleaned

    def arguments(self) -> dict:
        data = self.cleaned_data
        if data["template"] != STAFF_MESSAGE:
            return {"template": data["template"]}
        return {"template": data["template"], "subject": data["subject"], "text": data["text"],
                "recipients": data.get("recipients") or TO_OWNER}
