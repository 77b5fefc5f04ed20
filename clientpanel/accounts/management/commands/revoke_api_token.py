from django.core.management.base import BaseCommand, CommandError

from clientpanel.accounts.models import ApiToken, normalize_email
from clientpanel.accounts.services import api_token_revoke
from clientpanel.accounts.tokens import hash_token


class Command(BaseCommand):
    help = ("Revoke API tokens at once: one by its id, its prefix (as listed in Settings → API tokens) or "
            "the secret itself, or every live token of a staff member.")

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--id", type=int, dest="token_id")
        which.add_argument("--prefix", help="the first characters shown in the list, e.g. cp_AbC1234")
        which.add_argument("--token", help="the secret itself")
        which.add_argument("--email", help="every live token of this staff member")

    def handle(self, *args, token_id, prefix, token, email, **options):
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        if token_id is not None:
            tokens = ApiToken.objects.filter(pk=token_id)
        elif prefix:
            tokens = tokens.filter(prefix=prefix.strip().rstrip("…").rstrip("."))
        elif token:
            tokens = ApiToken.objects.filter(token_hash=hash_token(token.strip()))
        else:
            tokens = tokens.filter(user__email=normalize_email(email))
        found = list(tokens.order_by("pk"))
        if not found:
            raise CommandError("No live API token matches.")
        if prefix and len(found) > 1:
            raise CommandError(f"{len(found)} tokens start with {prefix}; revoke one by --id: "
                               + ", ".join(str(t.pk) for t in found))
        for each in found:
            revoked = api_token_revoke(actor=None, token_id=each.pk)
            self.stdout.write(f"Revoked {revoked.prefix}… of {revoked.user.email} (id {revoked.pk}).")
