"""The cleaning the account services share, and other apps' user writes too: an e-mail address, a
password against the configured validators, role names and the wording of staff areas. Writes
nothing; each adds its refusals to the caller's FieldErrors."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from clientpanel.core.errors import FieldErrors
from clientpanel.core.text import at_most_characters

from .. import roles as roles_module
from ..homographs import mixed_script_label, script_names
from ..models import User, normalize_email


class _EmailValidator(EmailValidator):
    """Django's e-mail rule, its patterns compiled once here: Django's are compiled lazily and read
    through a proxy object on every use, a third of the check's time (a CSV import checks an
    address per row)."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)


validate_email = _EmailValidator()


def clean_email(email: str, errors: FieldErrors, field: str = "email", *, must_be_new: bool = True) -> str:
    """Validate an email and (by default) refuse one that a user already has. A domain label that mixes
    scripts (a Cyrillic "а" in "exаmple") is refused: it is how look-alikes of other domains are made."""
    email = normalize_email(email)
    if not email:
        errors.add(field, _("Enter an email address."))
        return email
    if len(email) > 254:
        errors.add(field, _("An email address has at most 254 characters."))
        return email
    try:
        validate_email(email)
    except ValidationError:
        errors.add(field, _("Enter a valid email address, like name@example.com."))
        return email
    local, _at, domain = email.rpartition("@")
    if local.startswith('"') or domain.startswith("["):
        # Valid by the RFC, never needed by a person, and another spelling of an existing mailbox
        # ("name"@example.com is name@example.com): a second login for one inbox, a staff one too.
        errors.add(field, _("Write the address plainly, like name@example.com: without quotation marks or an IP "
                            "address in brackets."))
        return email
    label = mixed_script_label(domain)
    if label is not None:
        errors.add(field, _("“%(label)s” in the email address's domain mixes alphabets (%(scripts)s), as look-alikes "
                            "of other domains do; write each part of the domain in one alphabet.")
                   % {"label": label, "scripts": ", ".join(script_names(label))})
        return email
    if must_be_new and User.objects.filter(email=email).exists():
        errors.add(field, _("A user with this email address already exists."))
    return email


# The longest password a login form takes (portal and staff), so the longest one can be set.
PASSWORD_MAX_LENGTH = 128


def clean_password(password: str | None, errors: FieldErrors, *, user: User | None = None) -> None:
    """A new password against the length the logins take and the configured validators: every way
    of setting one (staff forms, the API, the portal's links) goes through here."""
    if not password:
        return
    if len(password) > PASSWORD_MAX_LENGTH:
        errors.add("password", at_most_characters(PASSWORD_MAX_LENGTH))
        return
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        for message in error.messages:
            errors.add("password", message)


def clean_roles(names: Iterable[str], errors: FieldErrors) -> list[Group]:
    """The roles of these names, in the order given; a name no role has is a field error."""
    names = [n.strip() for n in names if n and n.strip()]
    found = {g.name: g for g in Group.objects.filter(name__in=names)}
    for name in names:
        if name not in found:
            errors.add("roles", _("There is no role named %(name)s.") % {"name": repr(name)})
    return [found[n] for n in names if n in found]


def area_labels(areas: Iterable[str]) -> str:
    """The staff areas' labels in the reader's language, for a refusal that names them."""
    return ", ".join(str(roles_module.AREAS[a]) for a in sorted(areas))

