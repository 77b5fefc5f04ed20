from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientpanel.clients.models import AddressType
from clientpanel.clients.permissions import CLIENT_PERMISSIONS
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import reader_amount
from clientpanel.ui.forms import (
    ADDRESS_NEEDS,
    NewPasswordForm,
    SentOnceMixin,
    mark_required_by_the_service,
    postal_address_form,
    suggest_regions,
)
from clientpanel.ui.forms import sent_once as once
from clientpanel.ui.labels import UNNAMED_ADDRESS, country_choices
from clientpanel.ui.numbers import LocalizedNumberField


class EmailAddressField(forms.EmailField):
    """An e-mail address, refused in the words every other form uses (accounts' clean_email: "Enter
    a valid email address, like name@example.com."), not Django's own "Enter a valid email address."."""

    default_error_messages = {"invalid": _("Enter a valid email address, like name@example.com.")}


class PasswordResetForm(forms.Form):
    email = EmailAddressField(label=_("Email"), max_length=254)


class LoginForm(forms.Form):
    email = EmailAddressField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class AddFundsForm(SentOnceMixin, forms.Form):
    amount = LocalizedNumberField(label=_("Amount (net)"), max_length=30)


class AutoTopUpForm(forms.Form):
    enabled = forms.BooleanField(label=_("Top up my balance automatically"), required=False)
    amount = LocalizedNumberField(label=_("Amount each time (net)"), max_length=30)
    days = forms.IntegerField(label=_("When the balance will not cover this many days of charges"), min_value=1,
                              max_value=60)
    max_per_month = forms.IntegerField(label=_("At most this many top-ups a month"), min_value=1, max_value=31)


def sender_of(portal) -> str:
    """Whose one-time keys a portal form claims (ui.forms.sent_once): the signed-in user's, and
    while staff are logged in as the user, that staff member's as that user (at most 64
    characters: the staff member's id cut to 24 of its 32 hex digits, unique enough among staff)."""
    sender = f"portal:{portal.user.pk.hex}"
    return f"{sender}:{portal.impersonator.pk.hex[:24]}" if portal.impersonator else sender


def sent_once(request, key: str | None, action):
    """Run a portal form's action once for the form as it was shown (key: the one-time key it was
    sent with, a SentOnceMixin form's submission_key or a Pay now button's): the same form sent
    again is refused with a Conflict, a refusal frees it (ui.forms.sent_once)."""
    return once(sender_of(request.portal), key, action)


def show_refusal(form: forms.Form, error, mapping: dict[str, str] | None = None) -> None:
    """A service's refusal on the form, keeping what was typed: its message above the form and its
    field errors on the matching fields (or above it, for a field the form does not have). A
    validation failure's message only lists the fields' keys ("Some fields are not valid: phone"),
    so the fields' own messages say it instead, as on the staff panel's forms."""
    mapping = mapping or {}
    summary = not (isinstance(error, ValidationFailed) and error.fields)
    if summary:
        form.add_error(None, error.message)
    for field, messages in (getattr(error, "fields", None) or {}).items():
        name = mapping.get(field, field)
        for message in messages:
            if not summary or message != error.message:
                form.add_error(name if name in form.fields else None, message)


class OrderServiceForm(SentOnceMixin, forms.Form):
    """A product the client may order, at one of its prices in the client's currency (one choice
    per price, grouped by product)."""

    price = forms.ChoiceField(label=_("Product and price"))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups, self.product_of = [], {}
        for product in products:
            options = []
            for price in product.client_prices:
                text = price.label
                if price.setup_fee:
                    text = _("%(price)s + %(fee)s setup fee") % {
                        "price": text, "fee": reader_amount(price.setup_fee, price.currency)}
                options.append((str(price.pk), text))
                self.product_of[str(price.pk)] = product.pk
            groups.append((product.name, options))
        self.fields["price"].choices = [("", _("Choose a product")), *groups]


class CancellationForm(forms.Form):
    when = forms.ChoiceField(label=_("When should the service end?"),
                             widget=forms.RadioSelect(attrs={"class": "form-check-input"}))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["when"].choices = list(choices)


class ProfileForm(postal_address_form()):
    """The client's profile (client_profile_update's fields) with its billing address. Bounded here;
    validated by the service exactly as staff's edits, so its messages are the ones shown."""

    firstname = forms.CharField(label=_("First name"), max_length=150, required=False)
    lastname = forms.CharField(label=_("Last name"), max_length=150, required=False)
    company_name = forms.CharField(label=_("Company name"), max_length=255, required=False)
    tax_id = forms.CharField(label=_("Tax ID"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]
        suggest_regions(self, reverse("portal:region-options"))
        mark_required_by_the_service(self, ("firstname", "lastname"))  # clients' CLIENT_TEXT_FIELDS


# A multiple choice as Bootstrap check boxes (ui/_checkboxes.html lays them out).
CHECK_BOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class AccountForm(forms.Form):
    """The user's own names and language (accounts.services.user_account_update)."""

    firstname = forms.CharField(label=_("First name"), max_length=150)
    lastname = forms.CharField(label=_("Last name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class PasswordChangeForm(NewPasswordForm):
    """A new password (twice) and the present one."""

    current_password = forms.CharField(label=_("Present password"), max_length=128, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    field_order = ["current_password", "password", "password_again"]


class EmailChoicesForm(forms.Form):
    """The optional messages the user wants about the client it acts for: ticked ones are sent."""

    wanted = forms.MultipleChoiceField(label=_("Send me"), required=False, widget=CHECK_BOXES)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = [(kind.key, kind.name) for kind in kinds]


def _permission_choices(keys):
    return [(key, CLIENT_PERMISSIONS[key]) for key in keys]


class PermissionsForm(forms.Form):
    """A linked user's permissions; only those the signed-in user holds are offered."""

    permissions = forms.MultipleChoiceField(label=_("Permissions"), required=False,
                                            widget=CHECK_BOXES)

    def __init__(self, *args, grantable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = _permission_choices(grantable)


class InviteForm(SentOnceMixin, PermissionsForm):
    """Invite somebody by e-mail to use this client's account: the invitation carries a link to choose a
    password when the address has no login yet."""

    email = EmailAddressField(label=_("Email"), max_length=254)
    firstname = forms.CharField(label=_("First name"), max_length=150)
    lastname = forms.CharField(label=_("Last name"), max_length=150)
    field_order = ["email", "firstname", "lastname", "permissions"]


class SignupForm(forms.Form):
    """A portal sign-up (clients.services.client_self_register validates as staff's client creation).
    `website` is a honeypot: hidden from people, filled in by bots."""

    email = EmailAddressField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    firstname = forms.CharField(label=_("First name"), max_length=150)
    lastname = forms.CharField(label=_("Last name"), max_length=150)
    company_name = forms.CharField(label=_("Company name"), max_length=255, required=False)
    country = forms.ChoiceField(label=_("Country"))
    currency = forms.ChoiceField(label=_("Currency"))
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]
        self.fields["currency"].choices = [(code, code) for code in settings.CLIENTPANEL_CURRENCIES]


class AddressForm(SentOnceMixin, postal_address_form()):
    """An address of the client's address book (clients.services.address_create and address_update).
    Bounded here; validated by the services exactly as staff's edits, so their messages are the ones
    shown. The billing address keeps its type and has no default flag (SPEC §2)."""

    type = forms.ChoiceField(label=_("Type"), choices=[(AddressType.SHIPPING, AddressType.SHIPPING.label),
                                                       (AddressType.SERVICE, AddressType.SERVICE.label)])
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone number"), max_length=32, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput)
    is_default = forms.BooleanField(label=_("Default shipping address"), required=False)

    def __init__(self, *args, is_billing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_billing = is_billing
        self.fields["country"].choices = [("", "—"), *country_choices()]
        suggest_regions(self, reverse("portal:region-options"))
        if is_billing:
            del self.fields["type"], self.fields["is_default"]
        else:  # a shipping or service address needs its street and city (clients' address services)
            mark_required_by_the_service(self, ADDRESS_NEEDS)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("name") or "").strip():
            # Left blank: named in the reader's language ("Adres dostawy"), not by the service's
            # English code word ("Shipping").
            kind = AddressType.BILLING if self.is_billing else cleaned.get("type")
            if kind in UNNAMED_ADDRESS:
                cleaned["name"] = str(UNNAMED_ADDRESS[kind])
        return cleaned

