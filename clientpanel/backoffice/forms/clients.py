"""Creating a client (the full form and the top bar's Quick Create), the client's profile and its
addresses."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientpanel.clients.models import AddressType, ClientStatus
from clientpanel.clients.selectors import group_names
from clientpanel.clients.validation import CLIENT_EINVOICE_FORMATS
from clientpanel.einvoices.exporters import exporter_choices
from clientpanel.ui.forms import (
    ADDRESS_NEEDS,
    POSTAL_ADDRESS_FIELDS,
    SentOnceMixin,
    mark_required_by_the_service,
    postal_address_form,
    suggest_regions,
)
from clientpanel.ui.labels import country_choices, currency_choices, language_choices, language_name
from clientpanel.ui.numbers import LocalizedNumberField, WholeNumberField

from .common import (
    INHERIT_CHOICES,
    CurrencyAmountMixin,
    ServiceErrorsMixin,
    choices_with_blank,
)


class ClientFieldsForm(ServiceErrorsMixin, forms.Form):
    firstname = forms.CharField(label=_("Firstname"), max_length=150)
    lastname = forms.CharField(label=_("Lastname"), max_length=150)
    company_name = forms.CharField(label=_("Company Name"), required=False, max_length=255)
    tax_id = forms.CharField(label=_("Tax ID"), required=False, max_length=64)
    phone = forms.CharField(label=_("Phone Number"), required=False, max_length=32,
                            widget=forms.TextInput(attrs={"placeholder": "+48 22 123 45 67"}))
    language = forms.ChoiceField(label=_("Language"))
    currency = forms.ChoiceField(label=_("Currency"))
    status = forms.ChoiceField(label=_("Status"), choices=ClientStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        self.fields["currency"].choices = currency_choices()


class ClientSettingsFieldsForm(forms.Form):
    """A client's own settings, each empty to inherit from its group or the home company: set on the
    Profile tab and already when the client is created (its first proforma is taxed and due as set)."""

    group = forms.ChoiceField(label=_("Group"), required=False)
    payment_terms_days = WholeNumberField(label=_("Payment terms (days)"), required=False, max_length=4,
                                          help_text=_("Empty: inherit from the group or the system default."),
                                          error_messages={"invalid": _("Enter a whole number of days.")})
    tax_exempt = forms.ChoiceField(label=_("Tax exempt"), choices=INHERIT_CHOICES, required=False)
    reminders_enabled = forms.ChoiceField(label=_("Reminders"), choices=INHERIT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("No group")), *((str(pk), name) for pk, name in group_names())]


class ClientCreateForm(SentOnceMixin, ClientSettingsFieldsForm, ClientFieldsForm, postal_address_form("billing_")):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput)
    # At most 128 characters and kept as typed, as the portal's login reads it (portal.forms.LoginForm).
    password = forms.CharField(label=_("Password"), required=False, max_length=128, strip=False,
                               widget=forms.PasswordInput,
                               help_text=_("Leave empty: the owner sets one later."))
    send_welcome_email = forms.BooleanField(label=_("Send welcome e-mail"), required=False,
                                            help_text=_("With a link to choose a password when none is given."))

    field_order = ["email", "password", "firstname", "lastname", "company_name", "tax_id", "phone",
                   "language", "currency", "status"]

    ERROR_MAPPING = {f"billing_address.{name}": f"billing_{name}" for name in POSTAL_ADDRESS_FIELDS}
    full_width = ("send_welcome_email", "billing_address1", "billing_address2")  # ui/_fields.html

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_country"].choices = choices_with_blank(country_choices())
        self.fields["send_welcome_email"].initial = settings.CLIENTPANEL_WELCOME_EMAIL_DEFAULT
        suggest_regions(self, reverse("backoffice:region-options"), "billing_")
        # A new client takes its group's language and currency, else the system's (clients'
        # cleaning, decisions.md): the blank first choice, shown at first, leaves them to that rule;
        # a language or currency chosen here wins. (An existing client's profile has no blank.)
        for name, default in (("language", language_name(settings.CLIENTPANEL_DEFAULT_LANGUAGE)),
                              ("currency", settings.CLIENTPANEL_DEFAULT_CURRENCY)):
            self.fields[name].required = False
            self.fields[name].choices = [("", _("The group's, else %(default)s") % {"default": default}),
                                         *self.fields[name].choices]

    @property
    def service_data(self) -> dict:
        """What client_create takes: the billing address apart, without the welcome e-mail's flag
        (nor the one-time key)."""
        cleaned = super().service_data
        data = {k: v for k, v in cleaned.items() if not k.startswith("billing_") and k != "send_welcome_email"}
        data["billing_address"] = {k.removeprefix("billing_"): v for k, v in cleaned.items()
                                   if k.startswith("billing_")}
        return data


class QuickCreateForm(SentOnceMixin, ServiceErrorsMixin, forms.Form):
    """The top bar's Quick Create (shown with the prefix "quick": its key is sent as quick-submission)."""

    firstname = forms.CharField(label=_("Firstname"), max_length=150)
    lastname = forms.CharField(label=_("Lastname"), max_length=150)
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput)
    company_name = forms.CharField(label=_("Company Name"), required=False, max_length=255)
    country = forms.ChoiceField(label=_("Country"))
    send_welcome_email = forms.BooleanField(label=_("Send welcome e-mail"), required=False)

    full_width = ("email", "send_welcome_email")  # the rest take half a row (ui/_fields.html)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = choices_with_blank(country_choices())
        self.fields["send_welcome_email"].initial = settings.CLIENTPANEL_WELCOME_EMAIL_DEFAULT

    @property
    def service_data(self) -> dict:
        data = dict(super().service_data)
        data.pop("send_welcome_email", None)
        return {**data, "billing_address": {"country": data.pop("country", "")}}


class ClientProfileForm(CurrencyAmountMixin, ClientSettingsFieldsForm, ClientFieldsForm):
    amount_fields = ("credit_limit",)
    full_width = ("company_name", "id_number", "admin_notes", "public_notes")  # ui/_fields.html

    id_number = forms.CharField(label=_("ID Number"), required=False, max_length=64,
                                help_text=_("The client's number in another system."))
    credit_limit = LocalizedNumberField(label=_("Credit Limit"), max_length=32)
    admin_notes = forms.CharField(label=_("Admin Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=10_000, help_text=_("Private to staff."))
    public_notes = forms.CharField(label=_("Public Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   max_length=10_000, help_text=_("Shown to the client in the portal."))
    einvoice_format = forms.ChoiceField(label=_("E-invoice format"), required=False,
                                        help_text=_("Sent with each invoice e-mail. A Polish company's invoices go "
                                                    "to KSeF whatever is chosen here."))
    peppol_id = forms.CharField(label=_("Peppol ID"), required=False, max_length=60,
                                help_text=_("Written as the buyer's electronic address, e.g. 0088:5790000436057."))

    def __init__(self, *args, statuses: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if statuses is not None:  # clients.selectors.status_choices_for: an erased client is not reopened
            self.fields["status"].choices = statuses
        self.fields["einvoice_format"].choices = [("", _("The home company's")), *(
            (key, title) for key, title in exporter_choices() if key in CLIENT_EINVOICE_FORMATS)]


class AddressForm(SentOnceMixin, ServiceErrorsMixin, postal_address_form()):
    """A client's address (the Profile tab's modal): a new one is made once per showing."""

    type = forms.ChoiceField(label=_("Type"), choices=AddressType.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone Number"), required=False, max_length=32)
    email = forms.CharField(label=_("Email"), required=False, max_length=254, widget=forms.EmailInput)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    is_default = forms.BooleanField(label=_("Default shipping address"), required=False)

    field_order = ["type", "name", "contact_name", "phone", "email", *POSTAL_ADDRESS_FIELDS]
    full_width = ("email", "notes", "is_default")  # the rest take half a row (ui/_fields.html)

    def __init__(self, *args, is_billing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = choices_with_blank(country_choices())
        suggest_regions(self, reverse("backoffice:region-options"))
        if is_billing:
            # The billing address keeps its type (SPEC §2) and has no default flag.
            self.fields["type"].choices = [(AddressType.BILLING, AddressType.BILLING.label)]
            self.fields["type"].disabled = True
            del self.fields["is_default"]
        else:
            self.fields["type"].choices = [c for c in AddressType.choices if c[0] != AddressType.BILLING]
            # Marked as the portal marks them; a blank one is left to the service, which names it
            # together with every other problem at once.
            mark_required_by_the_service(self, ADDRESS_NEEDS)
