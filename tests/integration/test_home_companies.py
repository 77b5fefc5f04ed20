"""Two home companies with the EU preset, through clients, tax rules and documents: each client's
documents come from the company that bills it (pinned, or picked by the rules), numbered in that
company's series and taxed by its rules."""

from decimal import Decimal

import pytest

from clientpanel.clients.models import Client
from clientpanel.clients.services import client_create
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_presets_apply
from conftest import client_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies() -> tuple[HomeCompany, HomeCompany]:
    polish = home_company_save(actor=None, company_id=default_home_company().pk, data={
        "name": "Polska Sp. z o.o.", "country": "PL", "proforma_pattern": "PL-PF/{NUMBER}", "proforma_reset": "NEVER"})
    irish = home_company_save(actor=None, data={"name": "Dublin Ltd", "country": "IE",
                                                "proforma_pattern": "IE-PF/{NUMBER}", "proforma_reset": "NEVER"})
    assert tax_presets_apply(actor=None, company_id=polish.pk, preset="EU") == 27
    assert tax_presets_apply(actor=None, company_id=irish.pk, preset="EU") == 27
    return polish, irish


def german_client(pinned: HomeCompany | None = None, **extra) -> Client:
    client = client_create(actor=None, data=client_data(currency="EUR", billing_address={
        "country": "DE", "region": "Berlin", "postcode": "10115", "city": "Berlin"}, **extra))
    if pinned is not None:
        # No service pins a client yet (the field exists for staff; see the report of issue 10).
        Client.objects.filter(pk=client.pk).update(home_company=pinned)
    return client


def test_a_client_pinned_to_the_second_company_gets_its_documents_from_it(companies):
    _, irish = companies
    proforma = proforma_add_funds(actor=None, client_id=german_client(pinned=irish).pk, net_amount="100.00")
    assert (proforma.home_company, proforma.number) == (irish, "IE-PF/1")
    assert proforma.tax_lines == [{"name": "VAT", "rate": "19.000", "amount": "19.00"}]
    assert proforma.total == Decimal("119.00") and proforma.company_snapshot["name"] == "Dublin Ltd"


def test_clients_who_are_not_pinned_keep_the_first_company(companies):
    polish, _ = companies
    proforma = proforma_add_funds(actor=None, client_id=german_client().pk, net_amount="100.00")
    assert (proforma.home_company, proforma.number, proforma.total) == (polish, "PL-PF/1", Decimal("119.00"))


def test_each_company_decides_reverse_charge_from_its_own_member_state(companies):
    polish, irish = companies
    for pinned in (polish, irish):
        client = german_client(pinned=pinned, company_name="Kunde GmbH", tax_id="DE136695976")
        Client.objects.filter(pk=client.pk).update(vies_status="VALID")  # as the VIES job records it
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
        assert (proforma.home_company, proforma.reverse_charge, proforma.total) == (pinned, True, Decimal("100.00"))


def test_a_series_restart_cannot_change_once_documents_are_numbered_in_it(make_client):
    """A new restart starts a new counter, which would give the numbers already issued again: once
    a document is numbered the restart stays; the pattern may still change (a new prefix is a new
    series)."""
    from clientpanel.core.errors import ValidationFailed
    from clientpanel.invoicing.services import proforma_add_funds

    company = home_company_save(actor=None, company_id=default_home_company().pk, data={
        "invoice_pattern": "INV-{NUMBER}", "invoice_reset": "NEVER"})  # allowed: nothing numbered yet
    proforma_add_funds(actor=None, client_id=make_client().pk, net_amount="10")
    with pytest.raises(ValidationFailed) as refused:
        home_company_save(actor=None, company_id=company.pk, data={"proforma_reset": "YEARLY"})
    assert "numbered in this series already" in refused.value.fields["proforma_reset"][0]
    home_company_save(actor=None, company_id=company.pk, data={"invoice_reset": "YEARLY",
                                                               "invoice_pattern": "INV/{YEAR}/{NUMBER}"})
    home_company_save(actor=None, company_id=company.pk, data={"proforma_pattern": "PF2/{YEAR}/{MONTH}/{NUMBER}"})
