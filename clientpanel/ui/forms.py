"""Forms both the staff panel and the portal show, and the one-time key that has a form which
creates something or moves money do it once however often it is sent (SentOnceMixin, sent_once)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientpanel.accounts.login import code_check
from clientpanel.core.errors import Conflict, DomainError, ValidationFailed
from clientpanel.core.idempotency import submission_claim, submission_release

T = TypeVar("T")


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


# The lines a shipping or service address cannot go without (clients' address services refuse it
# without them, in their own words); a billing address may be a country alone.
ADDRESS_NEEDS = ("address1", "city")


class RequiredByTheService(forms.CharField):
    """A text the service requires and checks itself: marked required as every required field is (the
    asterisk of ui/_field.html, the input's required attribute), yet a form left blank there is sent
    on, so the service names it in its own words together with every other problem at once. The
    staff panel's and the portal's forms alike, so both mark the same fields the same way."""

    def validate(self, value) -> None:
        if value not in self.empty_values:
            super().validate(value)


def mark_required_by_the_service(form: forms.Form, names) -> None:
    """The form's text fields of `names` as RequiredByTheService, keeping their label and bound."""
    for name in names:
        field = form.fields[name]
        form.fields[name] = RequiredByTheService(label=field.label, max_length=field.max_length,
                                                 widget=field.widget)


def suggest_regions(form: forms.Form, url: str, prefix: str = "") -> None:
    """Have the page suggest the chosen country's states and regions in the form's State/Region
    input (panel.js fetches url?country=XX, which answers ui/_region_options.html)."""
    form.fields[prefix + "country"].widget.attrs.update({
        "data-region-options": url, "data-region-input": f"#{form.auto_id % (prefix + 'region')}"})


# --- sent once -------------------------------------------------------------------------------------

SUBMISSION = "submission"  # the one-time key's field
SENT_TWICE = "form_sent_twice"  # the code of the Conflict a form sent again is refused with
_KEY = re.compile(r"[0-9a-f]{32}")


def new_submission_key() -> str:
    return uuid.uuid4().hex


class SentOnceMixin(forms.Form):
    """A form that creates something or moves money, sent once per showing: a hidden one-time key,
    drawn when the form is shown, that sent_once claims — a double click, two tabs sending the same
    page, or a request the browser repeats find it taken, and nothing is made or charged twice. A
    form shown again with its errors keeps its key. The staff panel's and the portal's forms alike;
    each side names whose keys they are (backoffice views.common.sent_once, portal forms.sent_once).
    (A Form itself, so that it comes before BaseForm in every form's order.)"""

    # Not required: a post without it (a script's) runs unguarded, as before (docs/decisions.md);
    # every page with the form sends it. A bad one is refused above the form, not on a hidden field.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, strip=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[SUBMISSION].initial = new_submission_key()

    def clean(self):
        cleaned = super().clean()
        # A key the field itself refused (a NUL in it) is a bad key too: said above the form, where
        # the pages read it, never left on the hidden field.
        refused_by_field = self._errors.pop(SUBMISSION, None) is not None
        if refused_by_field or (cleaned.get(SUBMISSION) and not _KEY.fullmatch(cleaned[SUBMISSION])):
            self.add_error(None, _("Reload the form and send it again."))
        return cleaned

    @property
    def submission_key(self) -> str:
        """The key the form was sent with ("" when none)."""
        return (self.cleaned_data.get(SUBMISSION) or "") if hasattr(self, "cleaned_data") else ""

    @property
    def service_data(self) -> dict:
        """The cleaned data a service takes: all but the one-time key."""
        return {name: value for name, value in self.cleaned_data.items() if name != SUBMISSION}


class SentOnceForm(SentOnceMixin, forms.Form):
    """Only the key: for a page whose fields are no form of their own (the proforma editor's grid,
    a Pay now button), read with the same check."""


def sent_once(sender: str, key: str | None, action: Callable[[], T]) -> T:
    """Run action once for a form as it was shown (key: its one-time key; sender: whose keys they
    are, e.g. "form:<staff id>"): the same form sent again is refused in words (a Conflict) and
    nothing is recorded twice. The key is claimed in a transaction of its own, so a second request
    sent at the same moment finds it at once. A refusal (a DomainError: raised before anything is
    written) frees the form to be corrected and sent again; any other failure keeps it taken, as
    part of the action may have been recorded. No key (a script's post): the action runs."""
    if not key:
        return action()
    if not _KEY.fullmatch(key):
        raise ValidationFailed(gettext("Reload the form and send it again."))
    if not submission_claim(sender, key):
        raise Conflict(gettext("This form was sent already; reload the page to see what was recorded."),
                       code=SENT_TWICE)
    try:
        return action()
    except DomainError:
        submission_release(sender, key)
        raise
