"""Forms both the staff panel and the portal show."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.accounts.login import code_check
from clientpanel.core.errors import DomainError


class CodeForm(forms.Form):
    """A two-factor code: logging in, turning 2FA on and off."""

    code = forms.CharField(label=_("Code"), max_length=20, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))

    def completes_login_of(self, user) -> bool:
        """A login's second step: whether the posted code is the user's (then the login is whole,
        accounts.login.code_check); otherwise why not, on the code field."""
        if not self.is_valid():
            return False
        try:
            code_check(user=user, code=self.cleaned_data["code"])
        except DomainError as error:  # a wrong code, or too many of them
            self.add_error("code", error.message)
            return False
        return True


class TwoFactorChangeForm(CodeForm):
    """Turning 2FA on or off: the present password (which a borrowed session does not know, checked
    by the service through the login throttle) and a code from the app."""

    current_password = forms.CharField(label=_("Present password"), max_length=128, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                         "autofocus": True}))
    field_order = ["current_password", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)  # the password comes first

    def show_refusal(self, error: DomainError) -> None:
        """A service's refusal under the field it concerns (a wrong password, a wrong code)."""
        shown = False
        for field in ("current_password", "code"):
            for message in error.fields.get(field, []):
                self.add_error(field, message)
                shown = True
        if not shown:
            self.add_error("code", error.message)


class NewPasswordForm(forms.Form):
    """A new password, typed twice (setting it, changing it); the service applies the password
    validators."""

    password = forms.CharField(label=_("New password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("New password again"), max_length=128, strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password_again") \
                and cleaned["password"] != cleaned["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


POSTAL_ADDRESS_FIELDS = ("address1", "address2", "city", "postcode", "country", "region")


def postal_address_form(prefix: str = "") -> type[forms.Form]:
    """A form of a postal address's fields (POSTAL_ADDRESS_FIELDS, each named prefix + name), for
    the forms that hold an address to inherit. The form sets the country's choices."""
    fields = {
        "address1": forms.CharField(label=_("Address 1"), required=False, max_length=255),
        "address2": forms.CharField(label=_("Address 2"), required=False, max_length=255),
        "city": forms.CharField(label=_("City"), required=False, max_length=100),
        "postcode": forms.CharField(label=_("Postcode"), required=False, max_length=20),
        "country": forms.ChoiceField(label=_("Country")),
        "region": forms.CharField(label=_("State/Region"), required=False, max_length=100),
    }
    return type("PostalAddressForm", (forms.Form,), {prefix + name: fields[name] for name in POSTAL_ADDRESS_FIELDS})


def suggest_regions(form: forms.Form, url: str, prefix: str = "") -> None:
    """Have the page suggest the chosen country's states and regions in the form's State/Region
    input (panel.js fetches url?country=XX, which answers ui/_region_options.html)."""
    form.fields[prefix + "country"].widget.attrs.update({
        "data-region-options": url, "data-region-input": f"#{form.auto_id % (prefix + 'region')}"})
