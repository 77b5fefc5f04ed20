"""Finance → Bank statements in the staff panel: upload, review, record; who may; CSRF."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from clientpanel.accounts.services import staff_create
from clientpanel.automation.models import BackgroundTask
from clientpanel.invoicing.models import DocumentStatus, Payment
from clientpanel.payments.models import BankLineStatus, BankStatement
from clientpanel.payments.tests.bank_fixtures import company_fixture, make_proforma_fixture, pln, statement_file  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db


def _post(client, url: str, data: dict | None = None, follow: bool = False):
    """POST as the browser does; the background task it queues runs (a worker would), then the
    redirect is followed when asked."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data or {})
    return client.get(response.url) if follow and response.status_code == 302 else response


def _upload(client, data: bytes, follow: bool = False, **fields):
    return _post(client, reverse("backoffice:finance-bank-statement-upload"),
                 {"file": SimpleUploadedFile("wyciag.csv", data, content_type="text/csv"), **fields}, follow=follow)


def test_upload_review_and_record(staff_client, make_proforma):
    matched, partly = make_proforma("1234.56"), make_proforma("100.00")
    today = f"{timezone.localdate()}"
    response = _upload(staff_client, statement_file((today, pln(matched), f"Zapłata {matched.number}", "R1"),
                                                    (today, "40,00", partly.number.lower(), "R2"),
                                                    (today, "-15,00", "Opłata", "R3")))
    statement = BankStatement.objects.get()
    task = BackgroundTask.objects.get(kind="payments.bank_upload")
    assert response.status_code == 302 and response.url == reverse("backoffice:background-task", args=[task.pk])
    result = staff_client.get(response.url).content.decode()
    assert "3 bookings imported." in result
    review = reverse("backoffice:finance-bank-statement", args=[statement.pk])
    assert review in result
    assert not default_storage.listdir("bank-statements")[1]  # the uploaded file is not kept
    page = staff_client.get(review).content.decode()
    assert matched.number in page and "Needs a choice" in page and "Record the matched payment (1)" in page
    line = statement.lines.get(position=3)
    chosen = staff_client.post(reverse("backoffice:finance-bank-line-choose", args=[statement.pk, line.pk]),
                               {"document": str(partly.pk), "status": "AMBIGUOUS", "page": "1"})
    assert chosen.status_code == 302 and "status=AMBIGUOUS" in chosen.url
    ignored = statement.lines.get(position=4)
    assert ignored.status == BankLineStatus.IGNORED
    record = reverse("backoffice:finance-bank-statement-record", args=[statement.pk])
    recorded = _post(staff_client, record, follow=True)
    assert "2 payments recorded." in recorded.content.decode() and review in recorded.content.decode()
    assert BackgroundTask.objects.get(kind="payments.bank_record").result["recorded"] == 2
    body = staff_client.get(review).content.decode()
    matched.refresh_from_db()
    assert matched.status == DocumentStatus.INVOICED and matched.related.number in body
    assert Payment.objects.count() == 2


def test_a_refused_file_says_why_and_stores_nothing(staff_client, company):
    response = _upload(staff_client, b"Date;Currency;Title\n2026-11-20;PLN;x\n", follow=True)
    assert "The statement has no column for an amount" in response.content.decode()
    response = _upload(staff_client, b"%PDF-1.7\x00\x00", follow=True)
    assert "not a CSV file" in response.content.decode()
    lines = "Data;Kwota;Tytuł\n2026-11-20;10,00;a\n2026-11-21;dziesięć;b\n2026-11-32;5,00;c\n".encode()
    page = _upload(staff_client, lines, follow=True, currency="PLN").content.decode()
    assert "Line 3" in page and "Line 4" in page  # every bad line named, not only that there are some
    assert not BankStatement.objects.exists() and not default_storage.listdir("bank-statements")[1]
    assert BackgroundTask.objects.filter(status="FAILED").count() == 3
    assert _upload(staff_client, b"").status_code == 422  # no file at all: the form says so at once


def test_choosing_a_proforma_in_another_currency_is_refused_in_words(staff_client, make_proforma):
    euro = make_proforma("10.00", currency="EUR")
    _upload(staff_client, statement_file((f"{timezone.localdate()}", "10,00", "bez numeru", "R1")))
    statement = BankStatement.objects.get()
    line = statement.lines.get()
    response = staff_client.post(reverse("backoffice:finance-bank-line-choose", args=[statement.pk, line.pk]),
                                 {"number": euro.number}, follow=True)
    page = response.content.decode()
    assert "due in EUR; the transfer is in PLN" in page
    # The number typed stays in that line's field, marked, for a correction (it came back empty).
    assert f'value="{euro.number}" id="refused-number"' in page and page.count('id="refused-number"') == 1
    line.refresh_from_db()
    assert line.status == BankLineStatus.UNMATCHED


def test_lists_are_paginated(staff_client, company):
    for day in range(1, 28):
        _upload(staff_client, statement_file((f"2026-01-{day:02d}", "10,00", f"t{day}", f"R{day}")))
    first = staff_client.get(reverse("backoffice:finance-bank-statements")).content.decode()
    assert "27 statements" in first and "page=2" in first
    assert first.count("wyciag.csv") == 25


@pytest.mark.parametrize(("roles", "limited"), [(["Support"], False), (["Accountant"], True)])
def test_staff_without_finance_or_limited_to_their_clients_get_403(client, make_proforma, roles, limited):
    member = staff_create(email="m@example.com", password="correct-horse-battery", roles=roles,
                          limited_to_assigned_clients=limited)
    client.force_login(member)
    assert client.get(reverse("backoffice:finance-bank-statements")).status_code == 403
    assert _upload(client, statement_file(("2026-01-05", "10,00", "t"))).status_code == 403
    assert not BankStatement.objects.exists()


def test_the_menu_offers_bank_statements_to_finance_only(staff_client, client, company):
    assert reverse("backoffice:finance-bank-statements") in staff_client.get(reverse("backoffice:dashboard")
                                                                             ).content.decode()
    support = staff_create(email="s@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    assert reverse("backoffice:finance-bank-statements") not in client.get(reverse("backoffice:dashboard")
                                                                           ).content.decode()


def test_posts_without_the_csrf_token_are_refused(staff, make_proforma):
    proforma = make_proforma("10.00")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    data = statement_file((f"{timezone.localdate()}", pln(proforma), proforma.number, "R1"))
    response = browser.post(reverse("backoffice:finance-bank-statement-upload"),
                            {"file": SimpleUploadedFile("s.csv", data, content_type="text/csv")})
    assert response.status_code == 403 and not BankStatement.objects.exists()
    staff_browser = Client()
    staff_browser.force_login(staff)
    _upload(staff_browser, data)
    statement = BankStatement.objects.get()
    line = statement.lines.get()
    for name, args in (("finance-bank-statement-record", [statement.pk]),
                       ("finance-bank-line-ignore", [statement.pk, line.pk]),
                       ("finance-bank-line-choose", [statement.pk, line.pk])):
        assert browser.post(reverse(f"backoffice:{name}", args=args), {"number": proforma.number}).status_code == 403
    assert not Payment.objects.exists()
    line.refresh_from_db()
    assert line.status == BankLineStatus.MATCHED


def test_a_task_whose_staff_member_lost_the_right_does_nothing_and_leaves_no_file(staff, make_proforma):
    from clientpanel.core.errors import PermissionDenied
    from clientpanel.payments import bank

    proforma = make_proforma("10.00")
    kept = bank.bank_statement_file_keep(actor=staff, data=statement_file(
        (f"{timezone.localdate()}", pln(proforma), proforma.number, "R1")))
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        bank.bank_statement_upload_run(progress=lambda *a: None, actor_id=str(staff.pk), stored_name=kept,
                                       name="s.csv")
    assert not BankStatement.objects.exists() and not default_storage.exists(kept)
    stalled = bank.bank_statement_file_keep(actor=make_staff_with_finance(), data=b"x")
    bank.bank_statement_upload_stalled(stored_name=stalled)  # the worker died: the file goes too
    assert not default_storage.exists(stalled)


def make_staff_with_finance():
    return staff_create(email="finance@example.com", password="correct-horse-battery", roles=["Accountant"])
