"""Forms of the staff panel. They only parse and present input; the services validate it, and
their field errors are shown inline next to what the user typed."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clientpanel.catalog.models import Period
from clientpanel.clients.models import AddressType, ClientStatus
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import AMOUNT_PLACES, currency_minor_unit
from clientpanel.tax.models import ResetPeriod

from .labels import country_choices, currency_choices, language_choices


def decimals_hint(currency: str | None) -> str:
    """How many decimals an amount in this currency takes (core.money.decimals_rule, in words of
    the reader's language)."""
    if not currency:
        return gettext("At most %(places)d decimal places.") % {"places": AMOUNT_PLACES}
    places = currency_minor_unit(currency)
    if places == 0:
        return gettext("%(currency)s amounts have no decimal places.") % {"currency": currency}
    return ngettext("%(currency)s amounts have at most %(places)d decimal place.",
                    "%(currency)s amounts have at most %(places)d decimal places.", places) % {
        "currency": currency, "places": places}


class CurrencyAmountMixin:
    """Forms whose amounts take the currency's minor unit say so under each amount field."""

    amount_fields: tuple[str, ...] = ()

    def __init__(self, *args, currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.amount_fields:
            hint = decimals_hint(currency)
            current = self.fields[name].help_text
            self.fields[name].help_text = f"{current} {hint}".strip() if current else hint


class StaffLoginForm(AuthenticationForm):
    username = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True}))

    def clean(self):
        from clientpanel.accounts.login import LoginRefused, staff_password_check

        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data  # the field's own error says what is missing
        try:
            self.user_cache = staff_password_check(request=self.request, email=email, password=password)
        except LoginRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None
        return self.cleaned_data


def _choices_with_blank(choices):
    return [("", _("Select an option")), *choices]


class ServiceErrorsMixin:
    """Shows a service's field errors on the matching form fields (or above the form)."""

    def apply_errors(self, error: ValidationFailed, mapping: dict[str, str] | None = None) -> None:
        mapping = mapping or {}
        for field, messages in error.fields.items():
            name = mapping.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not error.fields:
            self.add_error(None, error.message)


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


class ClientCreateForm(ClientFieldsForm):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput)
    password = forms.CharField(label=_("Password"), required=False, widget=forms.PasswordInput,
                               help_text=_("Leave empty: the owner sets one later."))
    billing_address1 = forms.CharField(label=_("Address 1"), required=False, max_length=255)
    billing_address2 = forms.CharField(label=_("Address 2"), required=False, max_length=255)
    billing_city = forms.CharField(label=_("City"), required=False, max_length=100)
    billing_postcode = forms.CharField(label=_("Postcode"), required=False, max_length=20)
    billing_country = forms.ChoiceField(label=_("Country"))
    billing_region = forms.CharField(label=_("State/Region"), required=False, max_length=100)

    field_order = ["email", "password", "firstname", "lastname", "company_name", "tax_id", "phone",
                   "language", "currency", "status"]

    ERROR_MAPPING = {f"billing_address.{name}": f"billing_{name}"
                     for name in ("address1", "address2", "city", "postcode", "country", "region")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_country"].choices = _choices_with_blank(country_choices())
        # panel.js suggests the chosen country's states/regions in the State/Region input.
        self.fields["billing_country"].widget.attrs.update({
            "data-region-options": reverse("backoffice:region-options"), "data-region-input": "#id_billing_region"})

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("billing_")}
        data["billing_address"] = {k.removeprefix("billing_"): v for k, v in self.cleaned_data.items()
                                   if k.startswith("billing_")}
        return data


class QuickCreateForm(ServiceErrorsMixin, forms.Form):
    firstname = forms.CharField(label=_("Firstname"), max_length=150)
    lastname = forms.CharField(label=_("Lastname"), max_length=150)
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput)
    company_name = forms.CharField(label=_("Company Name"), required=False, max_length=255)
    country = forms.ChoiceField(label=_("Country"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _choices_with_blank(country_choices())

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        return {**data, "billing_address": {"country": data.pop("country")}}


INHERIT_CHOICES = [("", _("Inherit")), ("true", _("Yes")), ("false", _("No"))]


class ClientProfileForm(CurrencyAmountMixin, ClientFieldsForm):
    amount_fields = ("credit_limit",)

    group = forms.ChoiceField(label=_("Group"), required=False)
    payment_terms_days = forms.CharField(label=_("Payment terms (days)"), required=False, max_length=4,
                                         help_text=_("Empty: inherit from the group or the system default."))
    tax_exempt = forms.ChoiceField(label=_("Tax exempt"), choices=INHERIT_CHOICES, required=False)
    reminders_enabled = forms.ChoiceField(label=_("Reminders"), choices=INHERIT_CHOICES, required=False)

    id_number = forms.CharField(label=_("ID Number"), required=False, max_length=64,
                                help_text=_("The client's number in another system."))
    credit_limit = forms.CharField(label=_("Credit Limit"), max_length=32)
    admin_notes = forms.CharField(label=_("Admin Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=10_000, help_text=_("Private to staff."))
    public_notes = forms.CharField(label=_("Public Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   max_length=10_000, help_text=_("Shown to the client in the portal."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from clientpanel.clients.selectors import group_list

        self.fields["group"].choices = [("", _("No group")), *((str(g.pk), g.name) for g in group_list())]


class AddressForm(ServiceErrorsMixin, forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=AddressType.choices)
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone Number"), required=False, max_length=32)
    email = forms.CharField(label=_("Email"), required=False, max_length=254, widget=forms.EmailInput)
    address1 = forms.CharField(label=_("Address 1"), required=False, max_length=255)
    address2 = forms.CharField(label=_("Address 2"), required=False, max_length=255)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=20)
    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(label=_("State/Region"), required=False, max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    is_default = forms.BooleanField(label=_("Default shipping address"), required=False)

    def __init__(self, *args, is_billing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _choices_with_blank(country_choices())
        if is_billing:
            # The billing address keeps its type (SPEC §2) and has no default flag.
            self.fields["type"].choices = [(AddressType.BILLING, AddressType.BILLING.label)]
            self.fields["type"].disabled = True
            del self.fields["is_default"]
        else:
            self.fields["type"].choices = [c for c in AddressType.choices if c[0] != AddressType.BILLING]


def permission_choices():
    from clientpanel.clients.permissions import CLIENT_PERMISSIONS

    return list(CLIENT_PERMISSIONS.items())


class PermissionsForm(ServiceErrorsMixin, forms.Form):
    permissions = forms.MultipleChoiceField(label=_("Permissions"), required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permission_choices()


class AssociateUserForm(PermissionsForm):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    firstname = forms.CharField(label=_("Firstname"), required=False, max_length=150,
                                help_text=_("Only for a new user."))
    lastname = forms.CharField(label=_("Lastname"), required=False, max_length=150)
    password = forms.CharField(label=_("Password"), required=False, widget=forms.PasswordInput,
                               help_text=_("Only for a new user; empty: they set one later."))


def role_choices():
    from django.contrib.auth.models import Group

    return [(g.name, g.name) for g in Group.objects.order_by("name")]


class StaffCreateForm(ServiceErrorsMixin, forms.Form):
    email = forms.CharField(label=_("Email"), max_length=254, widget=forms.EmailInput)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
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
        from clientpanel.accounts.roles import AREAS

        self.fields["areas"].choices = list(AREAS.items())


class GroupForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    colour = forms.CharField(label=_("Colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    payment_terms_days = forms.CharField(label=_("Payment terms (days)"), required=False, max_length=4)
    tax_exempt = forms.ChoiceField(label=_("Tax exempt"), choices=INHERIT_CHOICES, required=False)
    reminders_enabled = forms.ChoiceField(label=_("Reminders"), choices=INHERIT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", _("Inherit")), *currency_choices()]
        self.fields["language"].choices = [("", _("Inherit")), *language_choices()]


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class ManualTransactionForm(ServiceErrorsMixin, forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=32,
                             help_text=_("Negative to charge, positive to credit; up to 4 decimal places, as hourly "
                                         "charges have."))
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)
    description = forms.CharField(label=_("Description"), max_length=500)
    allow_over_limit = forms.BooleanField(label=_("Allow beyond balance + credit limit (logged)"), required=False)


class AddFundsForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = forms.CharField(label=_("Net Amount"), max_length=32)


class PaymentForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("amount",)
    amount = forms.CharField(label=_("Amount (gross)"), max_length=32)
    paid_at = forms.DateTimeField(label=_("Paid at"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  help_text=_("When the money arrived, in the home company's time zone; not before "
                                              "the proforma's issue, not in the future. Empty: now."))
    method = forms.CharField(label=_("Method"), required=False, max_length=50,
                             widget=forms.TextInput(attrs={"placeholder": _("Bank transfer")}))
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)


class CreditNoteForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = forms.CharField(label=_("Net amount to refund"), max_length=32)
    transaction_id = forms.CharField(label=_("Transaction ID"), required=False, max_length=100)


class ProformaItemsForm(ServiceErrorsMixin, forms.Form):
    items = forms.CharField(
        label=_("Items"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One item per line: description ; quantity ; unit price (net). Start a line with + to make it "
                    "a top-up that adds funds instead of being charged."))

    def service_items(self) -> list[dict]:
        items = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3:
                raise forms.ValidationError(
                    _("“%(line)s” needs three parts: description ; quantity ; price.") % {"line": line.strip()})
            description, quantity, price = parts
            topup = description.startswith("+")
            items.append({"description": description.lstrip("+ ").strip() or None, "quantity": quantity,
                          "unit_price": price, "is_topup": topup})
        return items


# Monthly first, as the form always offered them.
RESET_CHOICES = [(value, ResetPeriod(value).label)
                 for value in (ResetPeriod.MONTHLY, ResetPeriod.YEARLY, ResetPeriod.NEVER)]


class HomeCompanyForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address1 = forms.CharField(label=_("Address 1"), required=False, max_length=255)
    address2 = forms.CharField(label=_("Address 2"), required=False, max_length=255)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=20)
    country = forms.ChoiceField(label=_("Country"))
    region = forms.CharField(label=_("State/Region"), required=False, max_length=100)
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
    payment_terms_days = forms.CharField(label=_("Payment terms (days)"), required=False, max_length=4)
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
    is_default = forms.BooleanField(label=_("Default home company"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        self.fields["language"].choices = [("", pgettext_lazy("language of documents", "Default")),
                                           *language_choices()]


class TaxRuleForm(ServiceErrorsMixin, forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = forms.CharField(label=_("State/Region"), required=False, max_length=100)
    applies_private = forms.BooleanField(label=_("Private clients"), required=False)
    applies_company = forms.BooleanField(label=_("Companies without tax ID"), required=False)
    applies_company_tax_id = forms.BooleanField(label=_("Companies with tax ID"), required=False)
    tax1_name = forms.CharField(label=_("Tax 1"), required=False, max_length=40)
    tax1_rate = forms.CharField(label=_("Rate 1 (%)"), required=False, max_length=10)
    tax2_name = forms.CharField(label=_("Tax 2"), required=False, max_length=40)
    tax2_rate = forms.CharField(label=_("Rate 2 (%)"), required=False, max_length=10)
    tax3_name = forms.CharField(label=_("Tax 3"), required=False, max_length=40)
    tax3_rate = forms.CharField(label=_("Rate 3 (%)"), required=False, max_length=10)
    priority = forms.CharField(label=_("Priority"), max_length=6, initial="0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *country_choices()]


class AddServiceForm(ServiceErrorsMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product"))
    price = forms.ChoiceField(label=_("Price"), required=False)
    allow_over_limit = forms.BooleanField(label=_("Order even if funds plus credit limit do not cover it (logged)"),
                                          required=False)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        from clientpanel.catalog.models import Price, Product
        from clientpanel.catalog.rules import orderable_by_staff

        # Staff may sell hidden products too (off the clients' order form only); retired ones are off sale.
        products = [p for p in Product.objects.filter(retired=False).order_by("name") if orderable_by_staff(p)]
        self.fields["product"].choices = [("", _("Select a product")), *(
            (str(p.pk), _("%(name)s (%(key)s), hidden from clients") % {"name": p.name, "key": p.key} if p.hidden
             else f"{p.name} ({p.key})") for p in products)]
        product_id = self.data.get("product") or self.initial.get("product")
        prices = Price.objects.none()
        # Only a product on the list: anything else in the query string or the form is not an id.
        if product_id and client is not None and str(product_id) in dict(self.fields["product"].choices):
            prices = Price.objects.filter(product_id=product_id, currency=client.currency)
        self.fields["price"].choices = [("", _("Select an option")), *((str(p.pk), p.label) for p in prices)]


class ProductForm(ServiceErrorsMixin, forms.Form):
    key = forms.CharField(label=_("Key"), max_length=100, help_text=_("e.g. proxmox-lxc-mini"))
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=5000)
    module = forms.ChoiceField(label=_("Module"))
    module_settings = forms.CharField(label=_("Module settings (JSON)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    hourly_billing = forms.BooleanField(label=_("Bill monthly prices by the hour"), required=False)
    termination_delay_hours = forms.IntegerField(label=_("Termination delay (hours)"), min_value=0, max_value=8760)
    cancellation_delay_hours = forms.IntegerField(label=_("Cancellation delay (hours)"), min_value=0, max_value=8760)
    hidden = forms.BooleanField(label=_("Hidden"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from clientpanel.catalog.modules import module_choices

        self.fields["module"].choices = module_choices()

    def clean_module_settings(self):
        import json

        raw = self.cleaned_data["module_settings"].strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(_('Enter a JSON object, e.g. {"fail": "create"}.')) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Enter a JSON object."))
        return value


class PriceForm(ServiceErrorsMixin, forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    amount = forms.CharField(label=_("Amount"), max_length=32,
                             help_text=_("Hourly prices, and every price of a product billed by the hour, take 4 "
                                         "decimal places; other prices the currency's minor unit (2 for USD)."))
    setup_fee = forms.CharField(label=_("Setup fee"), max_length=32, required=False, initial="0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use it, e.g. Billing sync."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), required=False, widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label=_("Expires on (UTC)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("From this day the token no longer works; empty: until revoked."))

    def __init__(self, *args, scopes: list[str] | tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, scope) for scope in scopes]
