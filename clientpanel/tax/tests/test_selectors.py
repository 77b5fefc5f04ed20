"""Which home company bills a client and which taxes it charges (SPEC §6): the most specific rule
wins (country and region, then country, then any country), then the higher priority; a pinned
company uses only its own rules; reverse charge only for a VIES-valid VAT number of another EU
member state than the billing company's."""

from decimal import Decimal

import pytest
from django.utils import translation

from clientpanel.tax.models import ClientKind, HomeCompany
from clientpanel.tax.selectors import (
    REVERSE_CHARGE_NOTE,
    client_kind,
    default_home_company,
    tax_decision,
    vat_member_state,
)
from clientpanel.tax.services import home_company_save, tax_rule_save

pytestmark = pytest.mark.django_db
EVERY_KIND = {"applies_private": True, "applies_company": True, "applies_company_tax_id": True}


def company(name: str = "", country: str = "PL", **fields) -> HomeCompany:
    """The default company (renamed and moved) when no name is given, else a new one."""
    if not name:
        return home_company_save(actor=None, company_id=default_home_company().pk,
                                 data={"country": country, **fields})
    return home_company_save(actor=None, data={"name": name, "country": country, **fields})


def rule(home: HomeCompany, country: str = "", region: str = "", taxes=(), priority: int = 0, **kinds):
    data = {"country": country, "region": region, "priority": priority, **kinds}
    for n, (name, rate) in enumerate(taxes, start=1):
        data |= {f"tax{n}_name": name, f"tax{n}_rate": rate}
    return tax_rule_save(actor=None, company_id=home.pk, data=data)


def decide(country: str, region: str = "", *, company_name: str = "", tax_id: str = "", vies: str = "UNCHECKED",
           pinned: HomeCompany | None = None):
    return tax_decision(country=country, region=region, company_name=company_name, tax_id=tax_id, vies_status=vies,
                        pinned_company_id=pinned.pk if pinned else None)


def test_country_and_region_beat_country_which_beats_any_country_whatever_the_priorities():
    home = company(country="CA")
    rule(home, taxes=[("Sales tax", "10")], priority=1000)
    rule(home, country="CA", taxes=[("GST", "5")], priority=0)
    rule(home, country="CA", region="QC", taxes=[("GST", "5"), ("QST", "9.975")], priority=-1000)

    quebec = decide("CA", "CA-QC")
    assert quebec.taxes == [("GST", Decimal("5.000")), ("QST", Decimal("9.975"))]
    assert quebec.label == "GST: 5% + QST: 9.975%"
    with translation.override("pl"):
        assert quebec.label == "GST: 5% + QST: 9,975%"
    assert decide("CA", "CA-ON").taxes == [("GST", Decimal("5.000"))]
    assert decide("US", "US-CA").taxes == [("Sales tax", Decimal("10.000"))]


def test_among_rules_for_the_same_place_the_higher_priority_wins():
    home = company()
    rule(home, country="PL", taxes=[("VAT", "8")], priority=-5)
    rule(home, country="PL", taxes=[("VAT", "23")], priority=5)
    rule(home, country="PL", taxes=[("VAT", "5")], priority=0)

    assert decide("PL").taxes == [("VAT", Decimal("23.000"))]


def test_a_rule_applies_only_to_the_kinds_of_client_it_names():
    home = company()
    rule(home, country="PL", taxes=[("VAT", "23")], applies_private=True, applies_company=True,
         applies_company_tax_id=False)

    assert decide("PL").taxes == [("VAT", Decimal("23.000"))]
    assert decide("PL", company_name="Firma").taxes == [("VAT", Decimal("23.000"))]
    with_tax_id = decide("PL", company_name="Firma", tax_id="PL5260250995")
    assert (with_tax_id.rule, with_tax_id.taxes, with_tax_id.label) == (None, [], "No tax")


def test_the_kind_of_client_follows_its_tax_id_and_company_name():
    assert client_kind(company_name="", tax_id="") == ClientKind.PRIVATE
    assert client_kind(company_name="Acme", tax_id="") == ClientKind.COMPANY
    assert client_kind(company_name="", tax_id="DE136695976") == ClientKind.COMPANY_TAX_ID


def test_without_a_matching_rule_the_default_company_bills_without_tax():
    home = company()
    other = company("Other Ltd", country="GB")
    rule(other, country="GB", taxes=[("VAT", "20")])

    decision = decide("FR")
    assert (decision.home_company, decision.rule, decision.taxes) == (home, None, [])


def test_the_winning_rule_picks_the_company_that_bills():
    polish = company()
    american = company("Demo Inc.", country="US")
    rule(american, country="US", priority=10)
    rule(polish, taxes=[("VAT", "23")])

    assert decide("US", "US-NY").home_company == american
    assert decide("US", "US-NY").taxes == []
    assert decide("DE").home_company == polish


def test_making_another_company_the_default_moves_the_flag():
    first = company()
    second = company("Second GmbH", country="DE", is_default=True)

    assert default_home_company() == second and decide("FR").home_company == second
    assert HomeCompany.objects.filter(is_default=True).get() == second
    first.refresh_from_db()
    assert first.is_default is False


def test_a_pinned_company_bills_with_its_own_rules_only():
    polish = company()
    german = company("Berlin GmbH", country="DE")
    rule(polish, country="DE", region="BE", taxes=[("VAT", "19")], priority=100)
    rule(german, taxes=[("USt", "19")])

    pinned = decide("DE", "DE-BE", pinned=german)
    assert (pinned.home_company, pinned.taxes) == (german, [("USt", Decimal("19.000"))])
    assert decide("DE", "DE-BE").home_company == polish


def test_a_pinned_company_without_a_matching_rule_still_bills_without_tax():
    company(country="PL")
    rule(default_home_company(), taxes=[("VAT", "23")])
    american = company("Demo Inc.", country="US")

    pinned = decide("PL", pinned=american)
    assert (pinned.home_company, pinned.rule, pinned.taxes) == (american, None, [])


@pytest.mark.parametrize("tax_id, vies, reverse", [
    ("DE136695976", "VALID", True),
    ("EL094259216", "VALID", True),  # Greece's VAT numbers start with EL
    ("DE136695976", "INVALID", False),
    ("DE136695976", "ERROR", False),
    ("DE136695976", "UNCHECKED", False),
    ("PL5260250995", "VALID", False),  # the company's own member state charges its VAT
])
def test_reverse_charge_needs_a_vies_valid_vat_number_of_another_member_state(tax_id, vies, reverse):
    home = company(country="PL")
    rule(home, taxes=[("VAT", "23")])

    decision = decide(tax_id[:2].replace("EL", "GR"), company_name="Kunde", tax_id=tax_id, vies=vies)
    assert decision.reverse_charge is reverse
    if reverse:
        assert (decision.taxes, decision.label) == ([], "Reverse charge (0%)")
        assert "Art. 196" in REVERSE_CHARGE_NOTE
    else:
        assert decision.taxes == [("VAT", Decimal("23.000"))]


def test_no_reverse_charge_from_a_company_outside_the_eu():
    home = company(country="US")
    rule(home, country="DE", taxes=[("VAT", "19")])

    decision = decide("DE", company_name="Kunde", tax_id="DE136695976", vies="VALID")
    assert (decision.reverse_charge, decision.taxes) == (False, [("VAT", Decimal("19.000"))])


def test_a_pinned_company_decides_reverse_charge_from_its_own_member_state():
    polish = company(country="PL")
    german = company("Berlin GmbH", country="DE")
    rule(polish, taxes=[("VAT", "23")])
    rule(german, taxes=[("USt", "19")], priority=-1)  # the same place at the same priority would be a tie

    assert decide("DE", company_name="Kunde", tax_id="DE136695976", vies="VALID").reverse_charge is True
    at_home = decide("DE", company_name="Kunde", tax_id="DE136695976", vies="VALID", pinned=german)
    assert (at_home.reverse_charge, at_home.taxes) == (False, [("USt", Decimal("19.000"))])


@pytest.mark.parametrize("vat_number, state", [
    ("DE136695976", "DE"), ("de136695976", "DE"), ("EL094259216", "GR"), ("GB123456789", None),
    ("123456789RT0001", None), ("", None),
])
def test_the_member_state_of_a_vat_number_is_its_prefix(vat_number, state):
    assert vat_member_state(vat_number) == state


def test_a_removed_default_company_is_made_again():
    HomeCompany.objects.all().delete()
    recreated = default_home_company()
    assert (recreated.name, recreated.is_default) == ("My Company", True)
