"""What every operation of the API keeps to, whatever its router declares (api/urls.py applies it
to each operation once, as the routers are bound):

- a GET operation refuses a query parameter it does not declare (422 naming it), as an unknown
  field of a body is refused: a misspelt or unsupported filter must not quietly answer everything.
  `_` alone is let through: the cache-buster HTTP libraries add to a GET (jQuery's cache: false);
- an operation that reads no body (POST /services/{id}/suspend, a DELETE…) refuses one: each field
  of it is an unknown field (422), what is no JSON object a 400; blank, `{}` and `null` (how many
  clients send "no payload") are no body;
- the OpenAPI entry of each operation names the scope its auth asks (`scoped(SCOPE)`), in its
  `security` and its description: read from the auth object, never written by hand.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.params.models import BodyModel, FileModel, FormModel, QueryModel

from clientpanel.core.json_text import read_json

_BOUND = "_clientpanel_contract"
CACHE_BUSTER = "_"


def declared_query(operation: Operation) -> frozenset[str]:
    """The query parameters the operation declares, by the names a request sends them under."""
    names: set[str] = set()
    for model in operation.models:
        if not issubclass(model, QueryModel):
            continue
        flat = getattr(model, "__ninja_flatten_map__", None)
        names |= set(flat) if flat else {field.alias or name for name, field in model.model_fields.items()}
    return frozenset(names)


def reads_body(operation: Operation) -> bool:
    """Whether the operation reads a body: a body, form or file parameter, or its own (the OpenAPI
    entry then declares the requestBody it reads, as POST /invoices/{id}/cancel)."""
    return any(issubclass(model, (BodyModel, FormModel, FileModel)) for model in operation.models) or (
        "requestBody" in (operation.openapi_extra or {}))


def _unknown(name: str) -> dict[str, Any]:
    return {"loc": (name,), "type": "extra_forbidden", "msg": _("Unknown field.")}


def _body_refusals(request) -> list[dict[str, Any]]:
    """What a body sent to an operation that reads none holds, each an error: blank, `{}`, `null`
    and a form without fields are no body."""
    raw = request.body
    if not raw.strip():
        return []
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # A form's body (an HTTP library posting "nothing" as an empty form): its fields are unknown.
        try:
            names = [*request.POST, *request.FILES]
        except Exception:  # a form body Django cannot read (a broken multipart) is no form: refused below
            names = None
        if names is not None:
            return [{**_unknown(str(name)), "loc": ("body", str(name))} for name in names]
    try:
        data = read_json(raw)
    except ValueError:  # not JSON, or nested past the parser's depth (read_json)
        return [{"loc": ("body",), "type": "json_invalid", "msg": _("The request body must be a JSON object.")}]
    if data is None or data == {}:
        return []
    if isinstance(data, dict):
        return [{**_unknown(str(key)), "loc": ("body", str(key))} for key in data]
    return [{"loc": ("body",), "type": "model_type", "msg": _("The request body must be a JSON object.")}]


def bind(operation: Operation) -> None:
    """Holds the operation to the rules above (once, however often the URLs are built)."""
    if getattr(operation, _BOUND, False):
        return
    setattr(operation, _BOUND, True)
    reading = set(operation.methods) <= {"GET", "HEAD"}
    declared = declared_query(operation) if reading else None
    refuse_body = not reading and not reads_body(operation)
    get_values = operation._get_values

    def checked_values(request, path_params, temporal_response):
        errors: list[dict[str, Any]] = []
        if declared is not None:
            errors += [{**_unknown(name), "loc": ("query", name)} for name in request.GET
                       if name not in declared and name != CACHE_BUSTER]
        if refuse_body:
            errors += _body_refusals(request)
        try:
            values = get_values(request, path_params, temporal_response)
        except NinjaValidationError as exc:
            raise NinjaValidationError([*exc.errors, *errors]) from None
        if errors:
            raise NinjaValidationError(errors)
        return values

    operation._get_values = checked_values
def operation_scope(operation: Operation) -> str | None:
    """The scope the operation's auth asks (`scoped(SCOPE)`), None when it asks none."""
    return next((auth.scope for auth in operation.auth_callbacks if getattr(auth, "scope", None)), None)


class ScopedOpenAPISchema(OpenAPISchema):
    """ninja's OpenAPI document, each operation naming the scope its auth asks."""

    def operation_security(self, operation: Operation):
        security = super().operation_security(operation)
        scope = operation_scope(operation)
        if security and scope:
            security = [{name: [scope]} for requirement in security for name in requirement]
        return security

    def operation_details(self, operation: Operation):
        details = super().operation_details(operation)
        scope = operation_scope(operation)
        if scope:
            needs = f"Needs the `{scope}` scope."
            details["description"] = f"{details['description']}\n\n{needs}" if details.get("description") else needs
        return details
