"""REST endpoints for home companies and their tax rules (SPEC §11).

The operation ids keep the names these endpoints had when they lived in invoicing/api.py: generated
clients call them by id, so moving the router must not rename them.
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema, Status
from pydantic import Field, StrictBool

from clientpanel.accounts.api_auth import api_actor, scoped
from clientpanel.accounts.scopes import FINANCE_READ, SETTINGS_WRITE
from clientpanel.core.api_types import Int, OneLine, Page, PageSize, Text, strict_example
from clientpanel.core.schemas import ListOut, StrictSchema, list_page

from . import services
from .models import HomeCompany

companies_router = Router(tags=["home companies"])


class HomeCompanyIn(StrictSchema):
    model_config = strict_example(name="Acme Hosting Sp. z o.o.", country="PL", city="Warszawa",
                                  eu_vat_id="PL5260250995", invoice_pattern="FV/{YEAR}/{MONTH}/{NUMBER}",
                                  time_zone="Europe/Warsaw", language="pl")
    name: OneLine(200) | None = None
    address1: OneLine(255) | None = None
    address2: OneLine(255) | None = None
    city: OneLine(100) | None = None
    postcode: OneLine(20) | None = None
    country: OneLine(2) | None = None
    region: OneLine(100) | None = None
    local_tax_id: OneLine(64) | None = None
    eu_vat_id: OneLine(64) | None = None
    registration_number: OneLine(64) | None = None
    us_ein: OneLine(20) | None = None
    us_state_id: OneLine(64) | None = None
    ca_bn: OneLine(20) | None = None
    ca_gst_hst: OneLine(20) | None = None
    ca_pst_qst: OneLine(20) | None = None
    bank_details: Text(2000) | None = None
    invoice_footer: Text(2000) | None = None
    time_zone: OneLine(64) | None = None
    language: OneLine(8) | None = None
    topup_item_name: OneLine(200) | None = None
    refund_item_name: OneLine(200) | None = None
    payment_terms_days: Int(0, 365) | None = None
    # Numbering patterns: {YEAR}, {MONTH}, {DAY}, and {NUMBER} or {NUMBER:n} (n 1–12) exactly once; no quotes or
    # backslashes; numbers fit Document.number; a company's three differ in their text (tax.services.patterns).
    proforma_pattern: OneLine(100) | None = None
    proforma_reset: OneLine(8) | None = None
    invoice_pattern: OneLine(100) | None = None
    invoice_reset: OneLine(8) | None = None
    credit_note_pattern: OneLine(100) | None = None
    credit_note_reset: OneLine(8) | None = None
    reminder_days_before: Int(0, 60) | None = Field(None, description="Proforma reminder this many days before the "
                                                                      "due date; 0: none")
    reminder_days_overdue: Int(0, 60) | None = Field(None, description="and this many days after it; 0: none")
    is_default: StrictBool | None = None


class TaxOut(Schema):
    name: str
    rate: str


class TaxRuleOut(Schema):
    id: int
    country: str | None
    region: str | None
    kinds: list[str]
    taxes: list[TaxOut]
    priority: int


class HomeCompanyOut(Schema):
    id: int
    name: str
    address1: str
    address2: str
    city: str
    postcode: str
    country: str
    region: str
    local_tax_id: str
    eu_vat_id: str
    registration_number: str
    us_ein: str
    us_state_id: str
    ca_bn: str
    ca_gst_hst: str
    ca_pst_qst: str
    bank_details: str
    invoice_footer: str
    time_zone: str
    language: str
    topup_item_name: str
    refund_item_name: str
    payment_terms_days: int | None
    proforma_pattern: str
    proforma_reset: str
    invoice_pattern: str
    invoice_reset: str
    credit_note_pattern: str
    credit_note_reset: str
    reminder_days_before: int
    reminder_days_overdue: int
    muted_emails: list[str]
    is_default: bool
    tax_rules: list[TaxRuleOut]


class HomeCompanyListOut(ListOut[HomeCompanyOut]):
    """The home companies, with how many there are."""


def company_out(company: HomeCompany) -> dict[str, Any]:
    fields = [f.name for f in HomeCompany._meta.concrete_fields if f.name != "created_at"]
    body = {name: getattr(company, name) for name in fields}
    body["tax_rules"] = [{"id": r.pk, "country": r.country or None, "region": r.region or None,
                          "kinds": sorted(r.kinds()), "taxes": [{"name": n, "rate": str(v)} for n, v in r.taxes()],
                          "priority": r.priority} for r in company.tax_rules.all()]
    return body


@companies_router.get("/home-companies", response=HomeCompanyListOut,
                      operation_id="clientpanel_invoicing_api_list_home_companies", auth=scoped(FINANCE_READ))
def list_home_companies(request, page: Page = 1, page_size: PageSize = 50):
    companies = HomeCompany.objects.prefetch_related("tax_rules").order_by("-is_default", "name", "pk")
    return list_page(companies, page=page, page_size=page_size, item_out=company_out)


@companies_router.post("/home-companies", response={201: HomeCompanyOut},
                       operation_id="clientpanel_invoicing_api_create_home_company", auth=scoped(SETTINGS_WRITE))
def create_home_company(request, payload: HomeCompanyIn):
    company = services.home_company_save(actor=api_actor(request), data=payload.model_dump(exclude_unset=True))
    return Status(201, company_out(company))
