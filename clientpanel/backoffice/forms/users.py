"""A client's users: linking a user to the client and what they may do there."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.clients.permissions import CLIENT_PERMISSIONS
from clientpanel.notifications.kinds import MessageKind
from clientpanel.ui.labels import language_choices

from .common import ServiceErrorsMixin


def permission_choices():
    return list(CLIENT_PERMISSIONS.items())


class PermissionsForm(ServiceErrorsMixin, forms.Form):
    permissions = forms.MultipleChoiceField(label=_("Permissions"), required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permission_choices()


class LinkForm(PermissionsForm):
    """A linked user's permissions and the e-mails it does not want about this client."""

    muted_emails = forms.MultipleChoiceField(
        label=_("E-mails this user does not want"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        # Staff see a switch for every e-mail whatever the permissions (the portal offers a user only
        # those it receives): a switch for an e-mail the permissions do not cover yet is kept for when they do.
        help_text=_("A user is sent only the e-mails its permissions cover; a switch for the others takes effect "
                    "when they are given."))

    def __init__(self, *args, kinds: list[MessageKind], **kwargs):
        """kinds: the switches offered (notifications.selectors.email_switches): not those the
        client's home company switched off for everybody."""
        super().__init__(*args, **kwargs)
        self.fields["muted_emails"].choices = [(kind.key, kind.name) for kind in kinds]


class AssociateUserForm(PermissionsForm):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    firstname = forms.CharField(label=_("Firstname"), required=False, max_length=150,
                                help_text=_("Only for a new user."))
    lastname = forms.CharField(label=_("Lastname"), required=False, max_length=150)
    # At most 128 characters and kept as typed, as the portal's login reads it (portal.forms.LoginForm).
    password = forms.CharField(label=_("Password"), required=False, max_length=128, strip=False,
                               widget=forms.PasswordInput,
                               help_text=_("Only for a new user; empty: they set one later."))
    send_invitation = forms.BooleanField(label=_("Send an invitation e-mail"), required=False, initial=True,
                                         help_text=_("With a link to choose a password when the user has none."))


class UserAccountForm(ServiceErrorsMixin, forms.Form):
    """A client user's own details, as staff change them (the service cleans the phone)."""

    firstname = forms.CharField(label=_("Firstname"), max_length=150)
    lastname = forms.CharField(label=_("Lastname"), max_length=150)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32,
                            help_text=_("With the country code, e.g. +48 22 123 45 67."))
    language = forms.ChoiceField(label=_("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
