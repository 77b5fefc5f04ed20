"""Logging in: the e-mail and password step and the two-factor code (also used to turn 2FA on and
off); a staff member's own new password, and one a staff manager sets for another; a new API token."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from clientpanel.accounts.login import LoginRefused, staff_password_check
from clientpanel.ui import forms as ui_forms
from clientpanel.ui.forms import CodeForm, SentOnceMixin, TwoFactorChangeForm

from .common import ServiceErrorsMixin
from .settings import ApiTokenForm

__all__ = ["CodeForm", "NewApiTokenForm", "NewPasswordForm", "PasswordChangeForm", "StaffLoginForm",
           "TwoFactorChangeForm"]


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


class NewPasswordForm(ServiceErrorsMixin, ui_forms.NewPasswordForm):
    """A new password, typed twice, with the service's refusals on its fields."""


class PasswordChangeForm(NewPasswordForm):
    """The staff member's own new password (twice) and the present one."""

    current_password = forms.CharField(label=_("Present password"), max_length=128, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password",
                                                                         "autofocus": True}))
    field_order = ["current_password", "password", "password_again"]


class NewApiTokenForm(SentOnceMixin, ApiTokenForm):
    """Settings → API tokens' form (its fields: forms.settings.ApiTokenForm), sent once per showing:
    the secret is shown in the answer only, so a second token made by the same form sent again
    would be one whose secret nobody saw, or would replace the first's on the page."""
