from django.core.management.base import BaseCommand

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.clients.demo import demo_clients
from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.services import (
    client_create,
    client_update,
    client_user_link,
    group_save,
    staff_assignments_set,
)

DEMO_STAFF_EMAIL = "admin@clientpanel.example"
DEMO_STAFF_PASSWORD = "demo-admin-2026"  # a published demo login
DEMO_AGENT_EMAIL = "agent@clientpanel.example"  # Support role, limited to three assigned clients


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
        self._groups_users_and_agent()
        self.stdout.write(f"Demo data: {created} clients created, {len(existing)} already there.")
        self.stdout.write(self.style.SUCCESS(
            f"Demo staff login: {DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD}  →  http://127.0.0.1:8000/staff/"
        ))
        self.stdout.write(f"Limited support agent: {DEMO_AGENT_EMAIL} / {DEMO_STAFF_PASSWORD} (3 assigned clients)")

    def _groups_users_and_agent(self) -> None:
        """Two groups with clients in them, an extra user with Manage Services, and a support agent
        limited to three clients — once."""
        if ClientGroup.objects.filter(name="Resellers").exists():
            return
        resellers = group_save(actor=None, data={"name": "Resellers", "colour": "#0d6efd", "payment_terms_days": 14})
        vip = group_save(actor=None, data={"name": "VIP", "colour": "#d63384", "reminders_enabled": False})
        clients = list(Client.objects.order_by("number")[:12])
        for client in clients[:9]:
            client_update(actor=None, client_id=client.pk, data={"group": resellers if client in clients[:6] else vip})
        if clients:
            client_user_link(actor=None, client_id=clients[0].pk, data={
                "email": "devops@example.com", "firstname": "Dana", "lastname": "Ops",
                "permissions": ["manage-services", "view-documents"]})
        agent = staff_create(email=DEMO_AGENT_EMAIL, password=DEMO_STAFF_PASSWORD, firstname="Sam", lastname="Agent",
                             roles=["Support"], limited_to_assigned_clients=True)
        staff_assignments_set(actor=None, staff_id=agent.pk, client_ids=[c.pk for c in clients[:3]])
