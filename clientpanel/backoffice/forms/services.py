"""Ordering a service for a client, and the products (with their prices) services are ordered
from."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.catalog.models import Period
from clientpanel.catalog.modules import module_choices
from clientpanel.catalog.selectors import products_for_staff_order
from clientpanel.core.json_text import read_json
from clientpanel.ui.forms import SentOnceMixin
from clientpanel.ui.labels import currency_choices
from clientpanel.ui.numbers import LocalizedNumberField, WholeNumberField

from .common import ServiceErrorsMixin


class AddServiceForm(SentOnceMixin, ServiceErrorsMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product"))
    price = forms.ChoiceField(label=_("Price"), required=False)
    allow_over_limit = forms.BooleanField(label=_("Order even if funds plus credit limit do not cover it (logged)"),
                                          required=False)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff may sell hidden products too (off the clients' order form only); retired ones are off
        # sale, and so is a product without a price (explicit or derived) in the client's currency.
        products = products_for_staff_order(currency=client.currency) if client is not None else []
        self.fields["product"].choices = [("", _("Select a product")), *(
            (str(p.pk), _("%(name)s (%(key)s), hidden from clients") % {"name": p.name, "key": p.key} if p.hidden
             else f"{p.name} ({p.key})") for p in products)]
        product_id = str(self.data.get("product") or self.initial.get("product") or "")
        # Only a product on the list: anything else in the query string or the form is not an id.
        offers = next((p.client_prices for p in products if str(p.pk) == product_id), [])
        self.fields["price"].choices = [("", _("Select an option")), *(
            (str(o.pk), _("%(price)s (derived at %(rate)s)") % {"price": o.label, "rate": o.rate_shown}
             if o.derived else o.label) for o in offers)]


class ProductForm(ServiceErrorsMixin, forms.Form):
    key = forms.CharField(label=_("Key"), max_length=100, help_text=_("e.g. proxmox-lxc-mini"))
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  max_length=5000)
    module = forms.ChoiceField(label=_("Module"))
    module_settings = forms.CharField(label=_("Module settings (JSON)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    hourly_billing = forms.BooleanField(label=_("Bill monthly prices by the hour"), required=False)
    # Bounds checked by the service, in these words too (catalog.services.product_save).
    termination_delay_hours = WholeNumberField(label=_("Termination delay (hours)"), max_length=6,
                                               error_messages={"invalid": _("Use 0 to 8760 hours.")})
    cancellation_delay_hours = WholeNumberField(label=_("Cancellation delay (hours)"), max_length=6,
                                                error_messages={"invalid": _("Use 0 to 8760 hours.")})
    hidden = forms.BooleanField(label=_("Hidden"), required=False)
    derive_prices = forms.BooleanField(
        label=_("Derive prices in other currencies"), required=False,
        help_text=_("A currency without its own price of a period is offered the default currency's price × the "
                    "currency's exchange rate, rounded half up. Explicit prices win."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = module_choices()

    def clean_module_settings(self):
        raw = self.cleaned_data["module_settings"].strip()
        if not raw:
            return {}
        try:
            value = read_json(raw)
        except ValueError:
            raise forms.ValidationError(_('Enter a JSON object, e.g. {"fail": "create"}.')) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Enter a JSON object."))
        return value


class PriceForm(ServiceErrorsMixin, forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    amount = LocalizedNumberField(label=_("Amount"), max_length=32,
                             help_text=_("Hourly prices, and every price of a product billed by the hour, take 4 "
                                         "decimal places; other prices the currency's minor unit (2 for USD)."))
    setup_fee = LocalizedNumberField(label=_("Setup fee"), max_length=32, required=False, initial="0")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices()


class PriceEditForm(ServiceErrorsMixin, forms.Form):
    """A price's amount and setup fee; its currency and period stay (add another price for those)."""

    amount = LocalizedNumberField(label=_("Amount"), max_length=32)
    setup_fee = LocalizedNumberField(label=_("Setup fee"), max_length=32, required=False)


class ExchangeRateForm(ServiceErrorsMixin, forms.Form):
    currency = forms.ChoiceField(label=_("Currency"))
    rate = LocalizedNumberField(label=_("Rate"), max_length=32, example="4.3127",
                                help_text=_("Units of the currency one unit of the default currency buys, e.g. 4.3127; "
                                            "at most 6 decimal places."))

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(code, code) for code in currencies]
