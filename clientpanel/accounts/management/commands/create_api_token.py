from django.core.management.base import BaseCommand, CommandError

from clientpanel.accounts.models import User, normalize_email
from clientpanel.accounts.services import api_token_create
from clientpanel.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Issue an API token for a staff member; the token is printed as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--scopes", default=None,
                            help="comma-separated scopes (default: every scope the staff member holds)")
        parser.add_argument("--name", default="")

    def handle(self, *args, email, scopes, name, **options):
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No user with email {email}.")
        wanted = None if scopes is None else [s.strip() for s in scopes.split(",") if s.strip()]
        try:
            token, secret = api_token_create(user=user, scopes=wanted, name=name)
        except ValidationFailed as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Token for {user.email} with scopes: {', '.join(token.scopes)}")
        self.stdout.write(secret)
