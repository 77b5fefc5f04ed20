"""Issue 14, item 9 ("the rough edges"): each small fix kept by a test that fails if it comes back."""

import ast
import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from clientpanel.accounts.services import staff_create
from clientpanel.audit.labels import AUDIT_ACTIONS
from clientpanel.ui import errors

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


# --- 1. Error pages: styled, inside the panel, with a way back ---------------------------------------

def test_a_404_for_staff_is_shown_inside_the_panel_with_the_dashboard_and_back(staff_client, settings):
    settings.DEBUG = False
    response = staff_client.get("/staff/clients/no-such-page/", headers={"referer": "http://testserver/staff/clients/"})
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and 'id="cp-sidebar"' in body  # the panel's menu stays
    assert 'id="error-home" class="btn btn-primary" href="/staff/"' in body
    assert 'id="error-back" class="btn btn-outline-secondary" href="http://testserver/staff/clients/"' in body
    assert "Technical" not in body and "urlpatterns" not in body.lower()


def test_a_back_link_never_leads_to_another_site(staff_client):
    response = staff_client.get("/staff/nothing/", headers={"referer": "https://evil.example/phish"})
    assert response.status_code == 404 and 'id="error-back"' not in response.content.decode()


def test_a_404_in_the_portal_leads_to_the_portal_home(client):
    response = client.get("/portal/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'id="error-home" class="btn btn-primary" href="/portal/"' in body and "Back to the client area" in body
    assert "Back to the panel" not in body


def test_a_form_sent_over_the_size_limit_says_so(client, settings):
    # A text pasted into a form past DATA_UPLOAD_MAX_MEMORY_SIZE read "could not be understood".
    settings.DEBUG, settings.DATA_UPLOAD_MAX_MEMORY_SIZE = False, 2048
    response = client.post(reverse("portal:login"), {"email": "a@example.com", "password": "x" * 5000})
    body = response.content.decode()
    assert response.status_code == 400 and "The form sent more than 2.0 KB; shorten what you entered" in body
    assert 'href="/portal/"' in body
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_621_440, 1000
    crowded = client.post(reverse("portal:login"), {f"f{n}": "x" for n in range(1001)}).content.decode()
    assert "The form sent more than 1,000 fields; send fewer at a time." in crowded


def test_a_403_for_staff_is_inside_the_panel_with_a_way_back(client):
    reader = staff_create(email="reader@example.com", password=PASSWORD, roles=["Read-only"])
    client.force_login(reader)
    response = client.get("/staff/settings/staff/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in body and 'id="cp-sidebar"' in body
    assert 'id="error-home" class="btn btn-primary" href="/staff/"' in body


def test_the_500_page_is_plain_and_leads_home_without_touching_the_database(django_assert_num_queries):
    request = RequestFactory().get("/portal/services/")
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and "Something went wrong" in body
    assert 'href="/portal/"' in body


def test_the_error_handlers_are_wired():
    from config import urls

    assert urls.handler404 == "clientpanel.ui.errors.page_not_found"
    assert urls.handler403 == "clientpanel.ui.errors.permission_denied"
    assert urls.handler500 == "clientpanel.ui.errors.server_error"


# --- 2. Labels, not raw values -----------------------------------------------------------------------

SOURCE = Path(__file__).resolve().parents[2]


def _recorded_actions() -> set[str]:
    """Every audit action the code records: the literals passed to audit_record (either side of a
    conditional), the rows handed to audit_record_many, the price and two-factor action helpers."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for call in re.finditer(r"audit_record\((.{0,160})", text, re.S):
            found.update(re.findall(r'"([a-z_]+\.[a-z_0-9]+)"', call.group(1).split("target=")[0]))
        found.update(re.findall(r'"action": "([a-z_]+\.[a-z_0-9]+)"', text))
        found.update(re.findall(r'return "(price\.[a-z_]+)"', text))
        for what in re.findall(r'_audit_action\(\w+, "([a-z0-9_]+)"\)', text):
            found.update({f"staff.{what}", f"user.{what}"})
    return found


def test_every_recorded_audit_action_has_a_label():
    actions = _recorded_actions()
    assert {"client_user.link", "client.create", "price.retire", "staff.2fa_on", "group.update"} <= actions
    assert sorted(actions - set(AUDIT_ACTIONS)) == []


def test_the_activity_tab_shows_actions_in_words_and_unknown_ones_as_their_code(staff_client, make_client):
    from clientpanel.audit.services import audit_record

    client = make_client()
    audit_record(action="client.invented_thing", target=client, client_id=client.pk)
    audit_record(action="service.action.reboot", target=client, client_id=client.pk)
    body = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    assert ">Client created<" in body and ">client.invented_thing<" in body and ">Module action: reboot<" in body
    body = staff_client.get(reverse("backoffice:activity-log")).content.decode()
    assert ">Client created<" in body and "<code>client.create</code>" not in body


def test_changed_settings_are_named_in_words_in_the_activity(staff_client, make_client):
    from clientpanel.audit.services import audit_record

    client = make_client()
    audit_record(action="client.update", target=client, client_id=client.pk, changes={"payment_terms_days": [7, 14]})
    body = staff_client.get(reverse("backoffice:client-activity", args=[client.pk])).content.decode()
    assert "Payment terms (days)</strong>" in body


def _user_visible_strings() -> list[str]:
    """The msgids of gettext calls in Python and of translate tags in templates."""
    strings: list[str] = []
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
                    "_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}:
                strings += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    for path in SOURCE.rglob("*.html"):
        text = path.read_text()
        strings += re.findall(r"{% translate \"([^\"]*)\"", text)
        strings += re.findall(r"{% blocktranslate[^%]*%}(.*?){% endblocktranslate %}", text, re.S)
    return strings


def test_no_user_visible_message_cites_the_specification():
    strings = _user_visible_strings()
    assert len(strings) > 1000
    assert [s for s in strings if "SPEC" in s or "§" in s] == []


IMPORT_ID = "5f0c0f3e-0000-4000-8000-000000000001"


def test_a_count_agrees_with_its_noun():
    from django.template.loader import render_to_string

    one = render_to_string("backoffice/tasks/result_clients_import.html",
                           {"result": {"mode": "check", "counts": {"rows": 1, "rejected": 0}, "import_id": IMPORT_ID}})
    two = render_to_string("backoffice/tasks/result_clients_import.html",
                           {"result": {"mode": "check", "counts": {"rows": 2, "rejected": 1}, "import_id": IMPORT_ID}})
    assert "1 row checked, 0 rejected." in one and "2 rows checked, 1 rejected." in two


# --- 4. Breadcrumbs name the client, never its UUID ---------------------------------------------------

@pytest.mark.parametrize("tab", ["client-summary", "client-profile", "client-services", "client-activity"])
def test_the_client_record_names_the_client_by_number_and_name(staff_client, make_client, tab):
    client = make_client(company_name="Acme Ltd")
    body = staff_client.get(reverse(f"backoffice:{tab}", args=[client.pk])).content.decode()
    crumbs = body.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert f"{client.number} · Acme Ltd" in crumbs and str(client.pk) not in crumbs.replace(f"/{client.pk}/", "")
    assert f'id="client-number">{client.number}<' in body


def test_no_breadcrumb_shows_a_uuid(staff_client, make_client):
    client = make_client()
    for page in [reverse("backoffice:staff-edit", args=[staff_client.session["_auth_user_id"]]),
                 reverse("backoffice:user-detail", args=[client.owner_id])]:
        body = staff_client.get(page).content.decode()
        crumbs = body.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
        assert not re.search(r">[^<]*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}[^<]*<", crumbs), page


# --- 6. An empty Create Address is refused with field errors ------------------------------------------

def test_an_empty_create_address_is_refused_with_field_errors(staff_client, make_client):
    client = make_client()
    htmx = {"HX-Request": "true"}
    response = staff_client.post(reverse("backoffice:address-create", args=[client.pk]), {
        "type": "SHIPPING", "name": "", "address1": "", "city": "", "country": "PL", "region": ""}, headers=htmx)
    body = response.content.decode()
    assert "HX-Refresh" not in response
    assert "Enter the street and number." in body and "Enter the city." in body
    assert client.addresses.count() == 1


# --- 3. The tax rule form: one message per problem, fields in a grid ----------------------------------

def _rule_form_post(staff_client, **overrides):
    from clientpanel.tax.selectors import default_home_company

    company = default_home_company()
    data = {"country": "PL", "region": "", "applies_private": "on", "applies_company": "on",
            "applies_company_tax_id": "on", "tax1_name": "VAT", "tax1_rate": "23", "tax2_name": "", "tax2_rate": "",
            "tax3_name": "", "tax3_rate": "", "priority": "0", **overrides}
    return staff_client.post(reverse("backoffice:tax-rule-create", args=[company.pk]), data)


def test_a_rate_with_four_decimals_is_one_message_not_two(staff_client):
    body = _rule_form_post(staff_client, tax1_rate="23.1234").content.decode()
    assert body.count("At most 3 decimal places.") == 1
    assert "needs both a name and a rate" not in body


def test_the_tax_rule_form_lays_out_where_who_and_each_tax_on_its_own_row(staff_client):
    from clientpanel.tax.selectors import default_home_company

    body = staff_client.get(reverse("backoffice:tax-rule-create", args=[default_home_company().pk])).content.decode()
    form = body.split('id="tax-rule-form"')[1]
    rows = re.findall(r'<div class="row[^"]*"[^>]*>(.*?)</div><!-- row -->', form, re.S)
    names = [re.findall(r'name="([a-z0-9_]+)"', row) for row in rows]
    assert names == [["country", "region"], ["applies_private", "applies_company", "applies_company_tax_id"],
                     ["tax1_name", "tax1_rate"], ["tax2_name", "tax2_rate"], ["tax3_name", "tax3_rate"], ["priority"]]
    assert 'class="form-check-input"' in form


# --- 7. Suspend asks first, like Terminate ------------------------------------------------------------

def test_suspend_and_terminate_ask_for_confirmation_before_they_post():
    template = (SOURCE / "backoffice/templates/backoffice/services/detail.html").read_text()
    forms = re.findall(r"<form [^>]*'(suspend|terminate|unsuspend|activate)' %}\"([^>]*)>", template)
    confirms = {action: "data-confirm=" in rest for action, rest in forms}
    assert confirms["suspend"] and confirms["terminate"]


# --- 10. A favicon of our own on every page ----------------------------------------------------------

@pytest.mark.parametrize("url", ["/staff/login/", "/portal/login/", "/staff/no-such-page/"])
def test_every_base_template_links_our_own_favicon(client, url):
    body = client.get(url).content.decode()
    assert '<link rel="icon" href="/static/backoffice/favicon.svg" type="image/svg+xml">' in body
