"""Reading the audit trail: newest first, by client, by action prefix, by kind of actor, and by
words found in who acted or what was changed."""

import uuid

import pytest

from clientpanel.audit.models import AuditEvent
from clientpanel.audit.selectors import audit_events
from clientpanel.audit.services import audit_record
from clientpanel.core.actor import ACTOR_API_TOKEN, ACTOR_STAFF, Actor, acting_as

pytestmark = pytest.mark.django_db
ACME, GLOBEX = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def trail() -> list[AuditEvent]:
    rows = [
        (ACTOR_STAFF, "anna@example.com", "client.update", "0001 Acme Hosting", ACME),
        (ACTOR_API_TOKEN, "API token cp_AbC… of anna@example.com", "client_user.link", "0001 Acme Hosting", ACME),
        (ACTOR_STAFF, "bob@example.com", "client.update", "0002 Globex", GLOBEX),
        ("system", "system", "service.suspend", "VPS D4E0GV", GLOBEX),
        (ACTOR_STAFF, "bob@example.com", "product.create", "VPS S (vps-s)", None),
    ]
    events = []
    for kind, label, action, object_label, client_id in rows:
        with acting_as(Actor(kind=kind, label=label)):
            events.append(audit_record(action=action, object_type="x", object_id="1", object_label=object_label,
                                       client_id=client_id))
    return events


def labels(events) -> list[str]:
    return [f"{e.action} {e.object_label}" for e in events]


def test_newest_first(trail):
    assert list(audit_events()) == trail[::-1]


def test_one_client_or_several(trail):
    assert list(audit_events(client_id=ACME)) == [trail[1], trail[0]]
    assert list(audit_events(client_ids=[ACME, GLOBEX])) == trail[3::-1]
    assert list(audit_events(client_ids=[])) == []


def test_an_action_prefix_and_a_kind_of_actor(trail):
    assert labels(audit_events(action="client.")) == ["client.update 0002 Globex", "client.update 0001 Acme Hosting"]
    assert labels(audit_events(action="client")) == labels(trail[2::-1])
    assert list(audit_events(actor_kind="api_token")) == [trail[1]]
    assert list(audit_events(actor_kind="system", client_id=GLOBEX)) == [trail[3]]


def test_every_word_must_be_found_in_who_or_what(trail):
    assert list(audit_events(search="anna")) == [trail[1], trail[0]]
    assert list(audit_events(search="BOB vps")) == [trail[4]]
    assert list(audit_events(search="acme token")) == [trail[1]]
    assert list(audit_events(search="globex anna")) == []


def test_only_the_first_four_words_count(trail):
    assert list(audit_events(search="anna acme hosting 0001 nothing-like-this")) == [trail[1], trail[0]]
