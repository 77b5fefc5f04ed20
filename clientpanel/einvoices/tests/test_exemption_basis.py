"""The legal basis of a VAT exemption in an e-invoice (FA(3) P_19A) is the one the document recorded
at issue — a credit note its invoice's — never the company's setting of today; staff enter it beside
the e-invoice format and it is the home company's."""

from __future__ import annotations

import pytest

from clientpanel.clients.services import client_update
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.models import EInvoice, EInvoiceStatus
from clientpanel.einvoices.services import einvoice_ksef_number_record
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.tax.models import HomeCompany

from .test_einvoice_lifecycle import NIP, seller_day, stored

pytestmark = pytest.mark.django_db
ART_113 = "art. 113 ust. 1 ustawy o VAT"
ART_43 = "art. 43 ust. 1 pkt 37 ustawy o VAT"


def test_the_basis_entered_with_the_format_is_the_companys(polish_company, staff):
    einvoice_profile_save(actor=staff, company_id=polish_company.pk, format_key="ksef_fa3",
                          vat_exemption_basis=f"  {ART_113} ")
    assert HomeCompany.objects.get(pk=polish_company.pk).vat_exemption_basis == ART_113
    einvoice_profile_save(actor=staff, company_id=polish_company.pk, format_key="ksef_fa3", vat_exemption_basis="")
    assert HomeCompany.objects.get(pk=polish_company.pk).vat_exemption_basis == ""


def test_a_credit_note_carries_its_invoices_basis_after_the_setting_changed(polish_company, make_client, staff):
    einvoice_profile_save(actor=staff, company_id=polish_company.pk, format_key="ksef_fa3",
                          vat_exemption_basis=ART_113)
    client = make_client(currency="PLN", company_name="Klient sp. z o.o.", tax_id="7740001454")
    client_update(actor=None, client_id=client.pk, data={"tax_exempt": True})
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100")
    proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    invoice = Document.objects.get(pk=proforma.pk).related
    assert invoice.vat_exemption_basis == ART_113
    made = EInvoice.objects.get(document=invoice)
    assert made.status == EInvoiceStatus.MADE and b"<P_19A>" + ART_113.encode() in stored(made)
    einvoice_ksef_number_record(actor=staff, document_id=invoice.pk,
                                ksef_number=f"{NIP}-{seller_day(invoice)}-0100A0B1C2D3-4F")

    einvoice_profile_save(actor=staff, company_id=polish_company.pk, format_key="ksef_fa3",
                          vat_exemption_basis=ART_43)
    note = credit_note_issue(actor=staff, invoice_id=invoice.pk, net_amount="10").note
    content = stored(EInvoice.objects.get(document=note))
    assert b"<P_19A>" + ART_113.encode() in content and ART_43.encode() not in content
