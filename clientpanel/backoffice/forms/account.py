"""Logging in: the e-mail and password step and the two-factor code (also used to turn 2FA on and
off)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from clientpanel.accounts.login import LoginRefused, staff_password_check
from clientpanel.ui.forms import CodeForm

__all__ = ["CodeForm", "StaffLoginForm"]


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
