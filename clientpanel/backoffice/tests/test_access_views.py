"""Staff login with 2FA and throttling; the Users tab, staff, groups and activity pages."""

import time

import pyotp
import pytest
from django.core.cache import cache
from django.urls import reverse

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.accounts.two_factor import totp_begin, totp_confirm
from clientpanel.audit.models import AuditEvent
from clientpanel.clients.models import ClientGroup, ClientUser, StaffAssignment

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def clear_throttle():
    cache.clear()
    yield
    cache.clear()


def login(client, email, password=PASSWORD):
    return client.post(reverse("backoffice:login"), {"username": email, "password": password})


def test_login_is_throttled_after_repeated_failures(client, staff):
    for _ in range(5):
        assert "Please enter a correct" in login(client, staff.email, "wrong-password").content.decode()
    blocked = login(client, staff.email, PASSWORD)
    assert "Too many failed attempts" in blocked.content.decode()
    assert client.get(reverse("backoffice:dashboard")).status_code == 302


def test_two_factor_enrolment_and_login_with_code_or_recovery_code(client, staff):
    client.force_login(staff)
    page = client.get(reverse("backoffice:account-2fa")).content.decode()
    assert "<svg" in page
    staff.refresh_from_db()
    wrong = client.post(reverse("backoffice:account-2fa"),
                        {"action": "confirm", "code": "000000", "current_password": PASSWORD})
    assert "does not match" in wrong.content.decode()
    code = pyotp.TOTP(staff.totp_secret).now()
    confirmed = client.post(reverse("backoffice:account-2fa"),
                            {"action": "confirm", "code": code, "current_password": PASSWORD})
    page = confirmed.content.decode()
    assert "Recovery codes" in page
    recovery = page.split('id="recovery-codes">')[1].split("</li>")[0].split("<li>")[1]
    client.logout()

    response = login(client, staff.email)
    assert response["Location"] == reverse("backoffice:login-verify")
    assert client.get(reverse("backoffice:dashboard")).status_code == 302  # not logged in yet
    bad = client.post(reverse("backoffice:login-verify"), {"code": "123456"})
    assert "does not match" in bad.content.decode()
    staff.refresh_from_db()
    # The enrolment code was accepted already (each code works once); the next period's code is
    # still within the allowed clock drift.
    next_code = pyotp.TOTP(staff.totp_secret).at(time.time() + 30)
    good = client.post(reverse("backoffice:login-verify"), {"code": next_code})
    assert good.status_code == 302 and client.get(reverse("backoffice:dashboard")).status_code == 200

    client.logout()
    login(client, staff.email)
    assert client.post(reverse("backoffice:login-verify"), {"code": recovery}).status_code == 302
    client.logout()
    login(client, staff.email)
    reused = client.post(reverse("backoffice:login-verify"), {"code": recovery})
    assert "does not match" in reused.content.decode()  # a recovery code works once
    assert AuditEvent.objects.filter(action="staff.2fa_on").exists()


def test_verify_step_without_a_password_step_goes_back_to_login(client):
    assert client.get(reverse("backoffice:login-verify"))["Location"] == reverse("backoffice:login")


def test_two_factor_can_be_turned_off_with_a_code(client, staff):
    totp_begin(user=staff)
    totp_confirm(user=staff, code=pyotp.TOTP(staff.totp_secret).now(), password=PASSWORD)
    client.force_login(staff)
    staff.refresh_from_db()
    next_code = pyotp.TOTP(staff.totp_secret).at(time.time() + 30)  # the enrolment code worked once already
    client.post(reverse("backoffice:account-2fa"),
                {"action": "disable", "code": next_code, "current_password": PASSWORD})
    staff.refresh_from_db()
    assert not staff.has_2fa and staff.recovery_codes == []


def test_users_tab_associate_edit_transfer_remove(staff_client, make_client):
    client = make_client()
    htmx = {"HX-Request": "true"}
    candidates = staff_client.get(reverse("backoffice:client-user-candidates", args=[client.pk]),
                                  {"email": client.owner.email[:5]}).content.decode()
    assert client.owner.email not in candidates  # already linked, not offered again
    response = staff_client.post(reverse("backoffice:client-user-associate", args=[client.pk]), {
        "email": "helper@example.com", "firstname": "Help", "lastname": "Er", "permissions": ["manage-services"]},
        headers=htmx)
    assert response["HX-Refresh"] == "true"
    helper = User.objects.get(email="helper@example.com")
    page = staff_client.get(reverse("backoffice:client-users", args=[client.pk])).content.decode()
    assert "helper@example.com" in page and "Manage Services" in page and "OWNER" in page
    again = staff_client.post(reverse("backoffice:client-user-associate", args=[client.pk]), {
        "email": "helper@example.com", "permissions": ["fly"]}, headers=htmx).content.decode()
    assert "linked to the client already" in again or "valid choice" in again
    staff_client.post(reverse("backoffice:client-user-edit", args=[client.pk, helper.pk]),
                      {"permissions": ["view-documents"]}, headers=htmx)
    assert ClientUser.objects.get(client=client, user=helper).permissions == ["view-documents"]
    old_owner = client.owner
    staff_client.post(reverse("backoffice:client-transfer-ownership", args=[client.pk, helper.pk]), headers=htmx)
    client.refresh_from_db()
    assert client.owner == helper
    refused = staff_client.post(reverse("backoffice:client-user-remove", args=[client.pk, helper.pk]), follow=True)
    assert "transfer ownership first" in refused.content.decode()
    staff_client.post(reverse("backoffice:client-user-remove", args=[client.pk, old_owner.pk]), headers=htmx)
    assert not ClientUser.objects.filter(client=client, user=old_owner).exists()


def test_user_page_shows_clients_and_permissions(staff_client, make_client):
    client = make_client(company_name="Zenith")
    page = staff_client.get(reverse("backoffice:user-detail", args=[client.owner.pk])).content.decode()
    assert "Zenith" in page and "OWNER" in page and "Manage Services" in page


def test_staff_pages_create_assign_and_refuse_unknown_clients(staff_client, make_client):
    assigned = make_client()
    response = staff_client.post(reverse("backoffice:staff-create"), {
        "email": "agent@example.com", "password": PASSWORD, "roles": ["Support"],
        "limited_to_assigned_clients": "on"})
    agent = User.objects.get(email="agent@example.com")
    assert response["Location"] == reverse("backoffice:staff-edit", args=[agent.pk])
    edit_url = reverse("backoffice:staff-edit", args=[agent.pk])
    bad = staff_client.post(edit_url, {"roles": ["Support"], "is_active": "on", "limited_to_assigned_clients": "on",
                                       "assigned_clients": f"{assigned.number}, 9999"})
    assert "No client has the number 9999" in bad.content.decode()
    assert not StaffAssignment.objects.exists()
    staff_client.post(edit_url, {"roles": ["Support"], "is_active": "on", "limited_to_assigned_clients": "on",
                                 "assigned_clients": assigned.number})
    assert list(StaffAssignment.objects.values_list("client_id", flat=True)) == [assigned.pk]
    wizard = staff_client.post(reverse("backoffice:staff-create"), {
        "email": "w@example.com", "password": PASSWORD, "roles": ["Wizard"]}).content.decode()
    assert "valid choice" in wizard and not User.objects.filter(email="w@example.com").exists()


def test_role_page_creates_a_role(staff_client):
    staff_client.post(reverse("backoffice:role-create"), {"name": "Billing", "areas": ["area_view_clients",
                                                                                         "area_finance"]})
    from django.contrib.auth.models import Group

    role = Group.objects.get(name="Billing")
    assert sorted(role.permissions.values_list("codename", flat=True)) == ["area_finance", "area_view_clients"]


def test_group_pages_and_refused_delete(staff_client, make_client):
    staff_client.post(reverse("backoffice:group-create"), {"name": "VIP", "colour": "#ff0000", "currency": "EUR",
                                                           "payment_terms_days": "14"})
    group = ClientGroup.objects.get(name="VIP")
    assert (group.currency, group.payment_terms_days) == ("EUR", 14)
    make_client(group=group.pk)
    refused = staff_client.post(reverse("backoffice:group-delete", args=[group.pk]), follow=True)
    assert "move them to another group first" in refused.content.decode()
    bad = staff_client.post(reverse("backoffice:group-create"), {"name": "X", "colour": "#ff0000",
                                                                 "payment_terms_days": "abc"}).content.decode()
    assert "whole number" in bad


def test_activity_tab_and_log(staff_client, make_client):
    client = make_client(company_name="Before")
    staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), {
        "firstname": client.firstname, "lastname": client.lastname, "company_name": "After", "language": "en",
        "currency": "USD", "status": "NEW", "credit_limit": "0"})
    tab = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    assert "client.update" in tab and "Before" in tab and "After" in tab and "staff@example.com" in tab
    log = staff_client.get(reverse("backoffice:activity-log"), {"action": "client.update"}).content.decode()
    assert "After" in log and "client.create" not in log


def test_profile_edit_of_group_and_inherited_settings(staff_client, make_client):
    group = ClientGroup.objects.create(name="Net 30", payment_terms_days=30)
    client = make_client()
    staff_client.post(reverse("backoffice:client-profile", args=[client.pk]), {
        "firstname": "A", "lastname": "B", "language": "en", "currency": "USD", "status": "NEW",
        "credit_limit": "0", "group": str(group.pk), "tax_exempt": "true"})
    client.refresh_from_db()
    assert (client.group, client.tax_exempt, client.payment_terms_days) == (group, True, None)
    page = staff_client.get(reverse("backoffice:client-profile", args=[client.pk])).content.decode()
    # The setting by its name and the value in words, never the raw key (issue 10).
    assert "Payment terms (days)" in page and ">30 days<" in page and "payment_terms_days<" not in page


def test_read_only_staff_sees_profile_without_save(client, make_client):
    reader = staff_create(email="reader@example.com", password=PASSWORD, roles=["Read-only"])
    client.force_login(reader)
    target = make_client()
    page = client.get(reverse("backoffice:client-profile", args=[target.pk])).content.decode()
    assert "+ Create Address" not in page and ">Save<" not in page
    assert client.post(reverse("backoffice:client-profile", args=[target.pk]), {"firstname": "X"}).status_code == 403


def test_transactions_tab_and_manual_transaction(staff_client, make_client):
    client = make_client()
    url = reverse("backoffice:client-transaction-create", args=[client.pk])
    bad = staff_client.post(url, {"amount": "1.123456", "description": "x"}, headers={"HX-Request": "true"})
    assert "4 decimal places" in bad.content.decode()
    ok = staff_client.post(url, {"amount": "-0.9271", "description": "Service:abc, 1h × 0.9271 per hour",
                                 "allow_over_limit": "on"}, headers={"HX-Request": "true"})
    assert ok["HX-Refresh"] == "true"
    page = staff_client.get(reverse("backoffice:client-transactions", args=[client.pk])).content.decode()
    assert "No Transaction ID" in page and "-$0.9271" in page and "1h × 0.9271 per hour" in page
    refused = staff_client.post(url, {"amount": "-1", "description": "Fee"}, headers={"HX-Request": "true"})
    assert "Not enough funds" in refused.content.decode()
