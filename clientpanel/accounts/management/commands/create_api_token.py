import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from clientpanel.accounts.models import User, normalize_email
from clientpanel.accounts.services import api_token_create
from clientpanel.core.errors import ValidationFailed


def expiry_date(value: str) -> dt.datetime:
    """--expires 2027-06-30: the token stops working at the start of that day (UTC)."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--expires takes a date like 2027-06-30, not {value!r}.") from None
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Issue an API token for a staff member; the token is printed as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--scopes", default=None,
                            help="comma-separated scopes (default: every scope the staff member holds)")
        parser.add_argument("--name", default="")
        parser.add_argument("--expires", default=None, metavar="YYYY-MM-DD",
                            help="the day (UTC) from which the token no longer works (default: until revoked)")

    def handle(self, *args, email, scopes, name, expires, **options):
        user = User.objects.filter(email=normalize_email(email)).first()
        if user is None:
            raise CommandError(f"No user with email {email}.")
        wanted = None if scopes is None else [s.strip() for s in scopes.split(",") if s.strip()]
        try:
            token, secret = api_token_create(user=user, scopes=wanted, name=name,
                                             expires_at=expiry_date(expires) if expires else None)
        except ValidationFailed as error:
            details = [m for messages in error.fields.values() for m in messages]
            raise CommandError(" ".join([error.message, *details])) from None
        until = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
        self.stdout.write(f"Token {token.prefix}… for {user.email} with scopes: {', '.join(token.scopes)}{until}")
        self.stdout.write(secret)
