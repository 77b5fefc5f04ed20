"""The portal's Users page: invite by e-mail with permissions, change them, remove a user — never
the owner, never oneself, never a permission the signed-in user lacks; off by setting."""

import pytest
from django.urls import reverse

from clientpanel.clients import permissions as keys
from clientpanel.clients.models import ClientUser
from clientpanel.notifications.kinds import INVITATION
from clientpanel.notifications.links import links_filled
from clientpanel.notifications.models import EmailMessage

from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def test_the_owner_invites_a_user_who_gets_an_e_mail(world):
    browser = _signed_in(world["mine"].owner.email)
    invited = browser.post(reverse("portal:users"), {
        "email": "new.person@example.com", "firstname": "New", "lastname": "Person",
        "permissions": [keys.MANAGE_INVOICES, keys.VIEW_DOCUMENTS]})
    assert invited.status_code == 302
    link = ClientUser.objects.get(client=world["mine"], user__email="new.person@example.com")
    assert link.permissions == [keys.MANAGE_INVOICES, keys.VIEW_DOCUMENTS]
    message = EmailMessage.objects.get(template=INVITATION, recipient="new.person@example.com")
    assert "/portal/password/set/" in links_filled(message.body_text, message.links)
    page = browser.get(reverse("portal:users")).content.decode()
    assert "new.person@example.com" in page


def test_bad_invitations_say_what_is_wrong_and_write_nothing(world):
    browser = _signed_in(world["mine"].owner.email)
    before = ClientUser.objects.count()
    page = browser.post(reverse("portal:users"), {"email": "not-an-address", "firstname": "", "lastname": "x",
                                                  "permissions": ["no-such-key"]}).content.decode()
    assert "Enter a valid email address, like name@example.com." in page and "This field is required." in page
    linked = browser.post(reverse("portal:users"), {"email": "colleague@example.com", "firstname": "A",
                                                    "lastname": "B"}).content.decode()
    assert "linked to the client already" in linked
    assert ClientUser.objects.count() == before


def test_a_bad_address_is_refused_in_the_projects_words_in_polish_too(world):
    from clientpanel.accounts.models import User

    User.objects.filter(pk=world["mine"].owner_id).update(language="pl")
    browser = _signed_in(world["mine"].owner.email)
    page = browser.post(reverse("portal:users"), {"email": "not-an-address", "firstname": "A", "lastname": "B",
                                                  "permissions": [keys.VIEW_DOCUMENTS]}).content.decode()
    # As every other form (accounts' clean_email), not Django's "Wprowadź poprawny adres email."
    assert "Wpisz poprawny adres e-mail, np. nazwa@example.com." in page
    assert "Wprowadź poprawny adres email." not in page
    assert not ClientUser.objects.filter(user__email="not-an-address").exists()


def test_a_user_manager_grants_only_what_it_holds_and_never_touches_itself_or_the_owner(world):
    email = _member(world["mine"], keys.MANAGE_USERS, keys.MANAGE_INVOICES)
    browser = _signed_in(email)
    form = browser.get(reverse("portal:users")).content.decode()
    assert keys.MANAGE_INVOICES in form and f'value="{keys.MANAGE_SERVICES}"' not in form
    widened = browser.post(reverse("portal:users"), {"email": "x@example.com", "firstname": "X", "lastname": "Y",
                                                     "permissions": [keys.MANAGE_SERVICES]})
    assert widened.status_code == 200 and not ClientUser.objects.filter(user__email="x@example.com").exists()
    me = ClientUser.objects.get(client=world["mine"], user__email=email)
    assert browser.get(reverse("portal:user", args=[me.user_id])).status_code == 404
    assert browser.post(reverse("portal:user", args=[me.user_id]),
                        {"permissions": list(keys.ALL_PERMISSIONS)}).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[world["mine"].owner_id])).status_code == 404
    colleague = world["mine_user"]
    assert browser.post(reverse("portal:user", args=[colleague.user_id]),
                        {"permissions": [keys.MANAGE_INVOICES]}).status_code == 302
    colleague.refresh_from_db()
    assert colleague.permissions == [keys.MANAGE_INVOICES]
    me.refresh_from_db()
    assert me.permissions == [keys.MANAGE_USERS, keys.MANAGE_INVOICES]


def test_permissions_the_manager_lacks_stay_as_they_were(world):
    colleague = world["mine_user"]
    colleague.permissions = [keys.MANAGE_SERVICES]
    colleague.save()
    browser = _signed_in(_member(world["mine"], keys.MANAGE_USERS, keys.MANAGE_INVOICES))
    browser.post(reverse("portal:user", args=[colleague.user_id]), {"permissions": [keys.MANAGE_INVOICES]})
    colleague.refresh_from_db()
    assert set(colleague.permissions) == {keys.MANAGE_SERVICES, keys.MANAGE_INVOICES}


def test_removing_a_user_and_another_clients_user_is_a_404(world):
    browser = _signed_in(world["mine"].owner.email)
    stranger = world["theirs"].owner_id
    assert browser.post(reverse("portal:user-remove", args=[stranger])).status_code == 404
    assert browser.get(reverse("portal:user", args=[stranger])).status_code == 404
    assert browser.post(reverse("portal:user-remove", args=[world["mine_user"].user_id])).status_code == 302
    assert not ClientUser.objects.filter(pk=world["mine_user"].pk).exists()


def test_the_setting_turns_the_page_off(world, settings):
    settings.CLIENTPANEL_PORTAL_MANAGE_USERS = False
    browser = _signed_in(world["mine"].owner.email)
    assert browser.get(reverse("portal:users")).status_code == 404
    assert reverse("portal:users") not in browser.get(reverse("portal:dashboard")).content.decode()


@pytest.mark.parametrize("language", ["en", "pl"])
def test_the_invitation_names_a_company_ending_in_a_full_stop_without_a_second_one(world, language):
    from clientpanel.tax.selectors import default_home_company
    from clientpanel.tax.services import home_company_save

    home_company_save(actor=None, company_id=default_home_company().pk, data={"name": "Hosting sp. z o.o."})
    owner = world["mine"].owner
    owner.language = language
    owner.save(update_fields=["language"])
    world["mine"].language = language
    world["mine"].save(update_fields=["language"])
    browser = _signed_in(owner.email)
    browser.post(reverse("portal:users"), {"email": "dot@example.com", "firstname": "Dot", "lastname": "Person",
                                           "permissions": [keys.MANAGE_INVOICES]})
    message = EmailMessage.objects.get(template=INVITATION, recipient="dot@example.com")
    assert message.language == language
    assert "Hosting sp. z o.o." in message.body_text and "o.o.." not in message.body_text
    assert "o.o.." not in message.body_html
