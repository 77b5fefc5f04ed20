"""The bad-input sweep (non-negotiable of the product: never a 500, never a half-write).

Every POST form of the staff panel that a crawl from /staff/ reaches is sent, one kind of bad
value at a time, NUL bytes, control characters, 10,000-character strings, whitespace-only and
invisible names, odd e-mails, numbers out of every range, impossible dates and unknown choices.
Each answer must be a refusal or a success — never a 5xx — and a refusal must leave every table's
row count as it was. Each request runs in a savepoint rolled back after it, so that a delete or
an erasure the sweep happens to send does not take the objects the next form needs.

Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL (which refuses NUL in text and
overflowing integers where SQLite takes them).
"""

from __future__ import annotations

import io
import os
import re
from collections import deque

import pytest
from django.contrib import messages
from django.db import transaction
from django.urls import reverse

from clientpanel.accounts import sudo
from clientpanel.accounts.services import staff_create
from clientpanel.catalog.services import price_save, product_save
from clientpanel.client_services.services import service_order
from clientpanel.clients.imports import client_import_upload
from clientpanel.clients.services import address_create, client_user_link, group_save
from clientpanel.invoicing.models import Document, DocumentType
from clientpanel.invoicing.services import proforma_add_funds, proforma_pay
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import tax_rule_save
from clientpanel.webhooks.services import endpoint_create
from tests.integration import bad_input_probe as probe

pytestmark = pytest.mark.django_db

MAX_PAGES = int(os.environ.get("SWEEP_MAX_PAGES", "400"))
# Forms whose every post ends the session or the test's staff member.
SKIPPED_ROUTES = {"backoffice:logout", "backoffice:login", "backoffice:login-verify"}


class _Rollback(Exception):
    pass


@pytest.fixture
def world(make_client, staff, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    client = make_client(currency="PLN", credit_limit="1000")
    address_create(actor=None, client_id=client.pk, data={"type": "SHIPPING", "country": "PL", "city": "Kraków",
                                                          "address1": "Rynek 1"})
    client_user_link(actor=None, client_id=client.pk, data={
        "email": "second@example.com", "firstname": "Second", "lastname": "User", "permissions": []})
    product = product_save(actor=None, data={"key": "vps", "name": "VPS"})
    price = price_save(actor=None, product_id=product.pk, data={"currency": "PLN", "period": "MONTHLY",
                                                                "amount": "10.00"})
    service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
    group_save(actor=None, data={"name": "Resellers"})
    unpaid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="100.00")
    paid = proforma_add_funds(actor=None, client_id=client.pk, net_amount="50.00")
    proforma_pay(actor=None, document_id=paid.pk, amount=str(paid.total), transaction_id="sweep-1")
    endpoint_create(actor=None, data={"url": "http://127.0.0.1:9/hook"})
    company = default_home_company()
    rule = tax_rule_save(actor=None, company_id=company.pk,
                         data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    other = staff_create(email="other@example.com", password="correct-horse-battery", firstname="Olga",
                         lastname="Other", roles=["Administrator"])
    invoice = Document.objects.get(client=client, type=DocumentType.INVOICE)
    imported = client_import_upload(actor=None, file=io.BytesIO(
        b"email,firstname,lastname,country,city,address1\r\nnew@example.com,Ann,Lee,PL,Warszawa,Rynek 1\r\n"),
        name="clients.csv")
    # Pages the crawl reaches only through script or not at all from the seeded objects.
    return client, [reverse("backoffice:document-pay", args=[unpaid.pk]),
            reverse("backoffice:document-cancel", args=[unpaid.pk]),
            reverse("backoffice:document-credit-note", args=[invoice.pk]),
            reverse("backoffice:document-detail", args=[invoice.pk]),
            reverse("backoffice:tax-rule-edit", args=[company.pk, rule.pk]),
            reverse("backoffice:staff-password-reset", args=[other.pk]),
            reverse("backoffice:proforma-create", args=[client.pk]),
            reverse("backoffice:client-import-map", args=[imported.pk])]


def crawl(browser, seeds: list[str]) -> list[probe.Form]:
    seen_routes: set[str] = set()
    seen_forms: set[tuple] = set()
    forms: list[probe.Form] = []
    queue = deque(["/staff/", *seeds])
    visited: set[str] = set()
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        try:
            route = probe.resolve(url).view_name
        except probe.Resolver404:
            continue
        if route in seen_routes and route not in ("backoffice:client-detail",):
            continue
        seen_routes.add(route)
        response = browser.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for form in probe.forms_of(html, url):
            key = (form.route, tuple(sorted(form.fields)))
            if form.route in SKIPPED_ROUTES or key in seen_forms:
                continue
            seen_forms.add(key)
            forms.append(form)
        queue.extend(link for link in probe.links_of(html) if link not in visited)
    return forms


def variants(form: probe.Form):
    base = {}
    for n, (name, values) in enumerate(form.fields.items()):
        kind = form.kinds.get(name, "text")
        if kind in ("text", "number", "date") and not any(values):
            values = [probe.plausible(name, kind, n)]
        base[name] = values
    text = [n for n, k in form.kinds.items() if k == "text" and n in base]
    for button, value in form.buttons:  # each other action of the form, with its text fields bad
        for label, bad in probe.values(probe.TEXT_VALUES, 2):
            yield f"{button}={value} text={label}", {**base, **{n: [bad] for n in text}, button: [value]}
    for label, value in probe.values(probe.TEXT_VALUES, 5):
        if text:
            yield f"text={label}", {**base, **{n: [value] for n in text}}
    for name, kind in form.kinds.items():
        if kind == "number":
            for value in probe.values(probe.NUMBER_VALUES, 3):
                yield f"{name}={value}", {**base, name: [value]}
        elif kind == "date":
            for value in probe.values(probe.DATE_VALUES, 3):
                yield f"{name}={value}", {**base, name: [value]}
        elif kind in ("choice", "hidden", "checkbox"):
            for value in probe.values(probe.CHOICE_VALUES, 2):
                yield f"{name}={value!r}", {**base, name: [value]}
        elif kind == "text":
            yield f"{name}=list", {**base, name: ["a", "b"]}


def send(browser, form: probe.Form, label: str, data: dict, found: list[probe.Form]) -> probe.Finding | None:
    try:
        with transaction.atomic():
            before = probe.row_counts()
            try:
                response = browser.post(form.action, data)
            except Exception as error:  # the test client re-raises what the view raised: a 500
                transaction.set_rollback(True)
                return probe.Finding(form.action, label, 500, f"{type(error).__name__}: {error}")
            after = probe.row_counts()
            raise _Rollback((response, before, after))
    except _Rollback as done:
        response, before, after = done.args[0]
    if response.status_code >= 500:
        return probe.Finding(form.action, label, response.status_code, response.content.decode()[:300])
    body = response.content.decode(errors="replace") if response.status_code == 200 else ""
    if body and "<form" in body:  # a step that answers with the next step's form (bulk confirmation)
        found.extend(probe.forms_of(body, form.action))
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    refused = (response.status_code >= 400 or "alert-danger" in body or "is-invalid" in body
               or any(message.level >= messages.ERROR for message in queued))
    changed = probe.changed_tables(before, after)
    if refused and changed:
        return probe.Finding(form.action, label, response.status_code, f"half-write: {changed}")
    return None


def test_every_staff_form_refuses_bad_input_without_a_500_or_a_half_write(staff_client, staff, world, settings):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    session = staff_client.session
    sudo.sudo_grant(session, user=staff)
    session.save()
    client, seeds = world
    forms = crawl(staff_client, seeds)
    # A form that only a POST's answer shows: the bulk action's confirmation.
    forms.append(probe.Form(action=reverse("backoffice:client-bulk-run"), fields={
        "action": ["status"], "ids": [str(client.pk)], "set-status": ["ACTIVE"], "run_token": ["t"]},
        kinds={"action": "choice", "ids": "choice", "set-status": "choice", "run_token": "hidden"}))
    assert len(forms) > 40, [f.route for f in forms]
    findings, sent, known = [], 0, {form.route for form in forms}
    for form in forms:  # grows by the forms that answers to a form show (a wizard's next step)
        found: list[probe.Form] = []
        for label, data in variants(form):
            sent += 1
            finding = send(staff_client, form, label, data, found)
            if finding:
                findings.append(f"{form.route}: {finding}")
        for step in found:
            if step.route not in known and step.route not in SKIPPED_ROUTES:
                known.add(step.route)
                forms.append(step)
    assert sent > 300
    assert not findings, "\n".join(findings)


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


BAD_PATH_VALUES = {"int": ["0", str(2**31), str(2**63), str(10**30)],
                   "uuid": ["01a20d00-0000-7000-8000-000000000000", "00000000-0000-0000-0000-000000000000"],
                   "segment": ["%00", "x" * 2000, "%C5%BC%C3%B3%C5%82w", "..", "%ED%A0%80", "NaN"],
                   "str": ["%00", "x" * 2000, "%C5%BC%C3%B3%C5%82w", "..", "%ED%A0%80", "NaN"],
                   "slug": ["x" * 500, "no-such-action"]}


def test_every_staff_address_with_bad_ids_in_its_path_is_a_404_or_a_refusal_never_a_500(staff_client, staff, settings):
    from django.urls import get_resolver

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    session = staff_client.session
    sudo.sudo_grant(session, user=staff)
    session.save()
    findings, sent = [], 0
    for route, _pattern in _patterns(get_resolver()):
        if not route.startswith("staff/") or "<" not in route:
            continue
        params = re.findall(r"<(\w+):(\w+)>", route)
        for index, (converter, _name) in enumerate(params):
            for bad in BAD_PATH_VALUES.get(converter, []):
                url = route
                for other, (conv, name) in enumerate(params):
                    value = bad if other == index else {"int": "1", "uuid": BAD_PATH_VALUES["uuid"][0],
                                                        "str": "PLN", "segment": "PLN", "slug": "x"}[conv]
                    url = url.replace(f"<{conv}:{name}>", value, 1)
                for method in ("get", "post"):
                    sent += 1
                    try:
                        response = getattr(staff_client, method)("/" + url)
                    except Exception as error:
                        findings.append(f"{method} /{url}: {type(error).__name__}: {error}"[:300])
                        continue
                    if response.status_code >= 500:
                        findings.append(f"{method} /{url}: {response.status_code}"[:300])
    assert sent > 100
    assert not findings, "\n".join(findings)
