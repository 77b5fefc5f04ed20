"""What the system writes when a provisioning step fails (a module that does not answer, crashes,
stops without words, or loses its worker) reads in the reader's language on the staff service page
(its error and its provisioning log), naming the step by its label ("Create", "Utworzenie"), never
its code ("create"); a module's own words show as the module wrote them; the service's stored
`provision_error`, and the API's, keep the English."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clientpanel.accounts.models import User
from clientpanel.catalog.models import Price, Product
from clientpanel.catalog.modules import ModuleError
from clientpanel.catalog.modules.sample import SampleModule
from clientpanel.client_services.models import ProvisioningEvent, ProvisionStatus, Service
from clientpanel.client_services.services import (
    job_provision_pending,
    service_order,
    service_provision,
    service_retry,
)
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post

pytestmark = pytest.mark.django_db


def _service(make_client, settings_of_module=None) -> Service:
    client = make_client(currency="USD")
    entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal("100"), description="Top-up")
    product = Product.objects.create(key=f"vps-{client.number}", name="VPS", module="sample",
                                     module_settings=settings_of_module or {})
    price = Price.objects.create(product=product, currency="USD", period="MONTHLY", amount=Decimal("10"))
    return service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)


def _provisioned(service: Service) -> Service:
    service_provision(service_id=service.pk)
    return Service.objects.get(pk=service.pk)


def _page(staff_client, staff, service, language: str) -> str:
    User.objects.filter(pk=staff.pk).update(language=language)
    return staff_client.get(reverse("backoffice:service-detail", args=[service.pk])).content.decode()


def _alert(page: str) -> str:
    return page.split('id="provision-error">', 1)[1].split("</div>", 1)[0]


def test_a_module_that_does_not_answer_reads_in_polish_and_is_kept_in_english(make_client, staff_client, staff,
                                                                             settings, api):
    settings.PROVISIONING_TIMEOUT = 0.3
    service = _provisioned(_service(make_client, {"fail": "create", "hang_seconds": 1, "message": "hung"}))
    english = "Create: the sample module did not answer within 0.3 s."
    assert service.provision_error == english and service.provision_error_code == "timeout"
    polish = _page(staff_client, staff, service, "pl")
    assert _alert(polish) == "Utworzenie: moduł sample nie odpowiedział w ciągu 0,3 s."
    assert polish.count("moduł sample nie odpowiedział") == 2 and english not in polish  # the log's entry too
    assert _alert(_page(staff_client, staff, service, "en")) == english
    User.objects.filter(pk=staff.pk).update(language="pl")
    listed = staff_client.get(reverse("backoffice:service-list")).content.decode()  # the list's error line too
    assert "Utworzenie: moduł sample nie odpowiedział w ciągu 0,3 s." in listed and english not in listed
    assert api.get(f"/services/{service.pk}").json()["provision_error"] == english


def test_a_crash_and_a_wordless_failure_read_in_polish_with_the_exception_as_raised(make_client, staff_client, staff,
                                                                                   monkeypatch):
    def crash(self, context):
        raise ValueError("disk full")

    monkeypatch.setattr(SampleModule, "create", crash)
    crashed = _provisioned(_service(make_client))
    assert crashed.provision_error == "Create: the module's step failed unexpectedly: ValueError: disk full"
    assert _alert(_page(staff_client, staff, crashed, "pl")) == \
        "Utworzenie: krok modułu nie powiódł się z nieoczekiwanego powodu: ValueError: disk full"

    def wordless(self, context):
        raise ModuleError("")

    monkeypatch.setattr(SampleModule, "create", wordless)
    silent = _provisioned(_service(make_client))
    assert (silent.provision_error, silent.provision_error_code) == ("Create: the module's step failed.", "failed")
    assert _alert(_page(staff_client, staff, silent, "pl")) == "Utworzenie: krok modułu nie powiódł się."


def test_a_modules_own_words_stay_as_the_module_wrote_them(make_client, staff_client, staff):
    service = _provisioned(_service(make_client, {"fail": "create", "message": "create failed"}))
    assert (service.provision_error, service.provision_error_code) == ("create failed", "module")
    polish = _page(staff_client, staff, service, "pl")
    assert _alert(polish) == "create failed" and "krok modułu" not in polish


def test_a_step_that_lost_its_worker_reads_in_polish(make_client, staff_client, staff):
    service = _service(make_client)
    began = timezone.now() - dt.timedelta(hours=1)
    Service.objects.filter(pk=service.pk).update(provision_status=ProvisionStatus.IN_PROGRESS,
                                                 provision_started_at=began)
    job_provision_pending(now=timezone.now())
    service.refresh_from_db()
    assert service.provision_error.startswith("The module's step stopped without an answer")
    assert _alert(_page(staff_client, staff, service, "pl")).startswith("Krok modułu zatrzymał się bez odpowiedzi")


def test_a_success_clears_the_code_with_the_error(make_client, staff):
    service = _provisioned(_service(make_client, {"fail": "create"}))
    assert service.provision_error_code == "module"
    Product.objects.filter(pk=service.product_id).update(module_settings={})
    service = service_retry(actor=staff, service_id=service.pk)
    assert (service.provision_error, service.provision_error_code, service.provision_error_params) == ("", "", None)


def test_errors_from_before_the_codes_are_recognised_by_their_wording_and_other_text_shows_as_stored(make_client):
    service = _service(make_client)
    rows = {  # stored: (Polish, English) — the step by its label in both
        "The sample module did not answer within 30 s (terminate).": (
            "Zakończenie: moduł sample nie odpowiedział w ciągu 30 s.",
            "Terminate: the sample module did not answer within 30 s."),
        "suspend failed unexpectedly: KeyError: 'ip'": (
            "Zawieszenie: krok modułu nie powiódł się z nieoczekiwanego powodu: KeyError: 'ip'",
            "Suspend: the module's step failed unexpectedly: KeyError: 'ip'"),
        "unsuspend failed": ("Wznowienie: krok modułu nie powiódł się.", "Unsuspend: the module's step failed."),
        "Post install script failed": ("Post install script failed", "Post install script failed"),
    }
    for stored, (polish, english) in rows.items():
        Service.objects.filter(pk=service.pk).update(provision_error=stored, provision_error_code="")
        service.refresh_from_db()
        with translation.override("pl"):
            assert service.reader_provision_error == polish
        with translation.override("en"):
            assert service.reader_provision_error == english
    # An old log entry: a failure's wording is recognised, a success's words are the module's.
    failed = ProvisioningEvent.objects.create(service=service, action="create", outcome="ERROR",
                                              message="create failed")
    done = ProvisioningEvent.objects.create(service=service, action="create", outcome="OK",
                                            message="nothing failed")
    with translation.override("pl"):
        assert (failed.reader_message, done.reader_message) == ("Utworzenie: krok modułu nie powiódł się.",
                                                                "nothing failed")


def test_a_product_action_that_crashes_says_so_in_polish(make_client, staff_client, staff, monkeypatch):
    service = _provisioned(_service(make_client))
    assert service.status == "ACTIVE"

    def crash(self, action, context):
        raise ValueError("no console")

    monkeypatch.setattr(SampleModule, "run_action", crash)
    User.objects.filter(pk=staff.pk).update(language="pl")
    page = staff_client.post(reverse("backoffice:service-do", args=[service.pk, "reboot"]), follow=True)
    text = page.content.decode()
    # The product action by its name in the module's words ("Reboot"), in Polish.
    assert "Uruchom ponownie: krok modułu nie powiódł się z nieoczekiwanego powodu: ValueError: no console" in text
    assert "failed unexpectedly" not in text and "Krok reboot" not in text
    event = ProvisioningEvent.objects.get(service=service, action="reboot")
    assert event.message == "Reboot: the module's step failed unexpectedly: ValueError: no console"
