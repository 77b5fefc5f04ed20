"""The REST API (/api/v1/): one NinjaAPI, Bearer tokens, one error shape.

Every error answers {"error": {"code", "message", "fields"}}: 400 for a body that is not JSON,
422 for invalid fields, 401 without a valid token, 403 without the scope, 404 for unknown ids.
"""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from clientpanel.accounts.api_auth import ApiTokenAuth
from clientpanel.clients.api import groups_router, users_router
from clientpanel.clients.api import router as clients_router
from clientpanel.core.errors import DomainError
from clientpanel.invoicing.api import companies_router
from clientpanel.invoicing.api import router as invoicing_router
from clientpanel.ledger.api import router as ledger_router
from clientpanel.services.api import router as services_router

api = NinjaAPI(
    title="Clientpanel API",
    version="1",
    description="Clients, addresses and more. Authenticate with `Authorization: Bearer <token>` "
    "(issue one with `manage.py create_api_token --email E`).",
    auth=ApiTokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc: list) -> str:
    # ninja locations look like ["body", "payload", "billing_address", "city"]; keep the field path.
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "params", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    body_unreadable = False
    if any(list(error.get("loc", []))[:1] == ["path"] for error in exc.errors):
        # A malformed id names nothing that exists.
        return api.create_response(request, error_body("not_found", "Not found."), status=404)
    for error in exc.errors:
        name = _field_name(list(error.get("loc", [])))
        message = error.get("msg", "Invalid value.")
        if error.get("type") == "extra_forbidden":
            message = "Unknown field."
        if error.get("type") in ("json_invalid", "model_attributes_type") or name == "body":
            body_unreadable = True
        fields.setdefault(name, []).append(message)
    if body_unreadable:
        return api.create_response(
            request, error_body("invalid_body", "The request body must be a JSON object.", fields), status=400
        )
    return api.create_response(
        request, error_body("validation_error", f"Some fields are not valid: {', '.join(sorted(fields))}.", fields),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return api.create_response(
        request, error_body("unauthorized", "Send a valid API token: Authorization: Bearer <token>."), status=401
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "Not found."), status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400:
        # ninja raises this for a body it cannot parse as JSON.
        return api.create_response(
            request, error_body("invalid_body", f"The request body must be a JSON object: {exc}"), status=400
        )
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)


api.add_router("/", clients_router)
api.add_router("/", users_router)
api.add_router("/", groups_router)
api.add_router("/", ledger_router)
api.add_router("/", invoicing_router)
api.add_router("/", companies_router)
api.add_router("/", services_router)
