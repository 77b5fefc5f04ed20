"""Writing home companies and tax rules: validation, overlaps refused (never a tie left to
chance), the EU and Canadian presets, and the EU preset on a second home company."""

from decimal import Decimal

import pytest
from django.utils import translation

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from clientpanel.tax.models import HomeCompany, TaxRule
from clientpanel.tax.presets import CANADA_PROVINCES, EU_STANDARD_RATES
from clientpanel.tax.selectors import default_home_company, tax_decision
from clientpanel.tax.services import home_company_save, tax_presets_apply, tax_rule_delete, tax_rule_save

pytestmark = pytest.mark.django_db
ONLY_PRIVATE = {"applies_private": True, "applies_company": False, "applies_company_tax_id": False}
ONLY_TAX_ID = {"applies_private": False, "applies_company": False, "applies_company_tax_id": True}


@pytest.fixture
def polish():
    return home_company_save(actor=None, company_id=default_home_company().pk,
                             data={"name": "Polska Sp. z o.o.", "country": "PL"})


@pytest.fixture
def irish():
    return home_company_save(actor=None, data={"name": "Dublin Ltd", "country": "IE"})


def decide(country: str, region: str = "", pinned: HomeCompany | None = None, **client):
    return tax_decision(country=country, region=region, company_name=client.get("company_name", ""),
                        tax_id=client.get("tax_id", ""), vies_status=client.get("vies", "UNCHECKED"),
                        pinned_company_id=pinned.pk if pinned else None)


def places(company: HomeCompany) -> dict[str, tuple[int, list]]:
    return {"/".join(filter(None, [r.country, r.region])): (r.priority, r.taxes())
            for r in TaxRule.objects.filter(home_company=company)}


# --- rules ------------------------------------------------------------------------------------

def test_a_rule_is_stored_with_its_place_kinds_taxes_and_priority(polish):
    rule = tax_rule_save(actor=None, company_id=polish.pk, data={
        "country": "ca", "region": "Quebec", "tax1_name": "GST", "tax1_rate": "5", "tax2_name": "QST",
        "tax2_rate": "9.975", "priority": "3", **ONLY_TAX_ID})
    assert (rule.country, rule.region, rule.priority, rule.kinds()) == ("CA", "CA-QC", 3, {"COMPANY_TAX_ID"})
    assert rule.taxes() == [("GST", Decimal("5.000")), ("QST", Decimal("9.975"))]
    assert rule.taxes_label() == "GST 5% + QST 9.975%"
    with translation.override("pl"):
        assert rule.taxes_label() == "GST 5% + QST 9,975%"


@pytest.mark.parametrize("data, field", [
    ({"country": "XX"}, "country"),
    ({"region": "Mazowieckie"}, "region"),  # a region needs a country
    ({"country": "PL", "region": "Bavaria"}, "region"),
    ({"tax1_name": "VAT"}, "tax1_rate"),
    ({"tax1_rate": "23"}, "tax1_rate"),
    ({"tax1_name": "VAT", "tax1_rate": "100"}, "tax1_rate"),
    ({"tax1_name": "VAT", "tax1_rate": "-1"}, "tax1_rate"),
    ({"tax1_name": "VAT", "tax1_rate": "9.9751"}, "tax1_rate"),
    ({"tax1_name": "VAT", "tax1_rate": 23.0}, "tax1_rate"),  # a float is never a rate
    ({"tax1_name": "VAT", "tax1_rate": "NaN"}, "tax1_rate"),
    ({"tax1_name": "VAT", "tax1_rate": "2.3e1"}, "tax1_rate"),  # Decimal() read it as 23
    ({"tax1_name": "VAT", "tax1_rate": "2_3"}, "tax1_rate"),
    ({"tax1_name": "V" * 41, "tax1_rate": "1"}, "tax1_name"),
    ({"tax1_name": "VAT\x00", "tax1_rate": "1"}, "tax1_name"),
    ({"priority": "1001"}, "priority"),
    ({"priority": "high"}, "priority"),
    ({"applies_private": False, "applies_company": False, "applies_company_tax_id": False}, "applies_private"),
    ({"compound": True}, "compound"),
])
def test_bad_rules_are_field_errors_and_write_nothing(polish, data, field):
    with pytest.raises(ValidationFailed) as refused:
        tax_rule_save(actor=None, company_id=polish.pk, data=data)
    assert field in refused.value.fields
    assert not TaxRule.objects.exists() and not AuditEvent.objects.filter(action__startswith="tax_rule").exists()


def test_an_overlapping_rule_is_refused_with_409_and_another_priority_is_accepted(polish):
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    with pytest.raises(Conflict, match="overlaps") as refused:
        tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "8",
                                                              **ONLY_PRIVATE})
    assert (refused.value.status_code, refused.value.code) == (409, "tax_rule_overlap")
    assert "priority" in refused.value.fields
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "priority": 5, "tax1_name": "VAT",
                                                          "tax1_rate": "8"})
    assert polish.tax_rules.count() == 2
    assert decide("PL").taxes == [("VAT", Decimal("8.000"))]


def test_rules_for_other_kinds_of_client_at_the_same_place_and_priority_do_not_overlap(polish):
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23",
                                                          **ONLY_PRIVATE})
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", **ONLY_TAX_ID})
    assert decide("PL").taxes == [("VAT", Decimal("23.000"))]
    assert decide("PL", company_name="Firma", tax_id="PL5260250995").taxes == []


def test_changing_a_rule_into_an_overlap_is_refused_and_leaves_it_as_it_was(polish):
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    moved = tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "priority": 1})
    with pytest.raises(Conflict):
        tax_rule_save(actor=None, company_id=polish.pk, rule_id=moved.pk, data={"priority": 0})
    moved.refresh_from_db()
    assert moved.priority == 1


def test_rules_of_two_companies_for_the_same_place_and_priority_overlap(polish, irish):
    """Unpinned clients go to the company whose rule wins, so a tie between companies is refused too."""
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "DE", "tax1_name": "VAT", "tax1_rate": "19"})
    with pytest.raises(Conflict, match="Polska"):
        tax_rule_save(actor=None, company_id=irish.pk, data={"country": "DE", "tax1_name": "VAT", "tax1_rate": "19"})


def test_a_rule_of_another_company_is_not_found_and_deleting_one_is_audited(polish, irish):
    rule = tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "tax1_name": "VAT",
                                                                 "tax1_rate": "23"})
    with pytest.raises(NotFound):
        tax_rule_save(actor=None, company_id=irish.pk, rule_id=rule.pk, data={"priority": 1})
    with pytest.raises(NotFound):
        tax_rule_save(actor=None, company_id=999_999, data={"country": "PL"})
    tax_rule_delete(actor=None, rule_id=rule.pk)
    assert not TaxRule.objects.exists()
    assert list(AuditEvent.objects.filter(object_type="taxrule").values_list("action", flat=True)
                .order_by("id")) == ["tax_rule.create", "tax_rule.delete"]
    with pytest.raises(NotFound):
        tax_rule_delete(actor=None, rule_id=rule.pk)


def test_staff_without_the_settings_area_change_no_tax_rules(polish):
    support = staff_create(email="support@example.com", password="correct-horse-battery", firstname="Sue",
                           lastname="Port", roles=["Support"])
    with pytest.raises(PermissionDenied):
        tax_rule_save(actor=support, company_id=polish.pk, data={"country": "PL"})
    with pytest.raises(PermissionDenied):
        tax_presets_apply(actor=support, company_id=polish.pk, preset="EU")
    with pytest.raises(PermissionDenied):
        home_company_save(actor=support, company_id=polish.pk, data={"name": "Mine"})
    assert not TaxRule.objects.exists()


# --- home companies -----------------------------------------------------------------------------

def test_a_second_company_is_not_the_default_until_it_is_made_so(polish):
    second = home_company_save(actor=None, data={"name": "Second", "country": "DE"})
    assert second.is_default is False and default_home_company() == polish
    with pytest.raises(ValidationFailed) as refused:
        home_company_save(actor=None, company_id=polish.pk, data={"is_default": False})
    assert "is_default" in refused.value.fields
    home_company_save(actor=None, company_id=second.pk, data={"is_default": True})
    assert default_home_company() == second


@pytest.mark.parametrize("data, field", [
    ({"name": ""}, "name"), ({"country": "Poland"}, "country"), ({"invoice_pattern": "INV/{YEAR}"}, "invoice_pattern"),
    ({"invoice_reset": "WEEKLY"}, "invoice_reset"), ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"language": "xx"}, "language"), ({"payment_terms_days": "366"}, "payment_terms_days"),
    ({"bank_details": "x" * 2001}, "bank_details"), ({"nickname": "Co"}, "nickname"),
])
def test_bad_home_company_fields_are_field_errors(data, field):
    with pytest.raises(ValidationFailed) as refused:
        home_company_save(actor=None, data={"name": "Co", "country": "PL", **data})
    assert field in refused.value.fields
    assert HomeCompany.objects.count() == 1


def test_changing_a_home_company_records_what_changed(polish):
    home_company_save(actor=None, company_id=polish.pk, data={"city": "Kraków", "payment_terms_days": "14"})
    event = AuditEvent.objects.filter(action="home_company.update").latest("id")
    assert event.changes["city"] == ["", "Kraków"] and event.changes["payment_terms_days"] == [None, 14]


# --- presets ------------------------------------------------------------------------------------

def test_the_eu_preset_creates_every_member_states_standard_rate_for_every_kind_of_client(polish):
    assert tax_presets_apply(actor=None, company_id=polish.pk, preset="EU") == 27
    created = places(polish)
    assert created.keys() == EU_STANDARD_RATES.keys()
    assert created["DE"] == (0, [("VAT", Decimal("19.000"))])
    assert created["FI"] == (0, [("VAT", Decimal("25.500"))])
    assert all(rule.kinds() == {"PRIVATE", "COMPANY", "COMPANY_TAX_ID"} for rule in polish.tax_rules.all())
    assert decide("HU", company_name="Kft", tax_id="HU12892312").taxes == [("VAT", Decimal("27.000"))]
    assert decide("US").taxes == []


def test_applying_a_preset_again_creates_nothing_and_keeps_the_companys_own_rules(polish):
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "8",
                                                          "priority": 7})
    assert tax_presets_apply(actor=None, company_id=polish.pk, preset="EU") == 26
    assert tax_presets_apply(actor=None, company_id=polish.pk, preset="EU") == 0
    assert places(polish)["PL"] == (7, [("VAT", Decimal("8.000"))])
    assert polish.tax_rules.count() == 27


def test_the_canadian_preset_creates_gst_hst_pst_and_qst_per_province():
    home = home_company_save(actor=None, data={"name": "Maple Inc.", "country": "CA"})
    assert tax_presets_apply(actor=None, company_id=home.pk, preset="CA") == len(CANADA_PROVINCES) == 13
    assert places(home)["CA/CA-QC"] == (0, [("GST", Decimal("5.000")), ("QST", Decimal("9.975"))])
    quebec = decide("CA", "CA-QC", pinned=home)
    assert quebec.label == "GST: 5% + QST: 9.975%"
    assert decide("CA", "CA-ON", pinned=home).taxes == [("HST", Decimal("13.000"))]
    assert decide("CA", "CA-BC", pinned=home).taxes == [("GST", Decimal("5.000")), ("PST", Decimal("7.000"))]
    assert decide("CA", "", pinned=home).taxes == []  # no province, no rule: staff complete the address


def test_an_unknown_preset_or_company_is_refused(polish):
    with pytest.raises(ValidationFailed) as refused:
        tax_presets_apply(actor=None, company_id=polish.pk, preset="US")
    assert "preset" in refused.value.fields
    with pytest.raises(NotFound):
        tax_presets_apply(actor=None, company_id=999_999, preset="EU")
    with pytest.raises(NotFound):
        tax_presets_apply(actor=None, company_id="abc", preset="EU")
    assert not TaxRule.objects.exists()


def test_the_eu_preset_on_a_second_company_goes_below_the_first_companys_rules(polish, irish):
    """The second company gets all 27 rates for the clients pinned to it; clients who are not pinned
    keep the company that billed them, whose rules are untouched."""
    tax_presets_apply(actor=None, company_id=polish.pk, preset="EU")
    before = places(polish)

    assert tax_presets_apply(actor=None, company_id=irish.pk, preset="EU") == 27

    assert places(polish) == before
    assert {place: priority for place, (priority, _) in places(irish).items()} == dict.fromkeys(EU_STANDARD_RATES, -1)
    assert decide("DE").home_company == polish
    pinned = decide("DE", pinned=irish)
    assert (pinned.home_company, pinned.taxes) == (irish, [("VAT", Decimal("19.000"))])
    assert decide("PL", pinned=irish, company_name="Firma", tax_id="PL5260250995", vies="VALID").reverse_charge
    assert tax_presets_apply(actor=None, company_id=irish.pk, preset="EU") == 0


def test_the_preset_goes_below_the_lowest_rule_another_company_has_there(polish, irish):
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "FR", "tax1_name": "TVA", "tax1_rate": "20",
                                                          "priority": -3})
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "FR", "tax1_name": "TVA", "tax1_rate": "5.5",
                                                          "priority": 4, **ONLY_PRIVATE})
    tax_rule_save(actor=None, company_id=polish.pk, data={"country": "IT", "tax1_name": "IVA", "tax1_rate": "22",
                                                          "priority": 9})

    tax_presets_apply(actor=None, company_id=irish.pk, preset="EU")

    assert places(irish)["FR"][0] == -4 and places(irish)["IT"][0] == 0 and places(irish)["IE"][0] == 0
    assert decide("FR").home_company == polish and decide("IT").home_company == polish
    assert decide("IE").home_company == irish  # a place nobody had: the new rule bills it


def test_a_preset_applies_all_or_nothing(polish, irish, monkeypatch):
    from clientpanel.tax.services import tax_rules as services

    real_save, calls = services.tax_rule_save, []

    def failing_on_the_tenth(**kwargs):
        calls.append(kwargs)
        if len(calls) == 10:
            raise Conflict("Someone was quicker.", code="tax_rule_overlap")
        return real_save(**kwargs)

    monkeypatch.setattr(services, "tax_rule_save", failing_on_the_tenth)
    with pytest.raises(Conflict):
        tax_presets_apply(actor=None, company_id=irish.pk, preset="EU")
    assert not TaxRule.objects.exists()


@pytest.mark.parametrize("data, refused", [
    ({"invoice_pattern": "INV-{NUMBER}"}, True),  # restarts monthly (the default): INV-1 every month
    ({"invoice_pattern": "INV/{YEAR}/{NUMBER}"}, True),
    ({"invoice_pattern": "INV/{YEAR}/{NUMBER}", "invoice_reset": "YEARLY"}, False),
    ({"invoice_pattern": "INV-{NUMBER}", "invoice_reset": "YEARLY"}, True),
    ({"invoice_pattern": "INV-{NUMBER}", "invoice_reset": "NEVER"}, False),
    ({"credit_note_pattern": "CN/{MONTH}/{NUMBER}"}, True),  # the same month of another year
])
def test_a_series_whose_numbers_would_repeat_when_it_restarts_is_refused(polish, data, refused):
    """A number is issued once: a counter that starts again every month (or year) needs the month
    and year (or the year) in the pattern. Checked on the pattern and the restart together, also
    when only the restart changes."""
    save = lambda: home_company_save(actor=None, company_id=polish.pk, data=data)  # noqa: E731
    if not refused:
        save()
        return
    with pytest.raises(ValidationFailed) as failure:
        save()
    assert next(iter(failure.value.fields)).endswith("_pattern") and "repeat" in str(failure.value.fields)


def test_changing_only_the_restart_is_checked_against_the_pattern_kept(polish):
    home_company_save(actor=None, company_id=polish.pk, data={"invoice_pattern": "INV-{NUMBER}",
                                                              "invoice_reset": "NEVER"})
    with pytest.raises(ValidationFailed) as failure:
        home_company_save(actor=None, company_id=polish.pk, data={"invoice_reset": "MONTHLY"})
    assert "invoice_pattern" in failure.value.fields
