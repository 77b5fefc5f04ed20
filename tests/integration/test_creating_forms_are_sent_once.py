"""Every staff and portal page whose POST creates something or moves money goes through the
one-time key (ui.forms.sent_once), and every form it reads is a SentOnceMixin form: a view that
calls a creating service (…_create, …_order, …_issue, …_add_funds, …_pay, payment_start, …) without
it fails here, unless it is listed below with the reason it needs none (or why it waits)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from clientpanel.ui.forms import SentOnceMixin

ROOT = Path(__file__).resolve().parents[2] / "clientpanel"
VIEWS = [*sorted((ROOT / "backoffice" / "views").glob("*.py")), *sorted((ROOT / "portal" / "views").glob("*.py"))]
# A service that makes a row (a client, a document, a service, an attempt, a user's link, a file) or
# posts money; products_for_* only list what may be ordered.
CREATES = re.compile(r"^(?!products_for_).*(_create|_order|_issue|_add_funds|_pay|payment_start|client_user_link|"
                     r"_upload|_register|credit_note_with_gateway_refund)$")
# view (module:function) → why it claims no key
UNGUARDED = {
    "backoffice.views.clients:_create": "called by client_create and client_quick_create, inside their sent_once",
    "backoffice.views.users:client_user_associate": "a login is linked to a client once: the second is refused",
    "backoffice.views.settings:staff_create": "an e-mail address is one staff member: the second is refused",
    "backoffice.views.imports:client_import_upload": "an upload is a draft; its commit runs once per import",
    "portal.views.register:signup": "nobody is signed in to claim a key; an address signs up once",
}


def _called_names(function: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            called = node.func
            if isinstance(called, ast.Attribute):
                names.add(called.attr)
            elif isinstance(called, ast.Name):
                names.add(called.id)
    return names


def _creating_views():
    for path in VIEWS:
        module = f"{path.parent.parent.name}.views.{path.stem}"
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                called = _called_names(node)
                creates = sorted(name for name in called if CREATES.match(name))
                if creates:
                    yield f"{module}:{node.name}", called, creates


def test_the_rule_finds_the_forms_it_is_about():
    found = {view for view, _called, _creates in _creating_views()}
    assert {"backoffice.views.documents:add_funds", "backoffice.views.documents:proforma_create",
            "backoffice.views.services:service_add", "backoffice.views.transactions:client_transaction_create",
            "backoffice.views.document_money:document_pay", "backoffice.views.document_money:document_credit_note",
            "portal.views.services:order", "portal.views.pages:add_funds", "portal.views.payments:start_paying",
            "portal.views.users:users", "portal.views.addresses:address_new", "backoffice.views.clients:client_create",
            "backoffice.views.clients:client_quick_create", "backoffice.views.clients:address_edit",
            "backoffice.views.files:client_file_upload", "backoffice.views.tokens:api_tokens",
            "backoffice.views.webhooks:webhook_create"} <= found
    assert set(UNGUARDED) <= found, set(UNGUARDED) - found  # no reason kept for a view that is gone


@pytest.mark.parametrize("view, called, creates", [
    pytest.param(view, called, creates, id=view) for view, called, creates in _creating_views()
    if view not in UNGUARDED])
def test_a_view_that_creates_or_moves_money_is_sent_once(view, called, creates):
    assert "sent_once" in called, f"{view} calls {creates} without sent_once (ui.forms; the form a SentOnceMixin)"
    module = importlib.import_module(f"clientpanel.{view.split(':')[0]}")
    forms = [getattr(module, name) for name in called if name.endswith("Form") and hasattr(module, name)]
    for form in forms:
        assert issubclass(form, SentOnceMixin), f"{view}: {form.__name__} carries no one-time key (SentOnceMixin)"
