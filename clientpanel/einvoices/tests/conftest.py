"""Fixtures of the e-invoice tests."""

import pytest

from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

NIP = "5260250995"


@pytest.fixture
def polish_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting Polska sp. z o.o.", "country": "PL", "local_tax_id": NIP, "eu_vat_id": f"PL{NIP}",
        "address1": "ul. Prosta 1", "city": "Warszawa", "postcode": "00-001", "time_zone": "Europe/Warsaw",
        "bank_details": "PKO BP PL61 1090 1014 0000 0712 1981 2874"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")
    return company
