import uuid

from django.core.management.base import BaseCommand, CommandError

from clientpanel.clients.models import Client
from clientpanel.ledger.selectors import ledger_breaches


class Command(BaseCommand):
    help = "Check every ledger invariant of SPEC §5; exits non-zero naming the first broken client and entry."

    def add_arguments(self, parser):
        parser.add_argument("--client", default=None, type=uuid.UUID, help="check one client (its id, a UUID)")

    def handle(self, *args, client=None, **options):
        if client is not None and not Client.objects.filter(pk=client).exists():
            raise CommandError(f"No client {client}.")
        breaches = ledger_breaches(client_id=client)
        if breaches:
            for breach in breaches[1:10]:
                self.stderr.write(f"also: {breach}")
            raise CommandError(f"Ledger broken: {breaches[0]}")
        scope = f"client {client}" if client else "all clients"
        self.stdout.write(self.style.SUCCESS(f"Ledger verified for {scope}: every invariant holds."))
