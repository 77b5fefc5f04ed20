"""Translations (issue 10): the domain's errors — what a form shows under a field and the API
answers in "message" — speak the language active when they are raised: Polish for a reader of
Polish, English by default."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order
from clientpanel.clients.services import client_create
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.money import AmountError, parse_amount, parse_currency_amount
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import InsufficientFunds, entry_post
from clientpanel.tax.selectors import TaxDecision, default_home_company
from clientpanel.tax.services import tax_presets_apply, tax_rule_save
from conftest import client_data


def refusal(call, error=AmountError) -> str:
    with pytest.raises(error) as failure:
        call()
    return str(failure.value)


def test_a_bad_amount_is_refused_in_the_language_of_the_moment():
    assert refusal(lambda: parse_amount("abc")) == "Enter a number, e.g. 12.50."
    with translation.override("pl"):
        assert refusal(lambda: parse_amount("abc")) == "Wpisz liczbę, np. 12.50."
        assert refusal(lambda: parse_amount("1.00001")) == "Kwota może mieć najwyżej 4 miejsca po przecinku."
    # Built when raised, never frozen at import: English again once Polish is over.
    assert refusal(lambda: parse_amount("1.00001")) == "Use at most 4 decimal places."


def test_too_many_decimals_for_the_currency_names_the_currency_rule_in_polish_too():
    """The currency's rule replaces the general one by the error's kind, not by its English words."""
    assert refusal(lambda: parse_currency_amount("1.001", "USD")) == "USD amounts have at most 2 decimal places."
    with translation.override("pl"):
        assert refusal(lambda: parse_currency_amount("1.001", "USD")) == (
            "Kwoty w USD mają najwyżej 2 miejsca po przecinku.")
        assert refusal(lambda: parse_currency_amount("100.5", "JPY")) == "Kwoty w JPY nie mają miejsc po przecinku."


@pytest.mark.django_db
def test_a_debit_beyond_the_credit_limit_is_refused_in_polish_with_its_amounts(make_client):
    client = make_client(credit_limit="5")
    entry_post(client_id=client.pk, type=EntryType.PAYMENT, net=Decimal("10"))

    def debit():
        entry_post(client_id=client.pk, type=EntryType.CHARGE, net=Decimal("-20"), check_credit=True)

    assert refusal(debit, InsufficientFunds) == (
        "Not enough funds: balance $10.00 + credit limit $5.00 do not cover $20.00.")
    with translation.override("pl"), pytest.raises(InsufficientFunds) as failure:
        debit()
    assert failure.value.message == (
        "Brak wystarczających środków: saldo 10,00\u00a0USD + limit kredytowy 5,00\u00a0USD nie pokrywają kwoty "
        "20,00\u00a0USD.")
    assert failure.value.fields == {"amount": ["Przekracza saldo powiększone o limit kredytowy."]}
    assert failure.value.code == "insufficient_funds"  # machine codes stay as they are


@pytest.mark.django_db
def test_tax_settings_refusals_speak_polish():
    company = default_home_company()
    with translation.override("pl"):
        with pytest.raises(ValidationFailed) as unknown:
            tax_presets_apply(actor=None, company_id=company.pk, preset="US")
        with pytest.raises(ValidationFailed) as bad_rate:
            tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT",
                                                                   "tax1_rate": "123", "applies_private": True})
    assert (unknown.value.message, unknown.value.fields) == ("Nieznany zestaw stawek.", {"preset": ["Użyj EU lub CA."]})
    assert bad_rate.value.message == "Niektóre pola są niepoprawne: tax1_rate."
    assert bad_rate.value.fields["tax1_rate"][0] == "Stawka wynosi co najmniej 0 i mniej niż 100 (%)."
    with pytest.raises(ValidationFailed) as in_english:
        tax_presets_apply(actor=None, company_id=company.pk, preset="US")
    assert in_english.value.message == "Unknown preset."


@pytest.mark.django_db
def test_the_taxes_of_a_client_are_labelled_in_the_readers_language():
    untaxed = TaxDecision(home_company=default_home_company(), rule=None)
    reverse = TaxDecision(home_company=untaxed.home_company, rule=None, reverse_charge=True)
    assert (untaxed.label, reverse.label) == ("No tax", "Reverse charge (0%)")
    with translation.override("pl"):
        assert (untaxed.label, reverse.label) == ("Bez podatku", "Odwrotne obciążenie (0%)")


@pytest.mark.django_db
def test_a_new_client_is_refused_field_by_field_in_the_readers_language():
    """The field's label, the country's name and the reason are all in the reader's language."""
    data = client_data(firstname="", tax_id="PL5260250996", phone="12345")
    with pytest.raises(ValidationFailed) as in_english:
        client_create(actor=None, data=data)
    assert in_english.value.fields == {
        "firstname": ["First name is required."],
        "tax_id": ["Not a valid Poland VAT number: its check digit is wrong."],
        "phone": ["This phone number does not exist; check the country code and digits."],
    }
    with translation.override("pl"), pytest.raises(ValidationFailed) as in_polish:
        client_create(actor=None, data=data)
    assert in_polish.value.message == "Niektóre pola są niepoprawne: firstname, phone, tax_id."
    assert in_polish.value.fields == {
        "firstname": ["Pole „Imię” jest wymagane."],
        "tax_id": ["Niepoprawny numer VAT dla kraju Polska: błędna cyfra kontrolna."],
        "phone": ["Taki numer telefonu nie istnieje; sprawdź numer kierunkowy kraju i cyfry."],
    }


@pytest.mark.django_db
def test_a_service_order_is_refused_in_polish_with_the_currencies_and_amounts(make_client):
    client = make_client(credit_limit="5")
    product = Product.objects.create(key="vps", name="VPS", module="sample")
    usd = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("10"),
                               setup_fee=Decimal("2"))
    eur = Price.objects.create(product=product, currency="EUR", period="MONTHLY", amount=Decimal("10"))

    def order(price):
        service_order(actor=None, client_id=client.pk, product_id="vps", price_id=price.pk)

    assert refusal(lambda: order(usd), InsufficientFunds) == (
        "Balance plus credit limit ($5.00) do not cover the first charge and setup fee ($12.00).")
    with translation.override("pl"):
        with pytest.raises(InsufficientFunds) as poor:
            order(usd)
        with pytest.raises(ValidationFailed) as other_currency:
            order(eur)
    assert poor.value.message == ("Saldo powiększone o limit kredytowy (5,00\xa0USD) nie pokrywa pierwszej opłaty "
                                  "i opłaty instalacyjnej (12,00\xa0USD).")
    assert poor.value.fields == {"price": ["Brak wystarczających środków."]}
    assert other_currency.value.fields == {"price": ["Klient płaci w USD; ta cena jest w EUR."]}
    with pytest.raises(ValidationFailed) as in_english:
        order(eur)
    assert in_english.value.fields == {"price": ["The client pays in USD; this price is in EUR."]}
