from django.core.management.base import BaseCommand, CommandError

from clientpanel.accounts.services import staff_create
from clientpanel.core.errors import ValidationFailed

DEFAULT_LIMITED_ROLE = "Support"  # view and edit clients, impersonate; no Manage staff


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
        roles = roles or []
        try:
            user = staff_create(email=email, password=password, superuser=superuser, firstname=firstname,
                                lastname=lastname, roles=roles, limited_to_assigned_clients=limited)
        except ValidationFailed as error:
            raise CommandError(_describe(error)) from None
        what = "superuser" if superuser else ", ".join(roles) or "no role"
        self.stdout.write(f"Created staff member {user.email} ({what}).")


def _describe(error: ValidationFailed) -> str:
    lines = [error.message]
    for field, messages in error.fields.items():
        lines.extend(f"  --{field}: {message}" for message in messages)
    return "\n".join(lines)
