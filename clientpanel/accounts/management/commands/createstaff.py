from django.core.management.base import BaseCommand, CommandError

from clientpanel.accounts.services import staff_create
from clientpanel.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create a staff member who can log in to the staff panel."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--superuser", action="store_true", help="also allow /django-admin/")
        parser.add_argument("--firstname", default="")
        parser.add_argument("--lastname", default="")

    def handle(self, *args, email, password, superuser, firstname, lastname, **options):
        try:
            user = staff_create(email=email, password=password, superuser=superuser,
                                firstname=firstname, lastname=lastname)
        except ValidationFailed as error:
            raise CommandError(_describe(error)) from None
        self.stdout.write(f"Created staff member {user.email}{' (superuser)' if superuser else ''}.")


def _describe(error: ValidationFailed) -> str:
    lines = [error.message]
    for field, messages in error.fields.items():
        lines.extend(f"  --{field}: {message}" for message in messages)
    return "\n".join(lines)
