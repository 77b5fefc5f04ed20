"""Forms of the staff panel. They only parse and present input; the services validate it, and
their field errors are shown inline next to what the user typed."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse

from clientpanel.clients.models import AddressType, ClientStatus
from clientpanel.clients.validation import country_choices, currency_choices, language_choices
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import decimals_rule


class CurrencyAmountMixin:
    """Forms whose amounts take the currency's minor unit say so under each amount field."""

    amount_fields: tuple[str, ...] = ()

    def __init__(self, *args, currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.amount_fields:
            hint = decimals_rule(currency)
            current = self.fields[name].help_text
            self.fields[name].help_text = f"{current} {hint}".strip() if current else hint


class StaffLoginForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))

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
    return [("", "Select an option"), *choices]


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
    firstname = forms.CharField(label="Firstname", max_length=150)
    lastname = forms.CharField(label="Lastname", max_length=150)
    company_name = forms.CharField(label="Company Name", required=False, max_length=255)
    tax_id = forms.CharField(label="Tax ID", required=False, max_length=64)
    phone = forms.CharField(label="Phone Number", required=False, max_length=32,
                            widget=forms.TextInput(attrs={"placeholder": "+48 22 123 45 67"}))
    language = forms.ChoiceField(label="Language")
    currency = forms.ChoiceField(label="Currency")
    status = forms.ChoiceField(label="Status", choices=ClientStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        self.fields["currency"].choices = currency_choices()


class ClientCreateForm(ClientFieldsForm):
    email = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput)
    password = forms.CharField(label="Password", required=False, widget=forms.PasswordInput,
                               help_text="Leave empty: the owner sets one later.")
    billing_address1 = forms.CharField(label="Address 1", required=False, max_length=255)
    billing_address2 = forms.CharField(label="Address 2", required=False, max_length=255)
    billing_city = forms.CharField(label="City", required=False, max_length=100)
    billing_postcode = forms.CharField(label="Postcode", required=False, max_length=20)
    billing_country = forms.ChoiceField(label="Country")
    billing_region = forms.CharField(label="State/Region", required=False, max_length=100)

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
    firstname = forms.CharField(label="Firstname", max_length=150)
    lastname = forms.CharField(label="Lastname", max_length=150)
    email = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput)
    company_name = forms.CharField(label="Company Name", required=False, max_length=255)
    country = forms.ChoiceField(label="Country")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _choices_with_blank(country_choices())

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        return {**data, "billing_address": {"country": data.pop("country")}}


INHERIT_CHOICES = [("", "Inherit"), ("true", "Yes"), ("false", "No")]


class ClientProfileForm(CurrencyAmountMixin, ClientFieldsForm):
    amount_fields = ("credit_limit",)

    group = forms.ChoiceField(label="Group", required=False)
    payment_terms_days = forms.CharField(label="Payment terms (days)", required=False, max_length=4,
                                         help_text="Empty: inherit from the group or the system default.")
    tax_exempt = forms.ChoiceField(label="Tax exempt", choices=INHERIT_CHOICES, required=False)
    reminders_enabled = forms.ChoiceField(label="Reminders", choices=INHERIT_CHOICES, required=False)

    id_number = forms.CharField(label="ID Number", required=False, max_length=64,
                                help_text="The client's number in another system.")
    credit_limit = forms.CharField(label="Credit Limit", max_length=32)
    admin_notes = forms.CharField(label="Admin Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=10_000, help_text="Private to staff.")
    public_notes = forms.CharField(label="Public Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   max_length=10_000, help_text="Shown to the client in the portal.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from clientpanel.clients.selectors import group_list

        self.fields["group"].choices = [("", "No group"), *((str(g.pk), g.name) for g in group_list())]


class AddressForm(ServiceErrorsMixin, forms.Form):
    type = forms.ChoiceField(label="Type", choices=AddressType.choices)
    name = forms.CharField(label="Name", required=False, max_length=100)
    contact_name = forms.CharField(label="Contact", required=False, max_length=200)
    phone = forms.CharField(label="Phone Number", required=False, max_length=32)
    email = forms.CharField(label="Email", required=False, max_length=254, widget=forms.EmailInput)
    address1 = forms.CharField(label="Address 1", required=False, max_length=255)
    address2 = forms.CharField(label="Address 2", required=False, max_length=255)
    city = forms.CharField(label="City", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=20)
    country = forms.ChoiceField(label="Country")
    region = forms.CharField(label="State/Region", required=False, max_length=100)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    is_default = forms.BooleanField(label="Default shipping address", required=False)

    def __init__(self, *args, is_billing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _choices_with_blank(country_choices())
        if is_billing:
            # The billing address keeps its type (SPEC §2) and has no default flag.
            self.fields["type"].choices = [(AddressType.BILLING, "Billing")]
            self.fields["type"].disabled = True
            del self.fields["is_default"]
        else:
            self.fields["type"].choices = [c for c in AddressType.choices if c[0] != AddressType.BILLING]


def permission_choices():
    from clientpanel.clients.permissions import CLIENT_PERMISSIONS

    return list(CLIENT_PERMISSIONS.items())


class PermissionsForm(ServiceErrorsMixin, forms.Form):
    permissions = forms.MultipleChoiceField(label="Permissions", required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permission_choices()


class AssociateUserForm(PermissionsForm):
    email = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    firstname = forms.CharField(label="Firstname", required=False, max_length=150,
                                help_text="Only for a new user.")
    lastname = forms.CharField(label="Lastname", required=False, max_length=150)
    password = forms.CharField(label="Password", required=False, widget=forms.PasswordInput,
                               help_text="Only for a new user; empty: they set one later.")


def role_choices():
    from django.contrib.auth.models import Group

    return [(g.name, g.name) for g in Group.objects.order_by("name")]


class StaffCreateForm(ServiceErrorsMixin, forms.Form):
    email = forms.CharField(label="Email", max_length=254, widget=forms.EmailInput)
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    firstname = forms.CharField(label="Firstname", required=False, max_length=150)
    lastname = forms.CharField(label="Lastname", required=False, max_length=150)
    roles = forms.MultipleChoiceField(label="Roles", required=False, widget=forms.CheckboxSelectMultiple)
    limited_to_assigned_clients = forms.BooleanField(label="Limit to assigned clients", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()


class StaffEditForm(ServiceErrorsMixin, forms.Form):
    firstname = forms.CharField(label="Firstname", required=False, max_length=150)
    lastname = forms.CharField(label="Lastname", required=False, max_length=150)
    roles = forms.MultipleChoiceField(label="Roles", required=False, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label="Active (may log in)", required=False)
    limited_to_assigned_clients = forms.BooleanField(label="Limit to assigned clients", required=False)
    assigned_clients = forms.CharField(label="Assigned clients", required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}),
                                       help_text="Client numbers, one per line or separated by commas.")

    def __init__(self, *args, itself: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()
        if itself:
            # Nobody changes their own roles, limitation, assignments or active flag (issue 9).
            for name in ("roles", "is_active", "limited_to_assigned_clients", "assigned_clients"):
                self.fields[name].disabled = True


class RoleForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    areas = forms.MultipleChoiceField(label="Areas", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from clientpanel.accounts.roles import AREAS

        self.fields["areas"].choices = list(AREAS.items())


class GroupForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    colour = forms.CharField(label="Colour", max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
    currency = forms.ChoiceField(label="Currency", required=False)
    language = forms.ChoiceField(label="Language", required=False)
    payment_terms_days = forms.CharField(label="Payment terms (days)", required=False, max_length=4)
    tax_exempt = forms.ChoiceField(label="Tax exempt", choices=INHERIT_CHOICES, required=False)
    reminders_enabled = forms.ChoiceField(label="Reminders", choices=INHERIT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "Inherit"), *currency_choices()]
        self.fields["language"].choices = [("", "Inherit"), *language_choices()]


class CodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=20, widget=forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class ManualTransactionForm(ServiceErrorsMixin, forms.Form):
    amount = forms.CharField(label="Amount", max_length=32,
                             help_text="Negative to charge, positive to credit; up to 4 decimal places, as hourly "
                                       "charges have.")
    transaction_id = forms.CharField(label="Transaction ID", required=False, max_length=100)
    description = forms.CharField(label="Description", max_length=500)
    allow_over_limit = forms.BooleanField(label="Allow beyond balance + credit limit (logged)", required=False)


class AddFundsForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = forms.CharField(label="Net Amount", max_length=32)


class PaymentForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("amount",)
    amount = forms.CharField(label="Amount (gross)", max_length=32)
    paid_at = forms.DateTimeField(label="Paid at", required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  help_text="When the money arrived, in the home company's time zone; not before "
                                            "the proforma's issue, not in the future. Empty: now.")
    method = forms.CharField(label="Method", required=False, max_length=50,
                             widget=forms.TextInput(attrs={"placeholder": "Bank transfer"}))
    transaction_id = forms.CharField(label="Transaction ID", required=False, max_length=100)


class CreditNoteForm(CurrencyAmountMixin, ServiceErrorsMixin, forms.Form):
    amount_fields = ("net_amount",)
    net_amount = forms.CharField(label="Net amount to refund", max_length=32)
    transaction_id = forms.CharField(label="Transaction ID", required=False, max_length=100)


class ProformaItemsForm(ServiceErrorsMixin, forms.Form):
    items = forms.CharField(
        label="Items", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One item per line: description ; quantity ; unit price (net). Start a line with + to make it a "
                  "top-up that adds funds instead of being charged.")

    def service_items(self) -> list[dict]:
        items = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")]
            if len(parts) != 3:
                raise forms.ValidationError(f"“{line.strip()}” needs three parts: description ; quantity ; price.")
            description, quantity, price = parts
            topup = description.startswith("+")
            items.append({"description": description.lstrip("+ ").strip() or None, "quantity": quantity,
                          "unit_price": price, "is_topup": topup})
        return items


class HomeCompanyForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(max_length=200)
    address1 = forms.CharField(label="Address 1", required=False, max_length=255)
    address2 = forms.CharField(label="Address 2", required=False, max_length=255)
    city = forms.CharField(required=False, max_length=100)
    postcode = forms.CharField(required=False, max_length=20)
    country = forms.ChoiceField()
    region = forms.CharField(label="State/Region", required=False, max_length=100)
    local_tax_id = forms.CharField(label="Local tax ID", required=False, max_length=64)
    eu_vat_id = forms.CharField(label="EU VAT ID", required=False, max_length=64)
    registration_number = forms.CharField(required=False, max_length=64)
    us_ein = forms.CharField(label="US EIN", required=False, max_length=20)
    us_state_id = forms.CharField(label="US state ID", required=False, max_length=64)
    ca_bn = forms.CharField(label="Canadian BN", required=False, max_length=20)
    ca_gst_hst = forms.CharField(label="GST/HST", required=False, max_length=20)
    ca_pst_qst = forms.CharField(label="PST/QST", required=False, max_length=20)
    bank_details = forms.CharField(label="Bank details / pay to", required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    invoice_footer = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    topup_item_name = forms.CharField(label="Top-up item name", max_length=200)
    refund_item_name = forms.CharField(label="Refund item name", max_length=200)
    payment_terms_days = forms.CharField(label="Payment terms (days)", required=False, max_length=4)
    time_zone = forms.CharField(label="Time zone", required=False, max_length=64,
                                help_text="Documents are dated and numbered by the day in this zone, e.g. "
                                          "Europe/Warsaw; blank: the server's zone.")
    language = forms.ChoiceField(label="Language of documents", required=False,
                                 help_text="Used when documents are not printed in the client's language.")
    proforma_pattern = forms.CharField(max_length=100)
    proforma_reset = forms.ChoiceField(choices=[("MONTHLY", "Monthly"), ("YEARLY", "Yearly"), ("NEVER", "Never")])
    invoice_pattern = forms.CharField(max_length=100)
    invoice_reset = forms.ChoiceField(choices=[("MONTHLY", "Monthly"), ("YEARLY", "Yearly"), ("NEVER", "Never")])
    credit_note_pattern = forms.CharField(max_length=100)
    credit_note_reset = forms.ChoiceField(choices=[("MONTHLY", "Monthly"), ("YEARLY", "Yearly"), ("NEVER", "Never")])
    is_default = forms.BooleanField(label="Default home company", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
        self.fields["language"].choices = [("", "Default"), *language_choices()]


class TaxRuleForm(ServiceErrorsMixin, forms.Form):
    country = forms.ChoiceField(required=False)
    region = forms.CharField(label="State/Region", required=False, max_length=100)
    applies_private = forms.BooleanField(label="Private clients", required=False)
    applies_company = forms.BooleanField(label="Companies without tax ID", required=False)
    applies_company_tax_id = forms.BooleanField(label="Companies with tax ID", required=False)
    tax1_name = forms.CharField(label="Tax 1", required=False, max_length=40)
    tax1_rate = forms.CharField(label="Rate 1 (%)", required=False, max_length=10)
    tax2_name = forms.CharField(label="Tax 2", required=False, max_length=40)
    tax2_rate = forms.CharField(label="Rate 2 (%)", required=False, max_length=10)
    tax3_name = forms.CharField(label="Tax 3", required=False, max_length=40)
    tax3_rate = forms.CharField(label="Rate 3 (%)", required=False, max_length=10)
    priority = forms.CharField(max_length=6, initial="0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Any country"), *country_choices()]


class AddServiceForm(ServiceErrorsMixin, forms.Form):
    product = forms.ChoiceField(label="Product")
    price = forms.ChoiceField(label="Price", required=False)
    allow_over_limit = forms.BooleanField(label="Order even if funds plus credit limit do not cover it (logged)",
                                          required=False)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        from clientpanel.catalog.models import Price, Product

        products = Product.objects.filter(retired=False, hidden=False).order_by("name")
        self.fields["product"].choices = [("", "Select a product"), *((str(p.pk), f"{p.name} ({p.key})")
                                                                      for p in products)]
        product_id = self.data.get("product") or self.initial.get("product")
        prices = Price.objects.none()
        # Only a product on the list: anything else in the query string or the form is not an id.
        if product_id and client is not None and str(product_id) in dict(self.fields["product"].choices):
            prices = Price.objects.filter(product_id=product_id, currency=client.currency)
        self.fields["price"].choices = [("", "Select an option"), *((str(p.pk), p.label) for p in prices)]


class ProductForm(ServiceErrorsMixin, forms.Form):
    key = forms.CharField(max_length=100, help_text="e.g. proxmox-lxc-mini")
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    module = forms.ChoiceField()
    module_settings = forms.CharField(label="Module settings (JSON)", required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    hourly_billing = forms.BooleanField(label="Bill monthly prices by the hour", required=False)
    termination_delay_hours = forms.IntegerField(label="Termination delay (hours)", min_value=0, max_value=8760)
    cancellation_delay_hours = forms.IntegerField(label="Cancellation delay (hours)", min_value=0, max_value=8760)
    hidden = forms.BooleanField(required=False)

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
            raise forms.ValidationError("Enter a JSON object, e.g. {\"fail\": \"create\"}.") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("Enter a JSON object.")
        return value


class PriceForm(ServiceErrorsMixin, forms.Form):
    currency = forms.ChoiceField()
    period = forms.ChoiceField()
    amount = forms.CharField(max_length=32, help_text="Hourly prices, and every price of a product billed by the "
                                                      "hour, take 4 decimal places; other prices the currency's "
                                                      "minor unit (2 for USD).")
    setup_fee = forms.CharField(max_length=32, required=False, initial="0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from clientpanel.catalog.models import Period

        self.fields["currency"].choices = currency_choices()
        self.fields["period"].choices = Period.choices


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="What will use it, e.g. Billing sync.")
    scopes = forms.MultipleChoiceField(label="Scopes", required=False, widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label="Expires on (UTC)", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="From this day the token no longer works; empty: until revoked.")

    def __init__(self, *args, scopes: list[str] | tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, scope) for scope in scopes]
