"""Asking a signed-in user for its present password again before a change that a borrowed session
must not make (a new password, turning two-factor authentication on or off).

Through the login throttle (throttle.reauth_attempt): a stolen session cannot guess the password
through these forms any faster than at the login page, and wrong guesses here count towards the
login's block too; but strangers' wrong passwords at a login door do not stop the signed-in owner
here (a count of this account's sessions' own wrong guesses, and the address's, judge it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientpanel.core.errors import FieldErrors, ValidationFailed

from . import throttle
from .models import User

FIELD = "current_password"


def present_password_check(user: User, password: object, errors: FieldErrors, *, ip: str | None = None) -> None:
    """Add an error on `current_password` unless `password` is the user's present one; a wrong one
    is counted (call outside any transaction that may roll back, or the count goes with it)."""
    attempt = throttle.reauth_attempt(user, ip)  # counted before it is checked, forgiven when right
    if attempt is None:
        errors.add(FIELD, str(throttle.TOO_MANY_ATTEMPTS))
    elif not isinstance(password, str) or not password or not user.check_password(password):
        errors.add(FIELD, _("This is not your present password."))
    else:
        attempt.give_back()


def present_password_require(user: User, password: object, *, ip: str | None = None) -> None:
    """present_password_check, raising ValidationFailed (nothing is changed then)."""
    errors = FieldErrors()
    present_password_check(user, password, errors, ip=ip)
    if errors.fields:
        raise ValidationFailed(errors.fields[FIELD][0], fields=errors.fields)
