"""Two home companies in zones far from the server's (UTC), for the reports' day and currency tests:
a Polish one in Warsaw (VAT 23%, the default company) and a New York one (sales tax 8.875%)."""

from __future__ import annotations

from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save

US_ADDRESS = {"country": "US", "region": "NY", "city": "New York", "postcode": "10001"}


def warsaw_and_new_york(settings, currencies: list[str]) -> tuple[HomeCompany, HomeCompany]:
    """The server in UTC, these currencies enabled, and the two companies (Warsaw, New York)."""
    settings.TIME_ZONE = "UTC"
    settings.CLIENTPANEL_CURRENCIES = currencies
    warsaw = default_home_company()
    home_company_save(actor=None, company_id=warsaw.pk, data={
        "name": "Hostownia", "country": "PL", "eu_vat_id": "PL5260250995", "time_zone": "Europe/Warsaw"})
    tax_rule_save(actor=None, company_id=warsaw.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    new_york = home_company_save(actor=None, data={"name": "Hosting Inc", "country": "US",
                                                   "time_zone": "America/New_York"})
    tax_rule_save(actor=None, company_id=new_york.pk, data={"country": "US", "region": "NY",
                                                            "tax1_name": "Sales tax", "tax1_rate": "8.875"})
    return warsaw, new_york
