"""Ordering a service for a client, and the products (with their prices) services are ordered
from."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from clientpanel.catalog.models import Period, Price, Product
from clientpanel.catalog.modules import module_choices
from clientpanel.catalog.rules import orderable_by_staff
from clientpanel.ui.labels import currency_choices

from .common import ServiceErrorsMixin


class AddServiceForm(ServiceErrorsMixin, forms.Form):
    product = forms.ChoiceField(label=_("Product"))
    price = forms.ChoiceField(label=_("Price"), required=False)
    allow_over_limit = forms.BooleanField(label=_("Order even if funds plus credit limit do not cover it (logged)"),
                                          required=False)

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
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
        self.fields["module"].choices = module_choices()

    def clean_module_settings(self):
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
