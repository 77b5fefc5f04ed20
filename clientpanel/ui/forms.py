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
