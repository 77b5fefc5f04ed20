"""The portal prints a document's days as its PDF and the staff pages do: in the zone the document
was dated in (Document.zone, kept at issue), not the server's nor its company's zone of today."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.tax.selectors import default_home_company

from .test_portal_pages import _signed_in

pytestmark = pytest.mark.django_db

# 20:00 UTC on 30 November is 09:00 on 1 December in Auckland; its 7 days of terms end on 8 December there.
ISSUED_AT = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)


def test_the_portal_prints_the_issue_and_due_days_of_the_documents_own_calendar(make_client):
    company = default_home_company()
    company.time_zone = "Pacific/Auckland"
    company.save(update_fields=["time_zone"])
    client = make_client(currency="USD", password="portal-user-passphrase")
    with time_machine.travel(ISSUED_AT, tick=False):
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="20")
    issued = proforma.issue_date.astimezone(proforma.zone).date().isoformat()
    due = proforma.due_date.astimezone(proforma.zone).date().isoformat()
    assert issued == "2026-12-01"
    company.time_zone = "UTC"  # changed since: the proforma keeps the days it was printed with
    company.save(update_fields=["time_zone"])
    browser = _signed_in(client.owner.email, "portal-user-passphrase")
    with time_machine.travel(ISSUED_AT + dt.timedelta(days=1), tick=False):
        page = browser.get(reverse("portal:document", args=[proforma.pk])).content.decode()
        listed = browser.get(reverse("portal:invoices")).content.decode()
        dashboard = browser.get(reverse("portal:dashboard")).content.decode()
    assert f"Issued: {issued}" in page and f"Due: {due}" in page
    assert issued in listed and "2026-11-30" not in listed
    assert f"due {due}" in " ".join(dashboard.split())
