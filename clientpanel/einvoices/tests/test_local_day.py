"""An e-invoice's days are the ones its PDF prints: read in the zone the document was dated in."""

import datetime as dt

from django.test import override_settings

from clientpanel.einvoices.building import local_day
from clientpanel.invoicing.models import Document

LATE_EVENING_UTC = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
EARLY_MORNING_UTC = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)  # still 30 November in New York


def test_a_day_is_read_in_the_zone_kept_on_the_document():
    document = Document(company_snapshot={"time_zone": "Europe/Warsaw"})
    assert local_day(document, LATE_EVENING_UTC) == dt.date(2026, 12, 1)


@override_settings(TIME_ZONE="America/New_York")
def test_a_snapshot_without_a_zone_is_read_in_the_servers_zone_as_its_pdf_and_the_tax_report_read_it():
    for snapshot in ({}, {"time_zone": None}, {"time_zone": "Nowhere/Zone"}):
        document = Document(company_snapshot=snapshot)
        assert local_day(document, EARLY_MORNING_UTC) == dt.date(2026, 11, 30) == EARLY_MORNING_UTC.astimezone(
            document.zone).date()


def test_no_moment_is_no_day():
    assert local_day(Document(company_snapshot={}), None) is None
