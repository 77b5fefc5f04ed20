"""Settings: staff members and their roles, client groups and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from clientpanel.accounts.roles import AREAS
from clientpanel.ui.labels import currency_choices, language_choices
from clientpanel.ui.numbers import WholeNumberField

from .common import INHERIT_CHOICES, ServiceErrorsMixin


def role_choices():
    return [(g.name, g.name) for g in Group.objects.order_by("name")]


class StaffCreateForm(ServiceErrorsMixin, forms.Form):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput)
    # At most 128 characters and kept as typed, as the staff login reads it.
    password = forms.CharField(label=_("Password"), max_length=128, strip=False, widget=forms.PasswordInput)
    firstname = forms.CharField(label=_("Firstname"), required=False, max_length=150)
    lastname = forms.CharField(label=_("Lastname"), required=False, max_length=150)
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple)
    limited_to_assigned_clients = forms.BooleanField(label=_("Limit to assigned clients"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()


class StaffEditForm(ServiceErrorsMixin, forms.Form):
    firstname = forms.CharField(label=_("Firstname"), required=False, max_length=150)
    lastname = forms.CharField(label=_("Lastname"), required=False, max_length=150)
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active (may log in)"), required=False)
    limited_to_assigned_clients = forms.BooleanField(label=_("Limit to assigned clients"), required=False)
    assigned_clients = forms.CharField(label=_("Assigned clients"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}),
                                       help_text=_("Client numbers, one per line or separated by commas."))

    def __init__(self, *args, itself: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()
        if itself:
            # Nobody changes their own roles, limitation, assignments or active flag (issue 9).
            for name in ("roles", "is_active", "limited_to_assigned_clients", "assigned_clients"):
                self.fields[name].disabled = True


class RoleForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    areas = forms.MultipleChoiceField(label=_("Areas"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = list(AREAS.items())


class GroupForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    colour = forms.CharField(label=_("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    payment_terms_days = WholeNumberField(label=_("Payment terms (days)"), required=False, max_length=4,
                                          error_messages={"invalid": _("Enter a whole number of days.")})
    tax_exempt = forms.ChoiceField(label=_("Tax exempt"), choices=INHERIT_CHOICES, required=False)
    reminders_enabled = forms.ChoiceField(label=_("Reminders"), choices=INHERIT_CHOICES, required=False)
    reminder_days_before = WholeNumberField(label=_("Reminder days before the due date"), max_length=3,
                                            required=False, help_text=_("Empty: the home company's days."),
                                            error_messages={"invalid": _("Enter 0 to 60 days (0: no reminder).")})
    reminder_days_overdue = WholeNumberField(label=_("Reminder days after the due date"), max_length=3,
                                             required=False, help_text=_("Empty: the home company's days."),
                                             error_messages={"invalid": _("Enter 0 to 60 days (0: no reminder).")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", _("Inherit")), *currency_choices()]
        self.fields["language"].choices = [("", _("Inherit")), *language_choices()]


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it, e.g. Billing sync."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), required=False, widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label=_("Expires on (UTC)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("From this day the token no longer works; empty: until revoked."))

    def __init__(self, *args, scopes: list[str] | tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, scope) for scope in scopes]
