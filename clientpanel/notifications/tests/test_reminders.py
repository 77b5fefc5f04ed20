"""Proforma reminders before, on and after the due date, each once, with the days of the home
company or the group; and low-balance warnings when the funds will not cover the coming charges."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from clientpanel.catalog.models import Price, Product
from clientpanel.client_services.services import service_order
from clientpanel.clients.models import ClientGroup
from clientpanel.clients.services import client_update
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.notifications.jobs import job_low_balance_warnings, job_proforma_reminders
from clientpanel.notifications.models import EmailMessage
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


def _reminders(document):
    messages = EmailMessage.objects.filter(reference__startswith=f"reminder:{document.pk}")
    return list(messages.order_by("id").values_list("reference", flat=True))


def _on(document, days_from_due: float) -> dt.datetime:
    return document.due_date + dt.timedelta(days=days_from_due)


def test_before_on_and_after_the_due_date_once_each(make_client):
    client = make_client(currency="USD")  # 7 days of terms; the home company reminds 3 days before and after
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    assert job_proforma_reminders(now=_on(proforma, -5)) == {"reminders": 0}
    assert job_proforma_reminders(now=_on(proforma, -3)) == {"reminders": 1}
    assert job_proforma_reminders(now=_on(proforma, -2.5)) == {"reminders": 0}  # sent already
    assert job_proforma_reminders(now=_on(proforma, 0)) == {"reminders": 1}
    assert job_proforma_reminders(now=_on(proforma, 1)) == {"reminders": 0}
    assert job_proforma_reminders(now=_on(proforma, 3)) == {"reminders": 1}
    assert job_proforma_reminders(now=_on(proforma, 9)) == {"reminders": 0}
    assert _reminders(proforma) == [f"reminder:{proforma.pk}:{stage}" for stage in ("before", "due", "overdue")]
    overdue = EmailMessage.objects.get(reference=f"reminder:{proforma.pk}:overdue")
    assert overdue.subject == f"Overdue: proforma {proforma.number}" and "3 days ago" in overdue.body_text
    assert overdue.attachments == [{"document_id": str(proforma.pk)}]


def test_a_group_sets_its_own_days_and_zero_sends_none(make_client):
    group = ClientGroup.objects.create(name="Patient", reminder_days_before=5, reminder_days_overdue=0)
    client = make_client(currency="USD", group=group.pk)
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    assert job_proforma_reminders(now=_on(proforma, -5)) == {"reminders": 1}
    assert job_proforma_reminders(now=_on(proforma, 10)) == {"reminders": 0}
    assert _reminders(proforma) == [f"reminder:{proforma.pk}:before"]


def test_home_company_days_and_clients_without_reminders(make_client):
    company = default_home_company()
    company.reminder_days_before = 1
    company.save()
    quiet = make_client(currency="USD")
    client_update(actor=None, client_id=quiet.pk, data={"reminders_enabled": False})
    loud = make_client(currency="USD")
    hushed = proforma_add_funds(actor=None, client_id=quiet.pk, net_amount="10")
    reminded = proforma_add_funds(actor=None, client_id=loud.pk, net_amount="10")
    assert job_proforma_reminders(now=_on(reminded, -2)) == {"reminders": 0}
    assert job_proforma_reminders(now=_on(reminded, -1)) == {"reminders": 1}
    assert _reminders(hushed) == [] and len(_reminders(reminded)) == 1


def test_a_paid_proforma_is_never_reminded(make_client):
    client = make_client(currency="USD")
    paid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total))
    assert job_proforma_reminders(now=_on(paid, 0)) == {"reminders": 0}
    assert _reminders(paid) == []


def test_a_low_balance_is_warned_once_in_its_window(make_client):
    poor, rich = make_client(currency="USD"), make_client(currency="USD")
    product = Product.objects.create(key="vps-h", name="VPS hourly", module="sample")
    price = Price.objects.create(product=product, currency="USD", period="HOURLY", amount=Decimal("0.1000"))
    for client, funds in ((poor, "10"), (rich, "100")):
        entry_post(client_id=client.pk, type=EntryType.ADJUSTMENT, net=Decimal(funds), description="Top-up")
        service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    start = dt.datetime(2027, 9, 2, 8, 0, tzinfo=dt.UTC)
    call_command("run_automation", "--at", start.isoformat())  # provisions, charges the first hour, warns
    warning = EmailMessage.objects.get(template="low_balance")
    assert warning.client_id == poor.pk
    # The hours starting in the next 7 days after the paid one: 167 × 0.10.
    assert "$16.70" in warning.body_text and "$9.90" in warning.body_text
    assert job_low_balance_warnings(now=start + dt.timedelta(minutes=5)) == {"warned": 0}
    assert job_low_balance_warnings(now=start + dt.timedelta(days=1)) == {"warned": 0}
    assert job_low_balance_warnings(now=start + dt.timedelta(days=8)) == {"warned": 1}


def test_reminders_keep_the_calendar_the_proforma_was_dated_in_when_its_company_changes_zone(make_client):
    company = default_home_company()
    company.time_zone = "Pacific/Auckland"
    company.save(update_fields=["time_zone"])
    client = make_client(currency="USD")
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    printed_due_day = proforma.due_date.astimezone(proforma.zone).date()
    company.time_zone = "America/Los_Angeles"  # a day behind Auckland: the same moment is another day
    company.save(update_fields=["time_zone"])
    before = dt.datetime.combine(printed_due_day - dt.timedelta(days=3), dt.time(12), proforma.zone)
    assert job_proforma_reminders(now=before) == {"reminders": 1}
    reminder = EmailMessage.objects.get(reference=f"reminder:{proforma.pk}:before")
    assert f"is due on {printed_due_day.isoformat()}, in 3 days" in reminder.body_text


def test_the_issued_e_mail_gives_the_due_day_its_pdf_gives(make_client):
    """A proforma of a company far from UTC (Auckland: UTC+13) is due on its own calendar's day;
    the 'document issued' e-mail wrote the UTC day, a day off the PDF and the reminders."""
    company = default_home_company()
    company.time_zone = "Pacific/Auckland"
    company.save(update_fields=["time_zone"])
    client = make_client(currency="USD")
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, 30, tzinfo=dt.UTC), tick=False):  # 01:30 next day there
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    printed_due_day = proforma.due_date.astimezone(proforma.zone).date()
    assert printed_due_day != proforma.due_date.date()
    issued = EmailMessage.objects.get(template="document_issued", client_id=client.pk)
    assert printed_due_day.isoformat() in issued.body_text
    assert proforma.due_date.date().isoformat() not in issued.body_text
