"""A person's first and last name hold no link, web address or e-mail address (cleaning.name_problem):
names greet people in the shop's e-mails, and an invitation's names are a portal user's text mailed to
any address. Staff's names are cleaned by the same cleaner; a name stored before the rule stays."""

import pytest

from clientpanel.accounts.models import User
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import Client
from clientpanel.clients.services import (
    client_create,
    client_profile_update,
    client_update,
    client_user_account_update,
    client_user_link,
)
from clientpanel.core.errors import ValidationFailed
from conftest import client_data

pytestmark = pytest.mark.django_db

LINKS = [
    "URGENT: verify your bank at https://evil.example/login",
    "hxxp://evil",  # any scheme
    "Visit www.evil.example",
    "ＷＷＷ．evil.example",  # full-width letters fold to plain ones
    "write to help@evil.example",
    "ht\u200btps:\u200b//evil.example",  # zero-width characters are dropped first
    "evil.example/login",
]
NAMES = ["Jean-Luc", "O'Brien", "J.R.R.", "St. John", "Zoë Łukasiewicz-Żak", "Anne (Annie)", "Smith/Jones",
         "Dr. A. B. Smith", "@home"]
MESSAGE = "First name cannot hold a link, a web address or an e-mail address; type the person's name."


def _refused(call) -> dict:
    with pytest.raises(ValidationFailed) as refusal:
        call()
    return refusal.value.fields


@pytest.mark.parametrize("name", LINKS)
def test_a_portal_invitation_with_a_link_in_a_name_is_refused_and_nothing_is_written(make_client, name):
    client = make_client()
    actor = portal_actor(client.owner, client.pk)
    fields = _refused(lambda: client_user_link(actor=actor, client_id=client.pk, send_invitation=True, data={
        "email": "phish-target@example.com", "firstname": name, "lastname": "X", "permissions": []}))
    assert fields == {"firstname": [MESSAGE]}
    last = _refused(lambda: client_user_link(actor=actor, client_id=client.pk, send_invitation=True, data={
        "email": "phish-target@example.com", "firstname": "Pat", "lastname": name, "permissions": []}))
    assert last == {"lastname": [MESSAGE.replace("First name", "Last name")]}
    assert not User.objects.filter(email="phish-target@example.com").exists()


@pytest.mark.parametrize("name", NAMES)
def test_names_people_have_are_kept(make_client, name):
    client = make_client(firstname=name, lastname=name)
    link = client_user_link(actor=None, client_id=client.pk, data={
        "email": "someone@example.com", "firstname": name, "lastname": name, "permissions": []})
    assert client.firstname == name and link.user.firstname == name


def test_staff_entered_names_are_cleaned_the_same_way(make_client):
    fields = _refused(lambda: client_create(actor=None, data=client_data(firstname="www.evil.example")))
    assert fields["firstname"] == [MESSAGE]
    client = make_client()
    assert _refused(lambda: client_update(actor=None, client_id=client.pk, data={"lastname": "a@b.example"})) == {
        "lastname": [MESSAGE.replace("First name", "Last name")]}
    assert _refused(lambda: client_user_account_update(actor=None, client_id=client.pk, user_id=client.owner_id,
                                                       data={"firstname": "https://x.example"})) == {
        "firstname": [MESSAGE]}


def test_a_name_stored_before_the_rule_does_not_block_other_changes(make_client):
    client = make_client()
    stored = "see https://old.example"
    Client.objects.filter(pk=client.pk).update(firstname=stored)
    User.objects.filter(pk=client.owner_id).update(firstname=stored)
    client_update(actor=None, client_id=client.pk, data={"firstname": stored, "company_name": "Kept Ltd"})
    client_profile_update(actor=portal_actor(client.owner, client.pk), client_id=client.pk,
                          data={"firstname": stored, "lastname": "Other"})
    client_user_account_update(actor=None, client_id=client.pk, user_id=client.owner_id,
                               data={"firstname": stored, "lastname": "Changed"})
    client.refresh_from_db()
    assert client.company_name == "Kept Ltd" and client.lastname == "Other"
    # A new link-bearing name is still refused.
    assert "firstname" in _refused(lambda: client_update(actor=None, client_id=client.pk,
                                                         data={"firstname": "see https://new.example"}))

