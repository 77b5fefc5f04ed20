"""The Add Funds limits' audit events read in words on the Activity pages (ui.audit_fields, audit.labels)."""

import pytest

from clientpanel.audit.labels import AUDIT_ACTIONS
from clientpanel.audit.models import AuditEvent
from clientpanel.invoicing.services.add_funds_limits import add_funds_limit_save
from clientpanel.ui.audit_fields import audit_field_label

pytestmark = pytest.mark.django_db


def test_the_activity_names_the_change_and_its_fields_in_words(settings):
    settings.CLIENTPANEL_CURRENCIES = ["USD", "EUR", "PLN", "JPY"]
    add_funds_limit_save(actor=None, currency="JPY", minimum="1000", maximum="1500000", maximum_balance="3000000")
    event = AuditEvent.objects.get(action="add_funds_limit.create")
    assert event.object_label == "JPY"
    assert [audit_field_label(key) for key in sorted(event.changes)] == [
        "Currency", "Maximum at once", "Maximum balance", "Minimum at once"]
    assert str(AUDIT_ACTIONS["add_funds_limit.create"]) == "Add Funds limits set"
