"""A client's Documents tab: the upload form (the files service checks every value; sent once)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.files.names import MAX_NAME_LENGTH
from clientpanel.files.services import MAX_NOTE_LENGTH
from clientpanel.ui.forms import SentOnceMixin

from .common import ServiceErrorsMixin


class ClientFileForm(SentOnceMixin, ServiceErrorsMixin, forms.Form):
    """One file kept once per showing of the form (a double click keeps no second copy)."""

    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True)
    name = forms.CharField(label=_("Name"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": MAX_NAME_LENGTH}),
                           help_text=_("Empty: the file's own name."))
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_NOTE_LENGTH}))
    visible_in_portal = forms.BooleanField(label=_("Visible in the client portal"), required=False,
                                           help_text=_("Client users with View Documents may see and download it."))
