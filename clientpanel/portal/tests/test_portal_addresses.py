"""The portal's address book (Modify Master Account Profile): the client's addresses with the billing
and default shipping ones marked; add, edit, delete and make default through the staff's services
and validation; never another client's address, never the billing address deleted."""

import re

import pytest
from django.test import Client as Browser
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.clients import permissions as keys
from clientpanel.clients.actors import portal_actor
from clientpanel.clients.models import Address, AddressType, Client
from clientpanel.clients.services import address_create, address_delete, address_update
from clientpanel.core.errors import PermissionDenied, ValidationFailed

from .conftest import PASSWORD
from .test_portal_pages import _member, _signed_in

pytestmark = pytest.mark.django_db


def _form(**changes):
    return {"type": "SHIPPING", "name": "Warehouse", "contact_name": "Jan Kowalski", "phone": "", "email": "",
            "address1": "Magazynowa 5", "address2": "", "city": "Kraków", "postcode": "30-001", "country": "PL",
            "region": "", "is_default": ""} | changes


def _shipping(client, name, **fields):
    return address_create(actor=None, client_id=client.pk, data={
        "type": "SHIPPING", "name": name, "address1": "Street 1", "city": "Poznań", "country": "PL", **fields})


def test_the_book_lists_every_address_with_the_billing_and_default_shipping_ones_marked(world):
    _shipping(world["mine"], "Office", is_default=True)
    _shipping(world["mine"], "Warehouse")
    _shipping(world["theirs"], "Their depot")
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:addresses")).content.decode()
    assert "Office" in page and "Warehouse" in page and "Their depot" not in page
    assert page.count("Billing address</span>") == 1 and page.count("Default shipping address</span>") == 1
    assert page.count("Make default for shipping") == 1  # on Warehouse only
    assert "The billing address cannot be deleted" in page and page.count(">Delete</button>") == 2
    assert f'href="{reverse("portal:addresses")}"' in page  # in the menu


def test_add_an_address_then_make_another_the_default_clears_the_first(world):
    browser = _signed_in(world["mine"].owner.email)
    added = browser.post(reverse("portal:address-new"), _form(is_default="on"))
    assert added.status_code == 302 and added["Location"] == reverse("portal:addresses")
    first = Address.objects.get(client=world["mine"], name="Warehouse")
    assert (first.type, first.is_default, first.city) == (AddressType.SHIPPING, True, "Kraków")
    second = _shipping(world["mine"], "Office")
    browser.post(reverse("portal:address-default", args=[second.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)
    assert "“Office” is now the default shipping address." in browser.get(reverse("portal:addresses")).content.decode()


def test_edit_the_billing_address_without_its_type_and_the_client_mirrors_its_city(world):
    browser = _signed_in(world["mine"].owner.email)
    billing = Address.objects.get(client=world["mine"], type=AddressType.BILLING)
    page = browser.get(reverse("portal:address", args=[billing.pk])).content.decode()
    assert 'name="type"' not in page and 'name="is_default"' not in page and "Warszawa" in page
    assert 'value="Mazowieckie"' in page  # the region by its name, not "PL-14"
    saved = browser.post(reverse("portal:address", args=[billing.pk]), _form(
        name="Head office", type="SHIPPING", is_default="on", city="Gdańsk", region="Pomorskie"))
    assert saved.status_code == 302
    billing.refresh_from_db()
    assert (billing.type, billing.is_default, billing.city, billing.region) == (
        AddressType.BILLING, False, "Gdańsk", "PL-22")
    assert Client.objects.get(pk=world["mine"].pk).billing_city == "Gdańsk"


def test_the_billing_address_is_never_deleted(world):
    browser = _signed_in(world["mine"].owner.email)
    billing = Address.objects.get(client=world["mine"], type=AddressType.BILLING)
    refused = browser.post(reverse("portal:address-delete", args=[billing.pk]), follow=True).content.decode()
    assert "The billing address cannot be deleted; edit it instead." in refused
    assert Address.objects.filter(pk=billing.pk).exists()


def test_delete_a_shipping_address(world):
    gone = _shipping(world["mine"], "Old flat")
    browser = _signed_in(world["mine"].owner.email)
    page = browser.post(reverse("portal:address-delete", args=[gone.pk]), follow=True).content.decode()
    assert "Address “Old flat” is deleted." in page and not Address.objects.filter(pk=gone.pk).exists()


def test_the_staffs_validation_keeps_what_was_typed_in_polish_too(world, make_client):
    browser = _signed_in(world["mine"].owner.email)
    refused = browser.post(reverse("portal:address-new"), _form(address1="", city="", region="Atlantis",
                                                                name="Typed name"))
    page = refused.content.decode()
    assert refused.status_code == 200 and "Enter the street and number." in page and "Enter the city." in page
    assert "is not a state or region of Poland" in page and 'value="Typed name"' in page
    assert not Address.objects.filter(client=world["mine"], name="Typed name").exists()
    polish = make_client(currency="USD", password=PASSWORD, language="pl")
    page = _signed_in(polish.owner.email).post(reverse("portal:address-new"), _form(
        country="", phone="123")).content.decode()
    assert "To pole jest wymagane." in page and "Niektóre pola" not in page


def test_a_service_address_cannot_be_the_default_one(world):
    service_site = address_create(actor=None, client_id=world["mine"].pk, data={
        "type": "SERVICE", "name": "Server room", "address1": "Street 2", "city": "Łódź", "country": "PL"})
    browser = _signed_in(world["mine"].owner.email)
    page = browser.post(reverse("portal:address-default", args=[service_site.pk]), follow=True).content.decode()
    assert "Only a shipping address can be the default one." in page and "is_default" not in page
    refused = browser.post(reverse("portal:address-new"), _form(type="SERVICE", is_default="on")).content.decode()
    assert "Only a shipping address can be the default one." in refused
    assert not Address.objects.filter(client=world["mine"], is_default=True).exists()


def test_another_clients_address_is_a_404_and_stays_as_it_was(world):
    theirs = _shipping(world["theirs"], "Their depot")
    billing = Address.objects.get(client=world["theirs"], type=AddressType.BILLING)
    browser = _signed_in(world["mine"].owner.email)
    for address in (theirs, billing):
        assert browser.get(reverse("portal:address", args=[address.pk])).status_code == 404
        assert browser.post(reverse("portal:address", args=[address.pk]), _form()).status_code == 404
        assert browser.post(reverse("portal:address-delete", args=[address.pk])).status_code == 404
        assert browser.post(reverse("portal:address-default", args=[address.pk])).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.is_default, theirs.city) == ("Their depot", False, "Poznań")
    assert Address.objects.filter(client=world["theirs"]).count() == 2


def test_a_user_without_the_profile_permission_sees_no_book_and_is_refused(world):
    depot = _shipping(world["mine"], "Depot")
    browser = _signed_in(_member(world["mine"], keys.MANAGE_INVOICES, keys.MANAGE_USERS))
    assert f'href="{reverse("portal:addresses")}"' not in browser.get(reverse("portal:dashboard")).content.decode()
    assert browser.get(reverse("portal:addresses")).status_code == 404
    assert browser.post(reverse("portal:address-new"), _form()).status_code == 404
    assert browser.post(reverse("portal:address", args=[depot.pk]), _form(name="Mine now")).status_code == 404
    assert browser.post(reverse("portal:address-delete", args=[depot.pk])).status_code == 404
    assert Address.objects.filter(client=world["mine"]).count() == 2
    assert Address.objects.get(pk=depot.pk).name == "Depot"


def test_a_user_with_the_profile_permission_keeps_the_book(world):
    browser = _signed_in(_member(world["mine"], keys.MODIFY_MASTER_PROFILE))
    assert browser.post(reverse("portal:address-new"), _form()).status_code == 302


def test_a_post_without_the_csrf_token_is_refused(world):
    browser = Browser(enforce_csrf_checks=True)
    page = browser.get(reverse("portal:login"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else browser.cookies["csrftoken"].value
    assert browser.post(reverse("portal:login"), {"email": world["mine"].owner.email, "password": PASSWORD,
                                                  "csrfmiddlewaretoken": token}).status_code == 302
    assert browser.post(reverse("portal:address-new"), _form()).status_code == 403
    billing = Address.objects.get(client=world["mine"], type=AddressType.BILLING)
    assert browser.post(reverse("portal:address-delete", args=[billing.pk])).status_code == 403
    assert not Address.objects.filter(client=world["mine"], name="Warehouse").exists()


def test_login_as_owner_adds_an_address_audited_with_both_identities(client, world):
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    client.post(reverse("backoffice:client-login-as", args=[world["mine"].pk]))
    assert client.post(reverse("portal:address-new"), _form()).status_code == 302
    added = Address.objects.get(client=world["mine"], name="Warehouse")
    event = AuditEvent.objects.get(action="address.create", object_id=str(added.pk))
    assert (event.actor_id, event.impersonator_id) == (world["mine"].owner_id, support.pk)
    assert "Login as Owner by support@example.com" in event.actor_label


def test_staffs_notes_on_an_address_are_neither_shown_nor_changed_in_the_portal(world):
    depot = _shipping(world["mine"], "Depot", notes="Gate code 4711")
    browser = _signed_in(world["mine"].owner.email)
    assert "4711" not in browser.get(reverse("portal:address", args=[depot.pk])).content.decode()
    assert "4711" not in browser.get(reverse("portal:addresses")).content.decode()
    browser.post(reverse("portal:address", args=[depot.pk]), _form(name="Depot 2", notes="overwritten"))
    depot.refresh_from_db()
    assert (depot.name, depot.notes) == ("Depot 2", "Gate code 4711")


def test_the_services_let_a_portal_user_change_only_its_own_clients_addresses(world):
    owner = portal_actor(world["mine"].owner, world["mine"].pk)
    added = address_create(actor=owner, client_id=world["mine"].pk, data=_form(is_default=False))
    with pytest.raises(ValidationFailed) as refused:
        address_update(actor=owner, client_id=world["mine"].pk, address_id=added.pk, data={"notes": "x"})
    assert refused.value.fields == {"notes": ["This field cannot be changed here."]}
    with pytest.raises(PermissionDenied):  # another client: not the one it acts for
        address_create(actor=owner, client_id=world["theirs"].pk, data=_form(is_default=False))
    _member(world["mine"], keys.MANAGE_INVOICES)
    member = portal_actor(world["mine"].user_links.get(user__email="member@example.com").user, world["mine"].pk)
    with pytest.raises(PermissionDenied):
        address_delete(actor=member, client_id=world["mine"].pk, address_id=added.pk)
    assert Address.objects.filter(pk=added.pk).exists()
    assert not Address.objects.filter(client=world["theirs"], name="Warehouse").exists()


def test_the_address_forms_suggest_the_chosen_countrys_regions(world):
    browser = _signed_in(world["mine"].owner.email)
    options = browser.get(reverse("portal:region-options"), {"country": "pl"}).content.decode()
    assert '<option value="Mazowieckie">' in options and '<option value="Bayern">' not in options
    assert browser.get(reverse("portal:region-options"), {"country": "<x>"}).content.decode().strip() == ""
    for page in ("portal:address-new", "portal:profile"):
        html = browser.get(reverse(page)).content.decode()
        assert f'data-region-options="{reverse("portal:region-options")}"' in html
        assert 'data-region-input="#id_region"' in html
    anonymous = Browser().get(reverse("portal:region-options"), {"country": "PL"})
    assert anonymous.status_code == 302 and reverse("portal:login") in anonymous["Location"]


def test_an_address_left_unnamed_is_named_in_the_users_language(world, make_client):
    # It was named by the service's English code word: a Polish user read "Dodano adres „Shipping”".
    polish = make_client(currency="USD", password=PASSWORD, language="pl")
    browser = _signed_in(polish.owner.email)
    page = browser.post(reverse("portal:address-new"), _form(name=""), follow=True).content.decode()
    assert "Dodano adres „Adres dostawy”." in page and "Shipping" not in page
    service_site = browser.post(reverse("portal:address-new"), _form(name="", type="SERVICE"))
    assert service_site.status_code == 302
    billing = Address.objects.get(client=polish, type=AddressType.BILLING)
    browser.post(reverse("portal:address", args=[billing.pk]), _form(name=""))
    assert sorted(Address.objects.filter(client=polish).values_list("name", flat=True)) == [
        "Adres dostawy", "Adres rozliczeniowy", "Adres usługi"]
    english = _signed_in(world["mine"].owner.email)
    english.post(reverse("portal:address-new"), _form(name=""))
    assert Address.objects.filter(client=world["mine"], name="Shipping address").exists()


def test_a_client_keeps_a_bounded_number_of_addresses(world, api):
    # Unbounded, a portal user could add addresses until the book (one page listing them all) no longer loaded.
    from clientpanel.clients.services import addresses

    client = world["mine"]
    while Address.objects.filter(client=client).count() < addresses.MAX_ADDRESSES:
        _shipping(client, "Depot")
    browser = _signed_in(client.owner.email)
    refused = browser.post(reverse("portal:address-new"), _form(name="One too many"))
    assert refused.status_code == 200
    assert f"A client keeps at most {addresses.MAX_ADDRESSES} addresses" in refused.content.decode()
    assert "Magazynowa 5" in refused.content.decode()  # what was typed stays
    answer = api.post(f"/clients/{client.pk}/addresses", {"type": "SERVICE", "address1": "Main 1", "city": "Leeds",
                                                           "country": "GB"})
    assert answer.status_code == 409 and "at most" in answer.json()["error"]["message"]
    staff = Browser()
    staff.force_login(staff_create(email="clerk@example.com", password=PASSWORD, roles=["Administrator"]))
    dialog = staff.post(reverse("backoffice:address-create", args=[client.pk]),
                        _form(name="One too many"), headers={"hx-request": "true"})
    assert dialog.status_code == 200 and "A client keeps at most" in dialog.content.decode()  # it was a 500
    assert not Address.objects.filter(name="One too many").exists()
    assert Address.objects.filter(client=client).count() == addresses.MAX_ADDRESSES


def _marked(page: str, name: str) -> bool:
    """Whether the form marks the field required, as every form marks one: the asterisk after its
    label and the required attribute on its input."""
    label = re.search(rf'<label[^>]*for="id_{name}"[^>]*>(.*?)</label>', page, re.S).group(1)
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    return ('class="text-danger">*</span>' in label) and (" required" in field)


def test_the_fields_an_address_needs_are_marked_required_and_the_service_still_names_every_problem(world):
    """Address 1 and City were left unmarked on Add an address, though a shipping or service address
    is refused without them; the billing address (a country is enough) does not ask for them."""
    browser = _signed_in(world["mine"].owner.email)
    page = browser.get(reverse("portal:address-new")).content.decode()
    assert _marked(page, "address1") and _marked(page, "city")
    assert not _marked(page, "address2") and not _marked(page, "postcode")
    billing = Address.objects.get(client=world["mine"], type=AddressType.BILLING)
    own = browser.get(reverse("portal:address", args=[billing.pk])).content.decode()
    assert not _marked(own, "address1") and not _marked(own, "city")
    profile = browser.get(reverse("portal:profile")).content.decode()
    assert _marked(profile, "firstname") and _marked(profile, "lastname")  # clients refuse a blank name
    refused = browser.post(reverse("portal:address-new"),
                           _form(address1="", city="", region="Atlantis")).content.decode()
    assert "Enter the street and number." in refused and "Enter the city." in refused
    assert "is not a state or region of Poland" in refused and "This field is required." not in refused
