"""Settings → Home companies → E-invoices refused: each field's reason under its field and what was
typed kept — never "Some fields are not valid: ksef_token_env." alone with the typing lost. And
run_and_report, the flash message of other staff actions, says the fields' reasons, not their names."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.backoffice.feedback import run_and_report
from clientpanel.core.errors import ValidationFailed
from clientpanel.einvoices.configuration import einvoice_profile_save
from clientpanel.einvoices.selectors import einvoice_profile_of
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save

pytestmark = pytest.mark.django_db

TOKEN_RULE = "Name the environment variable holding the KSeF token"


@pytest.fixture
def polish_company(db):
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={
        "name": "Hosting Polska sp. z o.o.", "country": "PL", "local_tax_id": "5260250995",
        "address1": "ul. Prosta 1", "city": "Warszawa", "postcode": "00-001", "time_zone": "Europe/Warsaw"})
    einvoice_profile_save(actor=None, company_id=company.pk, format_key="ksef_fa3")
    return company


def _save(browser, company, **typed):
    data = {"format": "ksef_fa3", "ksef_environment": "TEST", "ksef_token_env": "",
            "vat_exemption_basis": "art. 113 ust. 1", **typed}
    return browser.post(reverse("backoffice:home-company-einvoice", args=[company.pk]), data)


@pytest.mark.parametrize("variable", ["", "my token!"])
def test_a_token_variable_refused_is_said_under_its_field_and_the_typing_is_kept(polish_company, staff_client,
                                                                                 variable):
    answer = _save(staff_client, polish_company, ksef_token_env=variable, split_payment="on")
    page = answer.content.decode()
    assert answer.status_code == 422
    assert 'id="einvoice-ksef-token-env-errors"' in page and TOKEN_RULE in page
    assert "Some fields are not valid" not in page and "ksef_token_env." not in page
    assert 'value="ksef_fa3" selected' in page and 'value="TEST" selected' in page
    assert f'value="{variable}"' in page and 'value="art. 113 ust. 1"' in page
    assert 'id="einvoice-split-payment" checked' in page
    profile = einvoice_profile_of(polish_company)
    assert profile.ksef_environment == "OFFLINE" and not profile.split_payment  # nothing saved


def test_an_environment_not_offered_is_said_under_its_field(polish_company, staff_client):
    page = _save(staff_client, polish_company, ksef_environment="PROD", ksef_token_env="KSEF_TOKEN").content.decode()
    assert 'id="einvoice-ksef-environment-errors"' in page and "Choose offline or one of KSeF" in page
    assert "ksef_environment." not in page and 'value="KSEF_TOKEN"' in page
    page = _save(staff_client, polish_company, format="ubl", ksef_token_env="KSEF_TOKEN").content.decode()
    assert "Only KSeF FA(3) e-invoices are sent to KSeF." in page and 'value="ubl" selected' in page


def test_the_reasons_read_in_polish(polish_company, staff, staff_client):
    User.objects.filter(pk=staff.pk).update(language="pl")
    page = _save(staff_client, polish_company, ksef_token_env="my token!").content.decode()
    assert TOKEN_RULE not in page and "Popraw pola zaznaczone poniżej." in page


def test_saved_settings_go_back_to_the_company_page(polish_company, staff_client, monkeypatch):
    monkeypatch.setenv("KSEF_TOKEN", "a token")
    answer = _save(staff_client, polish_company, ksef_token_env="KSEF_TOKEN")
    assert answer.status_code == 302 and answer.url.endswith("#einvoice-card")
    assert einvoice_profile_of(polish_company).ksef_environment == "TEST"
    page = staff_client.get(answer.url).content.decode()
    assert "E-invoice format saved." in page and 'value="KSEF_TOKEN"' in page and 'value="TEST" selected' in page
    shown = staff_client.get(reverse("backoffice:home-company-einvoice", args=[polish_company.pk]))
    assert shown.status_code == 200 and 'value="KSEF_TOKEN"' in shown.content.decode()


def _flashed(staff, refusal) -> list[str]:
    request = RequestFactory().post("/")
    request.session, request.user = {}, staff
    request._messages = FallbackStorage(request)

    def refuse():
        raise refusal

    assert run_and_report(request, refuse, success="saved", missing="gone") is None
    return [str(message) for message in get_messages(request)]


def test_a_flashed_refusal_says_the_fields_reasons_not_their_names(staff):
    named = ValidationFailed.from_fields({"ksef_token_env": ["Name the variable."], "format": ["Choose one."]})
    assert sorted(_flashed(staff, named)) == ["Choose one.", "Name the variable."]
    # A refusal in words of its own (raise_in_full, a KSeF number's) is said as it is, once.
    worded = ValidationFailed("The currency EURO is not a code.", fields={"currencies": ["EURO is not a code."]})
    assert _flashed(staff, worded) == ["The currency EURO is not a code."]
