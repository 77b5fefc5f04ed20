from django.core.management.base import BaseCommand

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.catalog.models import Product
from clientpanel.catalog.services import price_save, product_save
from clientpanel.clients.demo import demo_clients
from clientpanel.clients.models import Client, ClientGroup
from clientpanel.clients.services import (
    client_create,
    client_update,
    client_user_link,
    group_save,
    staff_assignments_set,
)
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_presets_apply, tax_rule_save

DEMO_STAFF_EMAIL = "admin@clientpanel.example"
DEMO_STAFF_PASSWORD = "demo-admin-2026"  # a published demo login
DEMO_POLISH_COMPANY = "Clientpanel Demo sp. z o.o."
DEMO_AGENT_EMAIL = "agent@clientpanel.example"  # Support role, limited to three assigned clients


class Command(BaseCommand):
    help = "Create the demo staff login and ~60 demo clients; safe to run again (skips what exists)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=60)

    def handle(self, *args, clients: int, **options):
        self._home_companies()
        self._products()
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

    def _home_companies(self) -> None:
        """The Polish company bills by default (VAT 23% in Poland, EU rates with reverse charge,
        FAKTURA / NATA-KREDYTOWA / PROFORMA numbering); a US company bills US clients — once."""
        if HomeCompany.objects.filter(name=DEMO_POLISH_COMPANY).exists():
            return
        polish = home_company_save(actor=None, company_id=default_home_company().pk, data={
            "name": DEMO_POLISH_COMPANY, "address1": "ul. Marszałkowska 1", "city": "Warszawa", "postcode": "00-624",
            "country": "PL", "region": "Mazowieckie", "eu_vat_id": "PL5260250995", "local_tax_id": "5260250995",
            "registration_number": "KRS 0000123456", "bank_details": "PL61 1090 1014 0000 0712 1981 2874\nSantander",
            "invoice_footer": "Thank you for your business.", "topup_item_name": "Doładowanie konta / Add funds",
            "refund_item_name": "Zwrot / Refund", "proforma_pattern": "PROFORMA/{YEAR}/{MONTH}/{NUMBER}",
            "invoice_pattern": "FAKTURA/{YEAR}/{MONTH}/{NUMBER}",
            "credit_note_pattern": "NATA-KREDYTOWA/{YEAR}/{MONTH}/{NUMBER}", "time_zone": "Europe/Warsaw",
            "language": "pl", "is_default": True})
        tax_rule_save(actor=None, company_id=polish.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
        tax_presets_apply(actor=None, company_id=polish.pk, preset="EU")
        us = home_company_save(actor=None, data={
            "name": "Clientpanel Demo Inc.", "address1": "1 Market Street", "city": "San Francisco",
            "postcode": "94105", "country": "US", "region": "California", "us_ein": "12-3456789",
            "invoice_pattern": "INV-{YEAR}-{NUMBER:5}", "invoice_reset": "YEARLY",
            "proforma_pattern": "PF-{YEAR}-{NUMBER:5}", "proforma_reset": "YEARLY",
            "time_zone": "America/Los_Angeles"})
        tax_rule_save(actor=None, company_id=us.pk, data={"country": "US", "priority": 10})

    def _products(self) -> None:
        """Products like the seed's: MINI and Medium monthly, VPS plans billed by the hour (their
        sample module succeeds) and one product whose module fails, for the error path — once."""
        if Product.objects.filter(key="proxmox-lxc-mini").exists():
            return
        catalog = [
            ("proxmox-lxc-mini", "MINI", {}, False, [("USD", "MONTHLY", "8.50", "0"), ("PLN", "MONTHLY", "35.00", "0"),
                                                     ("EUR", "MONTHLY", "8.00", "0")]),
            ("proxmox-lxc-medium", "Medium", {}, False, [("USD", "MONTHLY", "20.00", "0"),
                                                         ("USD", "ANNUALLY", "200.00", "0"),
                                                         ("PLN", "MONTHLY", "80.00", "0")]),
            ("vps-s", "VPS S", {}, True, [("USD", "HOURLY", "0.1042", "0")]),
            ("vps-m", "VPS M", {}, True, [("USD", "HOURLY", "0.2969", "0")]),
            ("vps-l", "VPS L", {}, True, [("USD", "HOURLY", "0.9271", "0")]),
            ("vps-xl", "VPS XL", {}, True, [("USD", "HOURLY", "1.2865", "5.00")]),
            ("vps-broken", "VPS Broken (demo of a failing module)",
             {"fail": "create", "message": "Post install script failed"}, True, [("USD", "HOURLY", "0.2969", "0")]),
        ]
        for key, name, module_settings, hourly, prices in catalog:
            product = product_save(actor=None, data={"key": key, "name": name, "module": "sample",
                                                     "module_settings": module_settings, "hourly_billing": hourly})
            for currency, period, amount, setup in prices:
                price_save(actor=None, product_id=product.pk, data={"currency": currency, "period": period,
                                                                    "amount": amount, "setup_fee": setup})
