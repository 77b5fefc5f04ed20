"""An invitation withdrawn while its person chooses a password: the invited login nobody used is
deleted with its last client link (clients.services.unused_logins.login_goes_with) between the
set-password page checking the link and the password being set. The page answers that the link is
no longer valid (it answered 500: the locked read of the user found no row)."""

import pytest
from django.urls import reverse

from clientpanel.accounts.links import SET_PASSWORD, link_args
from clientpanel.accounts.models import User
from clientpanel.clients.services import client_user_link, client_user_remove
from clientpanel.portal.views import links

pytestmark = pytest.mark.django_db

NEW = {"password": "a-long-passphrase-1", "password_again": "a-long-passphrase-1"}


def test_a_login_deleted_while_its_password_is_chosen_is_a_link_no_longer_valid(client, make_client, monkeypatch):
    firm = make_client()
    link = client_user_link(actor=None, client_id=firm.pk, data={
        "email": "invited@example.com", "firstname": "In", "lastname": "Vited", "permissions": []})
    url = reverse("portal:set_password", kwargs=link_args(SET_PASSWORD, link.user))
    assert client.get(url).status_code == 200
    checked = links.user_of_link

    def withdrawn_meanwhile(*args):
        user = checked(*args)  # the link is valid when checked …
        client_user_remove(actor=None, client_id=firm.pk, user_id=user.pk)  # … and its login goes at once
        return user

    monkeypatch.setattr(links, "user_of_link", withdrawn_meanwhile)
    answer = client.post(url, NEW)
    assert answer.status_code == 200 and "This link is no longer valid." in answer.content.decode()
    assert "Your password is set" not in answer.content.decode()
    assert not User.objects.filter(email="invited@example.com").exists()
    monkeypatch.undo()
    assert client.post(url, NEW).status_code == 400  # the link page: not valid
