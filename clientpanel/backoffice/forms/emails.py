from django import forms
from django.utils.translation import gettext_lazy as _

from .common import ServiceErrorsMixin


class EmailTemplateForm(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body_text = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 12}),
                                strip=False)
    body_html = forms.CharField(label=_("HTML"), max_length=50_000, required=False, strip=False,
                                widget=forms.Textarea(attrs={"rows": 12, "class": "font-monospace"}),
                                help_text=_("Empty: the message is sent as text only."))
    preview_client = forms.CharField(label=_("Preview for client number"), max_length=30, required=False)

    def parts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in ("subject", "body_text", "body_html")}
