"""Settings → E-mail templates against a staff member with Settings: the preview shows a template's
HTML as it is, in the staff panel, where htmx acts on hx-* attributes with the viewer's session and
CSRF token — a template saved by one staff member would act as whoever previews it (a superuser
previewing it created a group here, in a browser, before the check). An e-mail needs no such
markup: it is refused at save and in the preview, whoever wrote it and however it was built."""

import pytest
from django.urls import reverse

from clientpanel.clients.models import ClientGroup
from clientpanel.notifications.models import EmailTemplate
from clientpanel.notifications.rendering import shipped

pytestmark = pytest.mark.django_db
URL = reverse("backoffice:email-template-edit", args=["welcome", "en"])
ACTS_AS_THE_VIEWER = [
    '<div hx-post="/staff/settings/groups/new/" hx-vals=\'{"name": "by preview"}\' hx-trigger="load"></div>',
    '<p data-hx-post="/staff/settings/groups/new/" data-hx-trigger="load">Hi</p>',
    '<p HX-GET="/staff/" hx-trigger="load">Hi</p>',
    '<p hx-on::load="1">Hi</p>',
    '<meta name="htmx-config" content=\'{"selfRequestsOnly": false}\'>',
    '<meta http-equiv="refresh" content="0; url=https://phish.example/">',
    '<script src="/static/django_htmx/htmx-2.min.js"></script>',
    '<iframe src="/staff/settings/staff/"></iframe>',
    '<form method="post" action="/staff/settings/groups/new/"><button>Go</button></form>',
]


def _form(**parts):
    base = shipped("welcome", "en")
    return {"subject": base["subject"], "body_text": base["body_text"], "body_html": base["body_html"], **parts}


@pytest.mark.parametrize("markup", ACTS_AS_THE_VIEWER)
def test_markup_that_would_act_in_the_panel_is_neither_saved_nor_previewed(staff_client, make_client, markup):
    client = make_client()
    for action in ({"save": "1"}, {"preview": "1", "preview_client": client.number}):
        response = staff_client.post(URL, _form(body_html=f"<p>Hello</p>{markup}", **action))
        page = response.content.decode()
        assert response.status_code == 200 and "HTML cannot carry" in page, action
        assert 'id="email-preview-html"' not in page
    assert not EmailTemplate.objects.exists()


def test_a_template_cannot_build_the_markup_from_its_tags_for_the_preview(staff_client, make_client):
    client = make_client()
    built = '<div h{% if client_name %}x{% endif %}-post="/staff/settings/groups/new/" hx-trigger="load"></div>'
    built = built.replace(" hx-trigger", " h{% if client_name %}x{% endif %}-trigger")
    preview = staff_client.post(URL, _form(body_html=built, preview="1", preview_client=client.number))
    page = preview.content.decode()
    assert "HTML cannot carry" in page and 'id="email-preview-html"' not in page
    assert not ClientGroup.objects.exists()


def test_ordinary_e_mail_html_is_saved_and_previewed(staff_client, make_client):
    client = make_client()
    html = ('<p style="color: #333">Hello {{ user_firstname }}, <a href="{{ login_url }}">log in</a>.</p>'
            '<p>The hx-series of our servers and a <strong>form</strong> to fill in.</p>')
    preview = staff_client.post(URL, _form(body_html=html, preview="1", preview_client=client.number))
    assert 'id="email-preview-html"' in preview.content.decode()
    assert staff_client.post(URL, _form(body_html=html, save="1")).status_code == 302
    assert EmailTemplate.objects.get().body_html == html
