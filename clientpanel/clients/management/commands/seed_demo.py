from django.core.management.base import BaseCommand

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.clients.demo import demo_clients
from clientpanel.clients.services import client_create

DEMO_STAFF_EMAIL = "admin@clientpanel.example"
DEMO_STAFF_PASSWORD = "demo-admin-2026"


class Command(BaseCommand):
    help = "Create the demo staff login and ~60 demo clients; safe to run again (skips what exists)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=60)

    def handle(self, *args, clients: int, **options):
        if not User.objects.filter(email=DEMO_STAFF_EMAIL).exists():
            staff_create(email=DEMO_STAFF_EMAIL, password=DEMO_STAFF_PASSWORD, superuser=True,
                         firstname="Demo", lastname="Admin")
        proposed = list(demo_clients(clients))
        existing = set(User.objects.filter(email__in=[c["email"] for c in proposed]).values_list("email", flat=True))
        created = 0
        for data in proposed:
            if data["email"] not in existing:
                client_create(actor=None, data=data)
                created += 1
        self.stdout.write(f"Demo data: {created} clients created, {len(existing)} already there.")
        self.stdout.write(self.style.SUCCESS(
            f"Demo staff login: {DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD}  →  http://127.0.0.1:8000/staff/"
        ))
