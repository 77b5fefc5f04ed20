"""What every operation of the API keeps to, whatever its router declares (api/urls.py applies it
to each operation once, as the routers are bound):

- a GET operation refuses a query parameter it does not declare (422 naming it), as an unknown
  field of a body is refused: a misspelt or unsupported filter must not quietly answer everything.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.params.models import QueryModel

_BOUND = "_clientpanel_contract"


def declared_query(operation: Operation) -> frozenset[str]:
    """The query parameters the operation declares, by the names a request sends them under."""
    names: set[str] = set()
    for model in operation.models:
        if not issubclass(model, QueryModel):
            continue
        flat = getattr(model, "__ninja_flatten_map__", None)
        names |= set(flat) if flat else {field.alias or name for name, field in model.model_fields.items()}
    return frozenset(names)


def _unknown(name: str) -> dict[str, Any]:
    return {"loc": (name,), "type": "extra_forbidden", "msg": _("Unknown field.")}


def bind(operation: Operation) -> None:
    """Holds the operation to the rules above (once, however often the URLs are built)."""
    if getattr(operation, _BOUND, False):
        return
    setattr(operation, _BOUND, True)
    reading = set(operation.methods) <= {"GET", "HEAD"}
    declared = declared_query(operation) if reading else None
    get_values = operation._get_values

    def checked_values(request, path_params, temporal_response):
        errors: list[dict[str, Any]] = []
        if declared is not None:
            errors += [{**_unknown(name), "loc": ("query", name)} for name in request.GET if name not in declared]
        try:
            values = get_values(request, path_params, temporal_response)
        except NinjaValidationError as exc:
            raise NinjaValidationError([*exc.errors, *errors]) from None
        if errors:
            raise NinjaValidationError(errors)
        return values

    operation._get_values = checked_values
