"""Settings → Home companies: a home company (seller details, document numbering) and its tax
rules."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientpanel.notifications.kinds import MESSAGE_KINDS, OPTIONAL_KINDS
from clientpanel.tax.models import ResetPeriod
from clientpanel.ui.forms import POSTAL_ADDRESS_FIELDS, postal_address_form, suggest_regions
from clientpanel.ui.labels import country_choices, language_choices
from clientpanel.ui.numbers import LocalizedNumberField, WholeNumberField

from .common import ServiceErrorsMixin

# Monthly first, as the form always offered them.
RESET_CHOICES = [(value, ResetPeriod(value).label)
                 for value in (ResetPeriod.MONTHLY, ResetPeriod.YEARLY, ResetPeriod.NEVER)]


class HomeCompanyForm(ServiceErrorsMixin, postal_address_form()):
    name = forms.CharField(label=_("Name"), max_length=200)
    local_tax_id = forms.CharField(label=_("Local tax ID"), required=False, max_length=64)
    eu_vat_id = forms.CharField(label=_("EU VAT ID"), required=False, max_length=64)
    registration_number = forms.CharField(label=_("Registration number"), required=False, max_length=64)
    us_ein = forms.CharField(label=_("US EIN"), required=False, max_length=20)
    us_state_id = forms.CharField(label=_("US state ID"), required=False, max_length=64)
    ca_bn = forms.CharField(label=_("Canadian BN"), required=False, max_length=20)
    ca_gst_hst = forms.CharField(label=_("GST/HST"), required=False, max_length=20)
    ca_pst_qst = forms.CharField(label=_("PST/QST"), required=False, max_length=20)
    bank_details = forms.CharField(label=_("Bank details / pay to"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    invoice_footer = forms.CharField(label=_("Invoice footer"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    topup_item_name = forms.CharField(label=_("Top-up item name"), max_length=200)
    refund_item_name = forms.CharField(label=_("Refund item name"), max_length=200)
    payment_terms_days = WholeNumberField(label=_("Payment terms (days)"), required=False, max_length=4,
                                          error_messages={"invalid": _("Use 0 to 365 days.")})
    time_zone = forms.CharField(label=_("Time zone"), required=False, max_length=64,
                                help_text=_("Documents are dated and numbered by the day in this zone, e.g. "
                                            "Europe/Warsaw; blank: the server's zone."))
    language = forms.ChoiceField(label=_("Language of documents"), required=False,
                                 help_text=_("Used when documents are not printed in the client's language."))
    proforma_pattern = forms.CharField(label=_("Proforma pattern"), max_length=100)
    proforma_reset = forms.ChoiceField(label=_("Proforma reset"), choices=RESET_CHOICES)
    invoice_pattern = forms.CharField(label=_("Invoice pattern"), max_length=100)
    invoice_reset = forms.ChoiceField(label=_("Invoice reset"), choices=RESET_CHOICES)
    credit_note_pattern = forms.CharField(label=_("Credit note pattern"), max_length=100)
    credit_note_reset = forms.ChoiceField(label=_("Credit note reset"), choices=RESET_CHOICES)
    reminder_days_before = WholeNumberField(label=_("Reminder days before the due date"), max_length=3,
                                            required=False,
                                            help_text=_("0: no reminder before; one goes on the due date anyway."),
                                            error_messages={"invalid": _("Enter 0 to 60 days (0: no reminder).")})
    reminder_days_overdue = WholeNumberField(label=_("Reminder days after the due date"), max_length=3,
                                             required=False, help_text=_("0: no reminder after the due date."),
                                             error_messages={"invalid": _("Enter 0 to 60 days (0: no reminder).")})
    muted_emails = forms.MultipleChoiceField(label=_("E-mails this company's clients are not sent"), required=False,
                                             widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
    is_default = forms.BooleanField(label=_("Default home company"), required=False)

    field_order = ["name", *POSTAL_ADDRESS_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        suggest_regions(self, reverse("backoffice:region-options"))
        self.fields["language"].choices = [("", pgettext_lazy("language of documents", "Default")),
                                           *language_choices()]
        self.fields["muted_emails"].choices = [(key, MESSAGE_KINDS[key].name) for key in OPTIONAL_KINDS]

    def company_data(self) -> dict:
        """What the tax service saves (the muted e-mails are notifications' business)."""
        return {name: value for name, value in self.cleaned_data.items()
                if name != "muted_emails" and not (name.startswith("reminder_days_") and value == "")}


# The (up to) three taxes a rule charges: tax<n>_name and tax<n>_rate, labelled in the reader's language.
RULE_TAXES = ((_("Tax 1"), _("Rate 1 (%)")), (_("Tax 2"), _("Rate 2 (%)")), (_("Tax 3"), _("Rate 3 (%)")))


def _rule_taxes_form() -> type[forms.Form]:
    fields = {}
    for number, (name_label, rate_label) in enumerate(RULE_TAXES, start=1):
        fields[f"tax{number}_name"] = forms.CharField(label=name_label, required=False, max_length=40)
        fields[f"tax{number}_rate"] = LocalizedNumberField(
            label=rate_label, required=False, max_length=10, example="9.975",
            error_messages={"invalid": _("Enter a percentage, e.g. 23 or %(example)s.")})
    return type("RuleTaxesForm", (forms.Form,), fields)


class TaxRuleForm(ServiceErrorsMixin, _rule_taxes_form()):
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.CharField(label=_("State/Region"), required=False, max_length=100)
    applies_private = forms.BooleanField(label=_("Private clients"), required=False)
    applies_company = forms.BooleanField(label=_("Companies without tax ID"), required=False)
    applies_company_tax_id = forms.BooleanField(label=_("Companies with tax ID"), required=False)
    priority = WholeNumberField(label=_("Priority"), max_length=6, initial="0",
                                error_messages={"invalid": _("Use a whole number from -1000 to 1000.")})

    # Where the rule applies first; then the taxes and the priority, in their order.
    field_order = ["country", "region", "applies_private", "applies_company", "applies_company_tax_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *country_choices()]
