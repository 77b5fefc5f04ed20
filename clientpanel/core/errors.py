"""Domain errors: a code, a message for people, and per-field messages.

Services raise these; the API maps them to {"error": {"code", "message", "fields"}} and forms to
inline messages. Nothing in a request should ever answer 500 for bad input.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _


class DomainError(Exception):
    code = "error"
    status_code = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "validation_error"
    status_code = 422

    @classmethod
    def from_fields(cls, fields: dict[str, list[str]]) -> ValidationFailed:
        names = ", ".join(sorted(fields))
        return cls(_("Some fields are not valid: %(names)s.") % {"names": names}, fields=fields)


class NotFound(DomainError):
    code = "not_found"
    status_code = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status_code = 403


class Conflict(DomainError):
    code = "conflict"
    status_code = 409


class FieldErrors:
    """Collects messages per field so a form or API call reports every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def add_unknown(self, data: Iterable[str], known: Iterable[str]) -> None:
        """An error on every name in data that is not a known field, in name order."""
        for name in sorted(set(data) - set(known)):
            self.add(name, _("Unknown field."))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed.from_fields(self.fields)

    def raise_in_full(self) -> None:
        """raise_if_any for pages that show the refusal's message alone (a flash message): the message
        says every problem, not only which fields have one."""
        if self.fields:
            raise ValidationFailed(" ".join(m for messages in self.fields.values() for m in messages),
                                   fields=self.fields)


def require(allowed: bool, message: str) -> None:
    """Refuse with PermissionDenied unless a policy allowed the action (see each app's policies.py)."""
    if not allowed:
        raise PermissionDenied(message)
