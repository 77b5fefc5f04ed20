"""Logins an invitation made and nobody used (services/unused_logins.py): they do not block their
address for good — removed with their last link, taken as the owner of a client staff who see its
clients create — while a login somebody used, or a client's owner, is never taken; and another
client's invitation is not linked by those who cannot see it (each would read the other's words)."""

import pytest
from django.utils import timezone

from clientpanel.accounts.models import ApiToken, User
from clientpanel.accounts.services import client_user_create
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import Client, ClientUser
from clientpanel.clients.services import (
    client_create,
    client_create_check,
    client_self_register,
    client_user_link,
    client_user_remove,
)
from clientpanel.core.errors import ValidationFailed
from conftest import client_data

pytestmark = pytest.mark.django_db
EXISTS = "A user with this email address already exists."
TARGET = "phish-target2@example.com"


def _invite(client, email=TARGET, actor=None, **extra):
    """An invitation as the portal's Users page sends it: by the client's owner, with names."""
    actor = actor or portal_actor(client.owner, client.pk)
    data = {"email": email, "firstname": "Pat", "lastname": "Target", "permissions": [], **extra}
    return client_user_link(actor=actor, client_id=client.pk, data=data, send_invitation=True)


def _refused(call) -> dict:
    with pytest.raises(ValidationFailed) as refusal:
        call()
    return refusal.value.fields


def _use(user, how: str) -> None:
    """Mark the login used in one of the ways that keep it."""
    if how == "password":
        user.set_password("a-long-passphrase-9")
        user.save()
    elif how == "logged_in":
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    elif how == "two_factor":
        User.objects.filter(pk=user.pk).update(totp_confirmed_at=timezone.now())
    elif how == "api_token":
        ApiToken.objects.create(user=user, prefix="cp_x", token_hash="f" * 64)
    elif how == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)


USES = ["password", "logged_in", "two_factor", "api_token", "inactive"]


def test_removing_the_last_link_of_an_unused_invited_login_frees_the_address(make_client):
    mine, theirs = make_client(), make_client()
    invited = _invite(mine).user
    client_user_remove(actor=portal_actor(mine.owner, mine.pk), client_id=mine.pk, user_id=invited.pk)
    assert not User.objects.filter(email=TARGET).exists()
    # Free for anyone again: another client's invitation, and a new owner made by staff.
    assert _invite(theirs).user.email == TARGET
    client_user_remove(actor=None, client_id=theirs.pk, user_id=User.objects.get(email=TARGET).pk)
    owned = client_create(actor=None, data=client_data(email=TARGET))
    assert owned.owner.email == TARGET


def test_a_login_invited_by_two_clients_stays_until_its_last_link_goes(make_client):
    mine, theirs = make_client(), make_client()
    invited = _invite(mine).user
    client_user_link(actor=None, client_id=theirs.pk, data={"email": TARGET, "permissions": []})  # staff link it
    client_user_remove(actor=None, client_id=mine.pk, user_id=invited.pk)
    assert User.objects.filter(pk=invited.pk).exists()
    client_user_remove(actor=None, client_id=theirs.pk, user_id=invited.pk)
    assert not User.objects.filter(pk=invited.pk).exists()


@pytest.mark.parametrize("how", USES)
def test_a_used_login_is_kept_when_its_last_link_goes_and_never_linked_by_a_stranger(make_client, how):
    mine, theirs = make_client(), make_client()
    invited = _invite(mine).user
    _use(invited, how)
    if how != "inactive":  # an inactive login is still linked; only its removal is checked here
        assert _refused(lambda: _invite(theirs)) == {"email": [EXISTS]}
        assert not ClientUser.objects.filter(client=theirs, user=invited).exists()
    client_user_remove(actor=None, client_id=mine.pk, user_id=invited.pk)
    assert User.objects.filter(pk=invited.pk).exists()


def test_an_owner_who_never_signed_in_is_neither_linked_by_a_stranger_nor_taken_for_a_new_client(make_client):
    mine, theirs = make_client(), make_client()
    assert not mine.owner.has_usable_password() and mine.owner.last_login is None
    assert _refused(lambda: _invite(theirs, email=mine.owner.email)) == {"email": [EXISTS]}
    # A second client for the same owner by mistake (a form sent twice) is refused as before.
    assert _refused(lambda: client_create(actor=None, data=client_data(email=mine.owner.email)))["email"] == [EXISTS]
    assert Client.objects.filter(owner=mine.owner).count() == 1


def test_staff_creating_a_client_take_an_invited_unused_login_as_its_owner(make_client):
    mine = make_client()
    invited = _invite(mine).user
    client_create_check(actor=None, data=client_data(email=TARGET))  # no refusal
    created = client_create(actor=None, data=client_data(email=TARGET, firstname="Other", phone="+48601234567",
                                                         password="a-long-passphrase-9"))
    assert created.owner_id == invited.pk
    assert set(ClientUser.objects.filter(user=invited).values_list("client_id", flat=True)) == {mine.pk, created.pk}
    invited.refresh_from_db()
    # Staff who see every client it is linked to give it the new client's details and the password.
    assert invited.firstname == "Other" and invited.check_password("a-long-passphrase-9")
    # Its owner now: removing it from the inviting client leaves the login.
    client_user_remove(actor=None, client_id=mine.pk, user_id=invited.pk)
    assert User.objects.filter(pk=invited.pk).exists()


def test_a_login_staff_made_for_no_client_takes_the_new_clients_details_and_password(db):
    made = client_user_create(actor=None, data={"email": TARGET, "firstname": "Old", "lastname": "Name"})
    created = client_create(actor=None, data=client_data(email=TARGET, firstname="New", lastname="Owner",
                                                         password="a-long-passphrase-7"))
    made.refresh_from_db()
    assert created.owner_id == made.pk and made.full_name == "New Owner"
    assert made.check_password("a-long-passphrase-7")


@pytest.mark.parametrize("how", USES)
def test_staff_never_take_over_a_login_somebody_used(make_client, how):
    mine = make_client()
    invited = _invite(mine).user
    _use(invited, how)
    before = User.objects.get(pk=invited.pk).password
    assert _refused(lambda: client_create_check(actor=None, data=client_data(email=TARGET))) == {"email": [EXISTS]}
    assert _refused(lambda: client_create(actor=None, data=client_data(email=TARGET, password="a-long-passphrase-8"))
                    )["email"] == [EXISTS]
    assert not Client.objects.filter(owner=invited).exists()
    assert User.objects.get(pk=invited.pk).password == before


def test_staff_never_take_over_a_staff_login(db):
    from clientpanel.accounts.services import staff_create

    staff = staff_create(email=TARGET, password="correct-horse-battery", roles=["Support"])
    assert _refused(lambda: client_create(actor=None, data=client_data(email=TARGET)))["email"] == [EXISTS]
    assert not Client.objects.filter(owner=staff).exists()


def test_a_portal_sign_up_never_takes_an_invited_login(make_client, settings):
    settings.CLIENTPANEL_PORTAL_SIGNUP = True
    mine = make_client()
    invited = _invite(mine).user
    data = {"email": TARGET, "password": "a-long-passphrase-6", "firstname": "Mal", "lastname": "Lory",
            "company_name": "", "country": "PL", "currency": "USD"}
    assert client_self_register(data=data, ip="203.0.113.9", language="en") is None
    invited.refresh_from_db()
    assert not invited.has_usable_password() and not Client.objects.filter(owner=invited).exists()


def test_the_throttle_counts_a_refused_invitation_of_another_clients_invitee(make_client, monkeypatch):
    from clientpanel.accounts import throttle

    mine, theirs = make_client(), make_client()
    _invite(mine)
    counted = []
    monkeypatch.setattr(throttle, "invitation_sent", lambda inviter: counted.append(inviter))
    _refused(lambda: _invite(theirs))
    assert len(counted) == 1  # "already exists" tells as much as an invitation costs


def test_another_clients_invitee_is_answered_as_any_existing_address_and_not_linked(make_client):
    """Linking it showed each client the names the other typed (and its language, its creation
    date): one person invited by two businesses waits until the first invitation is withdrawn or
    used, as any login the inviter cannot see."""
    mine, theirs = make_client(), make_client()
    invited = _invite(mine).user
    actor = portal_actor(theirs.owner, theirs.pk)
    fresh = _refused(lambda: client_user_link(actor=actor, client_id=theirs.pk, data={"email": "new@example.com"}))
    taken = _refused(lambda: client_user_link(actor=actor, client_id=theirs.pk, data={"email": TARGET}))
    assert taken == fresh  # names required: nothing tells that the address has a login
    assert _refused(lambda: _invite(theirs, firstname="Other", password="a-long-passphrase-2")) == {"email": [EXISTS]}
    invited.refresh_from_db()
    assert invited.firstname == "Pat" and not invited.has_usable_password()
    assert not ClientUser.objects.filter(client=theirs, user=invited).exists()


def test_a_limited_staff_member_cannot_take_another_clients_invitee_as_a_new_clients_owner(make_client):
    from clientpanel.accounts.services import staff_create

    theirs = make_client()
    invited = _invite(theirs).user
    agent = staff_create(email="agent@example.com", password="a-long-passphrase-3", roles=["Administrator"],
                         limited_to_assigned_clients=True)
    data = client_data(email=TARGET, firstname="Mine", password="a-long-passphrase-4")
    assert _refused(lambda: client_create_check(actor=agent, data=data)) == {"email": [EXISTS]}
    assert _refused(lambda: client_create(actor=agent, data=data))["email"] == [EXISTS]
    invited.refresh_from_db()
    assert not invited.has_usable_password() and invited.firstname == "Pat"  # a login into `theirs`: never
    assert not Client.objects.filter(owner=invited).exists()
