"""The Products area: products, their prices, retiring a product."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientpanel.accounts.roles import PRODUCTS
from clientpanel.catalog import services as catalog_services
from clientpanel.catalog.models import Product
from clientpanel.core.errors import DomainError, NotFound

from ..access import area_required
from ..forms.services import PriceForm, ProductForm
from .common import form_page, found_or_404


@area_required(PRODUCTS)
def product_list(request: HttpRequest) -> HttpResponse:
    products = Product.objects.prefetch_related("prices").order_by("retired", "name")
    return render(request, "backoffice/products/list.html", {"products": products})


@area_required(PRODUCTS)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id=None) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id) if product_id else None
    initial = {"module": "manual", "termination_delay_hours": 48, "cancellation_delay_hours": 48}
    if product is not None:
        initial = {name: getattr(product, name) for name in ProductForm.base_fields}
        initial["module_settings"] = json.dumps(product.module_settings) if product.module_settings else ""
    return form_page(
        request, ProductForm(request.POST or None, initial=initial), "backoffice/products/edit.html", {
            "product": product, "prices": product.prices.all() if product else [],
            "price_form": PriceForm(initial={"setup_fee": "0"})},
        save=lambda data: catalog_services.product_save(actor=request.user, data=data, product_id=product_id),
        success=lambda saved: _("Product %(name)s saved.") % {"name": saved.name},
        then=lambda saved: redirect("backoffice:product-edit", product_id=saved.pk))


@area_required(PRODUCTS)
@require_POST
def price_add(request: HttpRequest, product_id) -> HttpResponse:
    form = PriceForm(request.POST)
    if form.is_valid():
        try:
            catalog_services.price_save(actor=request.user, product_id=product_id, data=form.cleaned_data)
        except NotFound:
            raise Http404("Product not found.") from None
        except DomainError as error:
            details = " ".join(f"{field}: {m}" for field, ms in error.fields.items() for m in ms)
            messages.error(request, f"{error.message} {details}".strip())
        else:
            messages.success(request, _("Price added."))
    else:
        problems = "; ".join(f"{form.fields[k].label if k in form.fields else k}: {v[0]}"
                             for k, v in form.errors.items())
        messages.error(request, _("Check the price: %(problems)s") % {"problems": problems})
    return redirect("backoffice:product-edit", product_id=product_id)


@area_required(PRODUCTS)
@require_POST
def product_retire(request: HttpRequest, product_id) -> HttpResponse:
    product = found_or_404(lambda: catalog_services.product_retire(actor=request.user, product_id=product_id),
                           "Product not found.")
    messages.success(request, _("%(name)s is retired: no new orders; its services go on.") % {"name": product.name})
    return redirect("backoffice:product-list")
