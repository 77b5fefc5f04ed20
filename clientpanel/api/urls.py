"""The REST API (/api/v1/): one NinjaAPI, Bearer tokens, one error shape.

Every error answers {"error": {"code", "message", "fields"}}: 400 for a body that is not JSON,
422 for invalid fields, 401 without a valid token, 403 without the scope, 404 for unknown ids and
unknown routes, 405 for a method the route does not take, 409 for conflicts, 413 for a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, 503 (Retry-After) while Redis does not answer, and 500 (logged) for a
fault of ours. The OpenAPI document declares these error responses on every operation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from redis.exceptions import RedisError

from clientpanel.accounts.api_auth import ApiTokenAuth
from clientpanel.accounts.throttle import ThrottleUnavailable
from clientpanel.api import contract, unavailable
from clientpanel.api.field_names import field_name, request_loc
from clientpanel.api.imports import UPLOAD_URL_NAME, upload_limit
from clientpanel.api.imports import router as imports_router
from clientpanel.catalog.api import router as catalog_router
from clientpanel.client_services.api import router as services_router
from clientpanel.clients.api import groups_router, users_router
from clientpanel.clients.api import router as clients_router
from clientpanel.core.errors import DomainError
from clientpanel.einvoices.api import router as einvoices_router
from clientpanel.invoicing.api import router as invoicing_router
from clientpanel.ledger.api import router as ledger_router
from clientpanel.tax.api import companies_router
from clientpanel.webhooks.api import router as webhooks_router

logger = logging.getLogger("django.request")
# Routes taking larger bodies than DATA_UPLOAD_MAX_MEMORY_SIZE (url name → limit in bytes).
BODY_LIMITS: dict[str, Callable[[], int]] = {UPLOAD_URL_NAME: upload_limit}


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "The body is not a JSON object, or the request was refused as it stands",
    401: "No valid API token",
    403: "The token lacks the scope, or the actor may not do this",
    404: "No such object (or route)",
    409: "Conflicts with the current state (an Idempotency-Key or transaction ID used for another request…)",
    413: "The body is larger than the server accepts",
    422: "Some fields are not valid; `fields` names each with its messages",
}


class ClientpanelApi(NinjaAPI):
    """NinjaAPI whose every answer, even outside an operation, is the one error shape."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_errors(pattern.callback, BODY_LIMITS.get(pattern.name))
        # Last: any other path under /api/v1/ is a JSON 404, not the site's HTML page.
        patterns.append(re_path(r"^.*$", _json_errors(_unknown_route), name="unknown-route"))
        return patterns, app_name, namespace

    def validation_error_from_error_contexts(self, error_contexts) -> NinjaValidationError:
        """ninja's errors keyed by the request's own field names (api/field_names.py): the body's
        fields without the parameter's name, a form's or a file's name once, a union's refusal once
        at its field (not once per member tried, under the member's type)."""
        errors, unions = [], set()
        for context in error_contexts:
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc, cut = request_loc(context.model, error["loc"])
                if cut:
                    if loc in unions:
                        continue
                    unions.add(loc)
                error.pop("input", None)
                if isinstance((error.get("ctx") or {}).get("error"), Exception):
                    error["ctx"]["error"] = str(error["ctx"]["error"])
                errors.append({**error, "loc": loc})
        return NinjaValidationError(errors)

    def _get_bound_routers(self):
        # Every operation keeps to the API's contract (api/contract.py), whichever router made it.
        routers = super()._get_bound_routers()
        for router in routers:
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    contract.bind(operation)
        return routers

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        # ninja's document, each operation naming the scope its auth asks (api/contract.py).
        prefix = self.get_root_path(path_params or {}) if path_prefix is None else path_prefix
        schema = contract.ScopedOpenAPISchema(self, prefix)
        _declare_error_responses(schema)
        return schema


api = ClientpanelApi(
    title="Clientpanel API",
    version="1",
    description="Clients, addresses and more. Authenticate with `Authorization: Bearer <token>` "
    "(issue one with `manage.py create_api_token --email E`). Every error answers "
    '`{"error": {"code", "message", "fields"}}` with its status.',
    auth=ApiTokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, error_body(exc.code, exc.message, exc.fields), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    body_unreadable = False
    if any(list(error.get("loc", []))[:1] == ["path"] for error in exc.errors):
        # A malformed id names nothing that exists.
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)
    for error in exc.errors:
        name = field_name(list(error.get("loc", [])))
        message = error.get("msg") or _("Invalid value.")
        if error.get("type") == "extra_forbidden":
            message = _("Unknown field.")
        elif error.get("type") in ("model_attributes_type", "model_type", "dict_type") and name != "body":
            message = _("Must be a JSON object.")  # pydantic's "…object to extract fields from" says less
        # Only the body as a whole is unreadable: a field's value of the wrong type (null where an
        # item object goes) is that field's refusal, a 422 naming it.
        if error.get("type") == "json_invalid" or name == "body":
            body_unreadable = True
        fields.setdefault(name, []).append(message)
    if body_unreadable:
        return api.create_response(
            request, error_body("invalid_body", _("The request body must be a JSON object."), fields), status=400
        )
    return api.create_response(
        request, error_body("validation_error", _("Some fields are not valid: %(fields)s.") % {
            "fields": ", ".join(sorted(fields))}, fields),
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    response = api.create_response(
        request, error_body("unauthorized", _("Send a valid API token: Authorization: Bearer <token>.")), status=401
    )
    response["WWW-Authenticate"] = "Bearer"  # RFC 9110 15.5.2: a 401 names the scheme it wants
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", _("Not found.")), status=404)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400:
        # ninja raises this for a body it cannot parse as JSON.
        message = _("The request body must be a JSON object: %(error)s") % {"error": exc}
        return api.create_response(request, error_body("invalid_body", message), status=400)
    return api.create_response(request, error_body("http_error", str(exc)), status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request, exc):
    return _body_too_large(request)


@api.exception_handler(SuspiciousOperation)
def on_suspicious_request(request, exc):
    # Django's refusals of a request as sent (too many query fields, a malformed header…): a 400.
    return api.create_response(request, error_body("bad_request", _("The request was refused as sent.")), status=400)


@api.exception_handler(MultiPartParserError)
def on_unreadable_form(request, exc):
    # A multipart body Django cannot split (no or a malformed boundary, a non-ASCII Content-Type, a
    # part's headers over Django's limit, bad base64): the request as sent is wrong, a 400 as Django
    # itself answers it outside the API.
    message = _("The request body cannot be read as multipart/form-data: check its boundary and the headers of "
                "its parts.")
    return api.create_response(request, error_body("invalid_body", message, {"body": [message]}), status=400)


@api.exception_handler(Exception)
def on_unexpected_error(request, exc):
    """A fault of ours still answers the error shape; it is logged (and reported) as Django would."""
    signals.got_request_exception.send(sender=None, request=request)
    logger.error("Internal Server Error: %s", request.path, exc_info=exc,
                 extra={"status_code": 500, "request": request})
    return api.create_response(
        request, error_body("server_error", _("The server failed to answer this request; the fault was logged.")),
        status=500,
    )


@api.exception_handler(ThrottleUnavailable)
@api.exception_handler(RedisError)
def on_redis_error(request, exc: Exception):
    """Redis down, silent, full or read-only: a 503 to try again (api/unavailable.py); else a 500."""
    return unavailable.answer(api, request, exc, error_body) or on_unexpected_error(request, exc)


def _body_too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request, error_body("body_too_large", _("The request body is larger than %(limit)s bytes.") % {
            "limit": f"{limit:,}"}), status=413,
    )


def _json_errors(view, body_limit: Callable[[], int] | None = None):
    """Answers a body over the limit (DATA_UPLOAD_MAX_MEMORY_SIZE, or the route's own in
    BODY_LIMITS) with 413 before the view reads it, HEAD as GET without the body, and ninja's
    plain-text 405 (a method the route does not take) as the error shape with its Allow header."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        limit = body_limit() if body_limit else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return _body_too_large(request, limit)
        head = request.method == "HEAD"
        if head:  # RFC 9110 9.3.2: HEAD wherever GET is, answered as GET without the body
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = ", ".join(_with_head(response.get("Allow", "")))
            refused = api.create_response(
                request, error_body("method_not_allowed", _("%(method)s is not allowed here; use %(allowed)s.") % {
                    "method": request.method, "allowed": allowed}),
                status=405,
            )
            refused["Allow"] = allowed
            response = refused
        if head and not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    return wrapper


def _with_head(allow: str) -> list[str]:
    methods = [method.strip() for method in allow.split(",") if method.strip()]
    return sorted({*methods, "HEAD"} if "GET" in methods else set(methods))


@csrf_exempt
def _unknown_route(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return api.create_response(request, error_body("not_found", _("No such API route.")), status=404)


def _declare_error_responses(schema: dict) -> None:
    """Every operation declares the errors it can answer, all with the one error shape."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(components["Error"].pop("$defs", {}))
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            parameters = operation.get("parameters", [])
            codes = set()
            if operation.get("security"):
                codes |= {401, 403}
            if any(p.get("in") == "path" for p in parameters):
                codes.add(404)
            if parameters or "requestBody" in operation:
                codes.add(422)
            if "requestBody" in operation:
                codes |= {400, 413}
            if method != "get":
                # A refusal of the current state: DomainError (400) or Conflict (409).
                codes |= {400, 409}
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                if code not in responses and str(code) not in responses:
                    responses[code] = {"description": ERROR_DESCRIPTIONS[code], "content": error}


for _router in (clients_router, users_router, groups_router, ledger_router, invoicing_router, einvoices_router,
                companies_router, catalog_router, services_router, imports_router, webhooks_router):
    api.add_router("/", _router)
