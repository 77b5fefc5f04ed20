import unicodedata

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from clientpanel.accounts.services import staff_create
from clientpanel.core.errors import ValidationFailed
from clientpanel.core.text import at_most_characters

DEFAULT_LIMITED_ROLE = "Support"  # view and edit clients, impersonate; no Manage staff
ROLE_NAME_MAX = 150  # a role is a Django group: its name's length
ROLES_MAX = 50
SHOWN_MAX = 60  # how much of a refused value an error repeats

# The service's field → the option an operator typed, so an error names what to change.
OPTIONS = {"roles": "--role", "limited_to_assigned_clients": "--limited", "superuser": "--superuser"}


class Command(BaseCommand):
    help = "Create a staff member who can log in to the staff panel."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--superuser", action="store_true", help="every area, and /django-admin/")
        parser.add_argument("--role", action="append", dest="roles", default=None,
                            help="a role to give (repeatable; default: Administrator, or Support with --limited)")
        parser.add_argument("--limited", action="store_true", help="limit to assigned clients")
        parser.add_argument("--firstname", default="")
        parser.add_argument("--lastname", default="")

    def handle(self, *args, email, password, superuser, firstname, lastname, roles, limited, **options):
        if roles is None and not superuser:
            # A staff member limited to assigned clients must not manage staff by default: that
            # is how a limited account reaches beyond its clients (issue 9).
            roles = [DEFAULT_LIMITED_ROLE if limited else "Administrator"]
        roles = _checked_roles(roles or [])
        try:
            user = staff_create(email=email, password=password, superuser=superuser, firstname=firstname,
                                lastname=lastname, roles=roles, limited_to_assigned_clients=limited)
        except ValidationFailed as error:
            raise CommandError(_describe(error)) from None
        what = "superuser" if superuser else ", ".join(roles) or "no role"
        self.stdout.write(f"Created staff member {user.email} ({what}).")


def _shown(value: str) -> str:
    return repr(value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "…")


def _checked_roles(names: list[str]) -> list[str]:
    """The --role values, each given once, or CommandError naming the option: an empty one gave the
    member no role without a word, and a name of any length or with control characters was
    repeated whole in the error."""
    problems = []
    if len(names) > ROLES_MAX:
        problems.append(_("Too many roles: give at most %(count)d.") % {"count": ROLES_MAX})
        names = []
    for name in names:
        if not name.strip():
            problems.append(_("A role name cannot be empty."))
        elif len(name) > ROLE_NAME_MAX:
            problems.append(f"{_shown(name)}: {at_most_characters(ROLE_NAME_MAX)}")
        elif any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in name):
            problems.append(_("A role name cannot contain control characters: %(name)s.") % {"name": _shown(name)})
    if problems:
        raise CommandError("\n".join([_not_valid(["--role"]), *(f"  --role: {problem}" for problem in problems)])
                           + _existing_roles())
    return list(dict.fromkeys(name.strip() for name in names))


def _existing_roles() -> str:
    names = ", ".join(Group.objects.order_by("name").values_list("name", flat=True)[:ROLES_MAX])
    return "\n  " + _("The roles are: %(names)s.") % {"names": names} if names else ""


def _option(field: str) -> str:
    return OPTIONS.get(field, "--" + field)


def _not_valid(options: list[str]) -> str:
    return _("Some fields are not valid: %(names)s.") % {"names": ", ".join(options)}


def _describe(error: ValidationFailed) -> str:
    lines = [_not_valid(sorted(_option(field) for field in error.fields)) if error.fields else error.message]
    for field, messages in error.fields.items():
        lines.extend(f"  {_option(field)}: {message}" for message in messages)
    return "\n".join(lines) + (_existing_roles() if "roles" in error.fields else "")
