"""Logging in: the e-mail and password step and the two-factor code (also used to turn 2FA on and
off); a staff member's own new password, and one a staff manager sets for another."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from clientpanel.accounts.login import LoginRefused, staff_password_check
from clientpanel.ui.forms import CodeForm

from .common import ServiceErrorsMixin

__all__ = ["CodeForm", "NewPasswordForm", "PasswordChangeForm", "StaffLoginForm"]


class StaffLoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean(self):
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data  # the field's own error says what is missing
        try:
            self.user_cache = staff_password_check(request=self.request, email=email, password=password)
        except LoginRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None
        return self.cleaned_data


class NewPasswordForm(ServiceErrorsMixin, forms.Form):
    """A new password, typed twice; the service applies the password validators."""

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


class PasswordChangeForm(NewPasswordForm):
    """The staff member's own new password (twice) and the present one."""

    current_password = forms.CharField(label=_("Present password"), max_length=128, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                         "autofocus": True}))
    field_order = ["current_password", "password", "password_again"]
