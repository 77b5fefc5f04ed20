"""Issue 13, bulk actions in the client directory: rows ticked (or every client the search and filters
find, read again on the server) → an action → its confirmation → a background task → its result.
Each client is changed by the single-client service in its own transaction, audited with the staff
member who clicked; one client refusing does not stop the others; a limited staff member touches
nothing outside its scope, whatever ids it posts."""

import csv
import io
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.models import AuditEvent
from clientpanel.automation.models import BackgroundTask, BackgroundTaskStatus
from clientpanel.clients.models import Client, ClientGroup, StaffAssignment
from clientpanel.clients.selectors import BULK_LIMIT, client_selection
from clientpanel.clients.services import client_user_link
from clientpanel.core.csv_export import BOM
from clientpanel.core.errors import ValidationFailed
from clientpanel.notifications.models import EmailMessage
from clientpanel.notifications.services import client_user_muted_emails_set

pytestmark = pytest.mark.django_db

BULK = reverse("backoffice:client-bulk")
RUN = reverse("backoffice:client-bulk-run")


def _ids(*clients) -> list[str]:
    return [str(client.pk) for client in clients]


def _run(http, captured, data: dict):
    """Confirm and run: the task is queued after the commit and runs (Huey is immediate in tests);
    answers the task page the browser is sent to."""
    with captured(execute=True):
        response = http.post(RUN, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    task = BackgroundTask.objects.filter(requested_by=response.wsgi_request.user).first()  # the latest
    assert response["Location"] == reverse("backoffice:background-task", args=[task.pk])
    return task, http.get(response["Location"])


def test_change_status_of_ticked_rows_end_to_end(staff_client, staff, make_client,
                                                 django_capture_on_commit_callbacks):
    first, second, untouched = (make_client(company_name=name) for name in ("Alpha Ltd", "Beta Ltd", "Gamma Ltd"))
    directory = staff_client.get(reverse("backoffice:client-list")).content.decode()
    assert 'id="bulk-form"' in directory and f'value="{first.pk}" form="bulk-form"' in directory

    confirm = staff_client.post(BULK, {"action": "status", "ids": _ids(first, second)})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "2 clients are selected." in page and "Alpha Ltd" in page and "Gamma Ltd" not in page
    assert "Run for 2 clients" in page

    task, result = _run(staff_client, django_capture_on_commit_callbacks, {
        "action": "status", "ids": _ids(first, second), "set-status": "ACTIVE"})
    assert result.status_code == 200
    page = result.content.decode()
    assert "Status set to <strong>Active</strong>" in page and "Back to the clients" in page
    assert {c.company_name: c.status for c in Client.objects.all()} == {
        "Alpha Ltd": "ACTIVE", "Beta Ltd": "ACTIVE", "Gamma Ltd": "NEW"}
    assert untouched.status == "NEW"
    audits = AuditEvent.objects.filter(action="client.update")
    assert sorted(str(a.client_id) for a in audits) == sorted(_ids(first, second))
    assert {(a.actor_kind, a.actor_id, a.actor_label) for a in audits} == {("staff", staff.pk, staff.email)}
    assert all(a.changes == {"status": ["NEW", "ACTIVE"]} for a in audits)
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.SUCCEEDED
    assert task.result["counts"] == {"selected": 2, "changed": 2, "failed": 0}


def test_assign_group_to_all_clients_matching_the_filter_read_again_on_the_server(
        staff_client, make_client, django_capture_on_commit_callbacks):
    group = ClientGroup.objects.create(name="VIP")
    for n in range(3):
        make_client(company_name=f"Zenith {n}")
    other = make_client(company_name="Other Ltd")
    # The ids sent beside "all matching" are ignored: the search decides.
    selection = {"action": "group", "all_matching": "1", "q": "zenith", "ids": _ids(other)}
    confirm = staff_client.post(BULK, selection)
    assert confirm.status_code == 200
    assert "3 clients match the search and filters." in confirm.content.decode()
    # A client created between the confirmation and Run matches too: the filter is run again.
    make_client(company_name="Zenith Late")
    task, result = _run(staff_client, django_capture_on_commit_callbacks, selection | {"set-group": str(group.pk)})
    task.refresh_from_db()
    assert task.result["counts"]["selected"] == 4 and task.result["counts"]["changed"] == 4
    assert set(Client.objects.filter(group=group).values_list("company_name", flat=True)) == {
        "Zenith 0", "Zenith 1", "Zenith 2", "Zenith Late"}
    assert Client.objects.get(pk=other.pk).group is None
    assert "Group set to <strong>VIP</strong>" in result.content.decode()

    # "No group" takes them out again.
    task, result = _run(staff_client, django_capture_on_commit_callbacks, selection | {"set-group": "none"})
    assert not Client.objects.filter(group=group).exists()
    assert "Taken out of their group." in result.content.decode()


def test_export_of_ticked_rows_is_a_csv_of_those_and_all_matching_is_the_directory_export(staff_client, make_client):
    first, _second, third = (make_client(company_name=name) for name in ("Alpha Ltd", "Beta Ltd", "Gamma Ltd"))
    response = staff_client.post(BULK, {"action": "export", "ids": _ids(first, third), "sort": "display_name"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(response.streaming_content)
    assert data.startswith(BOM)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [row["Company"] for row in rows] == ["Alpha Ltd", "Gamma Ltd"]

    everything = staff_client.post(BULK, {"action": "export", "all_matching": "1", "q": "ltd", "status": "NEW"})
    assert everything.status_code == 302
    assert everything["Location"] == reverse("backoffice:client-list-export") + "?q=ltd&status=NEW"


def test_an_export_of_ticked_rows_reads_each_client_with_one_query_whatever_their_number(staff_client, make_client):
    made = [make_client(company_name=f"Firm {n}") for n in range(6)]

    def queries(clients) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.post(BULK, {"action": "export", "ids": _ids(*clients)})
            b"".join(response.streaming_content)
        return len(captured.captured_queries)

    queries(made[:1])  # the first request also fills the process's caches (content types, settings)
    assert queries(made[:2]) == queries(made)


def test_a_limited_staff_member_posting_ids_outside_its_scope_changes_nothing_of_them(
        client, make_client, django_capture_on_commit_callbacks):
    mine, theirs = make_client(company_name="Mine Ltd"), make_client(company_name="Theirs Ltd")
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Support"],
                           limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=mine)
    client.force_login(limited)

    only_theirs = client.post(BULK, {"action": "status", "ids": _ids(theirs)})
    assert only_theirs.status_code == 302  # back to the directory: nothing it may see is selected
    assert "Theirs Ltd" not in client.get(only_theirs["Location"]).content.decode()

    confirm = client.post(BULK, {"action": "status", "ids": _ids(mine, theirs)})
    page = confirm.content.decode()
    assert "1 client is selected." in page and "Theirs Ltd" not in page and "not found" in page
    _run(client, django_capture_on_commit_callbacks,
         {"action": "status", "ids": _ids(mine, theirs), "set-status": "CLOSED"})
    assert Client.objects.get(pk=mine.pk).status == "CLOSED"
    assert Client.objects.get(pk=theirs.pk).status == "NEW"
    # "All matching" is the directory of its own clients only.
    _run(client, django_capture_on_commit_callbacks, {"action": "status", "all_matching": "1", "set-status": "FRAUD"})
    assert Client.objects.get(pk=theirs.pk).status == "NEW"
    assert not AuditEvent.objects.filter(client_id=theirs.pk, action="client.update").exists()


def test_one_client_refusing_does_not_stop_the_others_and_is_listed_with_its_reason(
        client, make_client, django_capture_on_commit_callbacks):
    """The limited staff member loses one client between its click and the run: that client is
    not found (its own transaction), the others are changed, the result names the failure."""
    first, lost, last = (make_client(company_name=name) for name in ("First Ltd", "Lost Ltd", "Last Ltd"))
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", roles=["Support"],
                           limited_to_assigned_clients=True)
    for assigned in (first, lost, last):
        StaffAssignment.objects.create(staff=limited, client=assigned)
    client.force_login(limited)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(RUN, {"action": "status", "ids": _ids(first, lost, last), "set-status": "INACTIVE"})
    assert response.status_code == 302
    StaffAssignment.objects.filter(staff=limited, client=lost).delete()
    for callback in queued:
        callback()
    task = BackgroundTask.objects.get()
    assert task.status == BackgroundTaskStatus.SUCCEEDED
    assert task.result["counts"] == {"selected": 3, "changed": 2, "failed": 1}
    assert task.result["failures"] == [{"client_id": str(lost.pk), "number": "", "name": "",
                                        "reason": "Client not found."}]
    assert [c.status for c in Client.objects.order_by("company_name")] == ["INACTIVE", "INACTIVE", "NEW"]
    page = client.get(response["Location"]).content.decode()
    assert "Not done, and why" in page and str(lost.pk) in page and "Lost Ltd" not in page


def test_a_refusal_by_the_service_is_the_reason_and_the_client_keeps_its_state(
        staff_client, make_client, monkeypatch, django_capture_on_commit_callbacks):
    from clientpanel.clients.services import bulk

    first, refused, last = (make_client(company_name=name) for name in ("First Ltd", "Refused Ltd", "Last Ltd"))
    real_update = bulk.client_update

    def update(*, actor, client_id, data):
        if str(client_id) == str(refused.pk):
            raise ValidationFailed("Refused.", fields={"status": ["This client cannot be closed now."]})
        return real_update(actor=actor, client_id=client_id, data=data)

    monkeypatch.setattr(bulk, "client_update", update)
    task, result = _run(staff_client, django_capture_on_commit_callbacks,
                        {"action": "status", "ids": _ids(first, refused, last), "set-status": "CLOSED"})
    task.refresh_from_db()
    assert task.result["counts"]["changed"] == 2 and task.result["counts"]["failed"] == 1
    page = result.content.decode()
    assert "This client cannot be closed now." in page
    assert reverse("backoffice:client-summary", args=[refused.pk]) in page
    assert Client.objects.get(pk=refused.pk).status == "NEW"


def test_staff_without_the_area_are_refused_and_read_only_staff_may_only_export(client, make_client):
    target = make_client()
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    client.force_login(reader)
    page = client.get(reverse("backoffice:client-list")).content.decode()
    assert 'value="export"' in page and 'value="status"' not in page
    for action in ("status", "group", "email"):
        assert client.post(BULK, {"action": action, "ids": _ids(target)}).status_code == 403
        assert client.post(RUN, {"action": action, "ids": _ids(target), "set-status": "ACTIVE"}).status_code == 403
    assert client.post(BULK, {"action": "export", "ids": _ids(target)}).status_code == 200
    nobody = staff_create(email="nobody@example.com", password="correct-horse-battery", roles=[])
    client.force_login(nobody)
    assert client.post(BULK, {"action": "export", "ids": _ids(target)}).status_code == 403
    assert not BackgroundTask.objects.exists()


def test_a_staff_member_who_lost_the_area_before_the_run_changes_nothing(
        client, make_client, django_capture_on_commit_callbacks):
    target = make_client()
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(RUN, {"action": "status", "ids": _ids(target), "set-status": "ACTIVE"})
    support.groups.set([Group.objects.get(name="Read-only")])
    for callback in queued:
        callback()
    task = BackgroundTask.objects.get()
    assert task.status == BackgroundTaskStatus.FAILED and "not allowed to edit clients" in task.error
    assert Client.objects.get(pk=target.pk).status == "NEW"


def test_a_post_without_the_csrf_token_is_refused(staff, make_client):
    target = make_client()
    browser = Browser(enforce_csrf_checks=True)
    browser.force_login(staff)
    assert browser.post(BULK, {"action": "status", "ids": _ids(target)}).status_code == 403
    assert browser.post(RUN, {"action": "status", "ids": _ids(target), "set-status": "ACTIVE"}).status_code == 403
    assert not BackgroundTask.objects.exists()


@pytest.mark.parametrize("data, message", [
    ({"action": "delete", "ids": ["x"]}, "Choose one of the bulk actions."),
    ({"ids": ["x"]}, "Choose one of the bulk actions."),
    ({"action": "status"}, "No clients are selected."),
    ({"action": "status", "ids": ["not-an-id"]}, "is not a client id"),
    ({"action": "status", "ids": [str(uuid.uuid4())]}, "None of the selected clients was found."),
    ({"action": "status", "all_matching": "1", "status": "NOPE"}, "Use one of"),
    ({"action": "status", "all_matching": "1", "group": "abc"}, "Use a group id."),
    ({"action": "status", "all_matching": "1", "q": "bad\x00"}, "NUL byte"),
])
def test_bad_selections_go_back_to_the_directory_with_the_reason(staff_client, make_client, data, message):
    make_client()
    for url in (BULK, RUN):
        response = staff_client.post(url, data | {"set-status": "ACTIVE"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("backoffice:client-list"))
        page = staff_client.get(response["Location"])
        assert message in page.content.decode(), (url, data)
    assert not BackgroundTask.objects.exists()


@pytest.mark.parametrize("action, values, message", [
    ("status", {"set-status": "DELETED"}, "Select a valid choice."),
    ("status", {}, "This field is required."),
    ("status", {"set-status": ""}, "This field is required."),
    ("group", {"set-group": "999999"}, "Select a valid choice."),
    ("group", {"set-group": "abc"}, "Select a valid choice."),
    ("email", {"set-template": "password_reset"}, "Select a valid choice."),
    ("email", {"set-template": "staff_message", "set-subject": "", "set-text": "Hi"}, "Write a subject."),
    ("email", {"set-template": "staff_message", "set-subject": "Hi", "set-text": " "}, "Write the message."),
    ("email", {"set-template": "staff_message", "set-subject": "Two\nlines", "set-text": "Hi"}, "Must be one line"),
    ("email", {"set-template": "staff_message", "set-subject": "Hi", "set-text": "x" * 10_001}, "at most 10000"),
])
def test_bad_action_values_stay_on_the_confirmation_with_the_field_error(staff_client, make_client, action, values,
                                                                          message):
    target = make_client()
    response = staff_client.post(RUN, {"action": action, "ids": _ids(target), **values})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BackgroundTask.objects.exists() and Client.objects.get(pk=target.pk).status == "NEW"


def test_a_group_removed_before_the_run_fails_the_task_and_changes_nothing(
        staff_client, make_client, django_capture_on_commit_callbacks):
    target = make_client()
    group = ClientGroup.objects.create(name="Short-lived")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        staff_client.post(RUN, {"action": "group", "ids": _ids(target), "set-group": str(group.pk)})
    group.delete()
    for callback in queued:
        callback()
    task = BackgroundTask.objects.get()
    assert task.status == BackgroundTaskStatus.FAILED and "There is no group" in task.error
    assert not AuditEvent.objects.filter(action="client.update").exists()


def test_the_selection_is_bounded(staff, make_client, monkeypatch):
    from clientpanel.clients.selectors import selection

    for _ in range(4):
        make_client()
    monkeypatch.setattr(selection, "BULK_LIMIT", 3)
    with pytest.raises(ValidationFailed, match="at most 3"):
        client_selection(actor=staff, all_matching=True)
    with pytest.raises(ValidationFailed, match="4 clients are selected; a bulk action takes at most 3"):
        client_selection(actor=staff, client_ids=[str(uuid.uuid4()) for _ in range(4)])
    assert BULK_LIMIT == 10_000


def test_send_a_message_from_staff_queues_one_e_mail_per_recipient_and_records_it_per_client(
        staff_client, staff, make_client, django_capture_on_commit_callbacks):
    polish = make_client(company_name="Polska Sp. z o.o.", language="pl", currency="PLN")
    english = make_client(company_name="English Ltd")
    helper = client_user_link(actor=None, client_id=english.pk, data={
        "email": "helper@example.com", "firstname": "Hel", "lastname": "Per", "permissions": []}).user
    muted = client_user_link(actor=None, client_id=english.pk, data={
        "email": "muted@example.com", "firstname": "Mu", "lastname": "Ted", "permissions": []}).user
    client_user_muted_emails_set(actor=None, client_id=english.pk, user_id=muted.pk, keys=["staff_message"])
    confirm = staff_client.post(BULK, {"action": "email", "ids": _ids(polish, english)})
    assert confirm.status_code == 200 and "A message you write" in confirm.content.decode()

    task, result = _run(staff_client, django_capture_on_commit_callbacks, {
        "action": "email", "ids": _ids(polish, english), "set-template": "staff_message", "set-recipients": "users",
        "set-subject": "Planned maintenance", "set-text": "Sunday 02:00–03:00.\n<b>Thanks</b>"})
    task.refresh_from_db()
    assert task.result["counts"] == {"selected": 2, "sent": 2, "messages": 3, "failed": 0}
    messages = EmailMessage.objects.filter(template="staff_message").order_by("recipient")
    assert [m.recipient for m in messages] == sorted([polish.owner.email, english.owner.email, helper.email])
    by_recipient = {m.recipient: m for m in messages}
    assert by_recipient[polish.owner.email].language == "pl"
    assert by_recipient[polish.owner.email].body_text.startswith("Dzień dobry")
    assert by_recipient[helper.email].subject == "Planned maintenance"
    assert "Sunday 02:00–03:00.\n<b>Thanks</b>" in by_recipient[helper.email].body_text
    assert "Sunday 02:00–03:00.<br>&lt;b&gt;Thanks&lt;/b&gt;" in by_recipient[helper.email].body_html
    audits = AuditEvent.objects.filter(action="client.staff_message")
    assert {str(a.client_id) for a in audits} == set(_ids(polish, english))
    assert all(a.actor_id == staff.pk for a in audits)
    assert AuditEvent.objects.get(action="client.staff_message", client_id=english.pk).changes["recipients"] == [
        None, sorted([english.owner.email, helper.email])]
    assert "“Planned maintenance” to every user of each client." in result.content.decode()


def test_send_the_welcome_again_to_each_owner(staff_client, make_client, django_capture_on_commit_callbacks):
    first, second = make_client(), make_client()
    client_user_link(actor=None, client_id=first.pk, data={
        "email": "helper@example.com", "firstname": "Hel", "lastname": "Per", "permissions": []})
    task, result = _run(staff_client, django_capture_on_commit_callbacks,
                        {"action": "email", "ids": _ids(first, second), "set-template": "welcome"})
    task.refresh_from_db()
    assert task.status == BackgroundTaskStatus.SUCCEEDED
    assert sorted(EmailMessage.objects.filter(template="welcome").values_list("recipient", flat=True)) == sorted(
        [first.owner.email, second.owner.email])
    assert AuditEvent.objects.filter(action="client.welcome_email").count() == 2
    assert "The welcome e-mail to each owner." in result.content.decode()


def test_bulk_e_mail_is_sent_through_smtp(staff_client, make_client, smtp_server,
                                          django_capture_on_commit_callbacks):
    target = make_client()
    _run(staff_client, django_capture_on_commit_callbacks, {
        "action": "email", "ids": _ids(target), "set-template": "staff_message", "set-recipients": "owner",
        "set-subject": "Hello from staff", "set-text": "A short note."})
    (message,) = smtp_server.messages
    assert message["To"] == target.owner.email and message["Subject"] == "Hello from staff"
    assert "A short note." in message.get_body(("plain",)).get_content()


def test_the_directory_takes_no_more_queries_with_the_selection_column(staff_client, make_client,
                                                                       django_assert_max_num_queries):
    for n in range(30):
        make_client(company_name=f"Row {n}")
    staff_client.get(reverse("backoffice:client-list"))
    with django_assert_max_num_queries(12) as few:
        staff_client.get(reverse("backoffice:client-list"), {"page_size": 10})
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(reverse("backoffice:client-list"), {"page_size": 100})


def test_the_confirmation_page_starts_its_task_once_however_often_it_is_sent(
        staff_client, make_client, django_capture_on_commit_callbacks):
    target = make_client(company_name="Twice Ltd")
    page = staff_client.post(BULK, {"action": "status", "ids": _ids(target)}).content.decode()
    token = page.split('name="run_token" value="', 1)[1].split('"', 1)[0]
    data = {"action": "status", "ids": _ids(target), "set-status": "ACTIVE", "run_token": token}
    first, _result = _run(staff_client, django_capture_on_commit_callbacks, data)
    again = staff_client.post(RUN, data)
    assert again.status_code == 302 and again["Location"] == reverse("backoffice:background-task", args=[first.pk])
    assert BackgroundTask.objects.count() == 1
    assert AuditEvent.objects.filter(action="client.update").count() == 1


@pytest.mark.parametrize("token", ["\x00", "ab\x00cd", "tab\there", "x" * 500])
def test_a_confirmation_token_with_control_characters_is_never_a_500(staff_client, make_client, token, settings):
    # The token becomes a cache key: PostgreSQL refused its NUL in the database cache's table.
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    target = make_client(company_name="Token Ltd")
    data = {"action": "status", "ids": _ids(target), "set-status": "ACTIVE", "run_token": token}
    response = staff_client.post(RUN, data)
    assert response.status_code in (302, 400), response.status_code
