"""Settings → E-mail templates: edits are checked at save (syntax with the line, unknown variables),
previewed with a real client, used by the next message, and reset to the shipped default."""

import pytest
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.clients.services import client_welcome_send
from clientpanel.notifications.models import EmailMessage, EmailTemplate
from clientpanel.notifications.rendering import shipped

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:email-template-edit", args=["welcome", "en"])


def _form(**parts):
    base = shipped("welcome", "en")
    return {"subject": base["subject"], "body_text": base["body_text"], "body_html": base["body_html"], **parts}


def test_the_list_offers_every_message_in_every_language(staff_client):
    page = staff_client.get(reverse("backoffice:email-template-list")).content.decode()
    for key in ("welcome", "document_issued", "payment_received"):
        for language in ("en", "pl"):
            assert reverse("backoffice:email-template-edit", args=[key, language]) in page


def test_a_syntax_error_is_refused_with_its_line_and_nothing_is_saved(staff_client):
    response = staff_client.post(URL, _form(body_text="Hello\n{% if user_firstname %}\nno end", save="1"))
    page = response.content.decode()
    assert response.status_code == 200 and "Line 2" in page
    assert not EmailTemplate.objects.exists()


def test_an_unknown_variable_is_a_save_error_not_a_blank_in_an_inbox(staff_client):
    response = staff_client.post(URL, _form(subject="Hi {{ frist_name }}", save="1"))
    assert "Unknown variable: frist_name" in response.content.decode()
    assert not EmailTemplate.objects.exists()


def test_a_saved_edit_is_previewed_used_and_reset(staff_client, make_client):
    client = make_client()
    preview = staff_client.post(URL, _form(subject="Hello {{ client_name }}!", preview="1",
                                           preview_client=client.number)).content.decode()
    assert f"Hello {client.display_name}!" in preview
    assert not EmailTemplate.objects.exists()  # a preview saves nothing

    assert staff_client.post(URL, _form(subject="Hello {{ client_name }}!", save="1")).status_code == 302
    client_welcome_send(actor=None, client_id=client.pk)
    assert EmailMessage.objects.get(client_id=client.pk).subject == f"Hello {client.display_name}!"

    assert staff_client.post(URL, {"reset": "1"}).status_code == 302
    assert not EmailTemplate.objects.exists()


def test_only_settings_staff_edit_templates(client):
    support = staff_create(email="support@example.com", password="correct-horse-battery", roles=["Support"])
    client.force_login(support)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(save="1")).status_code == 403
    assert not EmailTemplate.objects.exists()


def test_an_unknown_message_or_language_is_a_404(staff_client):
    assert staff_client.get(reverse("backoffice:email-template-edit", args=["nope", "en"])).status_code == 404
    assert staff_client.get(reverse("backoffice:email-template-edit", args=["welcome", "xx"])).status_code == 404


def test_a_preview_fills_every_variable_of_its_message(staff_client, make_client):
    client = make_client()
    url = reverse("backoffice:email-template-edit", args=["proforma_reminder", "en"])
    base = shipped("proforma_reminder", "en")
    page = staff_client.post(url, {**base, "preview": "1", "preview_client": client.number}).content.decode()
    assert "is due on" in page and "in 3 days" in page and 'id="email-preview-html"' in page


def test_a_template_reaching_outside_its_message_is_refused_on_the_page(staff_client):
    for source in ('{% include "/etc/passwd" %}', "{{ user_firstname|default:SECRET_KEY }}", '{% url "nope" %}'):
        response = staff_client.post(URL, _form(body_text=source, save="1"))
        assert response.status_code == 200 and ("Line 1" in response.content.decode()
                                                or "Unknown variable: SECRET_KEY" in response.content.decode())
    assert not EmailTemplate.objects.exists()


def test_an_edit_saved_before_a_rule_it_breaks_is_flagged_on_the_list_and_its_page(staff_client):
    """Stored before the template language refused {% lorem %}: the shipped default goes out in its
    place, and staff are told where they look, with the rule it breaks."""
    EmailTemplate.objects.create(key="welcome", language="pl", **_form(body_text="Hi {% lorem 3 w %}"))
    EmailTemplate.objects.create(key="welcome", language="en", **_form(subject="Hello {{ client_name }}"))
    listing = staff_client.get(reverse("backoffice:email-template-list")).content.decode()
    assert listing.count("default sent") == 1
    flagged = listing.index("default sent")
    assert listing.rindex(reverse("backoffice:email-template-edit", args=["welcome", "pl"]), 0, flagged) > \
        listing.rfind(reverse("backoffice:email-template-edit", args=["welcome", "en"]), 0, flagged)

    page = staff_client.get(reverse("backoffice:email-template-edit", args=["welcome", "pl"])).content.decode()
    assert 'id="email-template-refused"' in page and "lorem" in page
    assert 'id="email-template-refused"' not in staff_client.get(URL).content.decode()


def test_a_part_sent_as_multipart_with_bytes_that_are_not_utf8_is_refused_not_stored(staff_client):
    """Django reads a multipart form's fields with replacement characters: "caf\\xe9" (Latin-1) came
    in as "caf\N{REPLACEMENT CHARACTER}" and was saved, then sent to clients."""
    parts = _form(save="1")
    body = b"".join(
        b'--BOUND\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (name.encode(), value)
        for name, value in [*((k, v.encode()) for k, v in parts.items() if k != "body_text"),
                            ("body_text", b"Hello caf\xe9 {{ user_firstname }}")]) + b"--BOUND--\r\n"
    response = staff_client.generic("POST", URL, body, content_type="multipart/form-data; boundary=BOUND")
    assert response.status_code == 200 and "U+FFFD" in response.content.decode()
    assert not EmailTemplate.objects.exists()
