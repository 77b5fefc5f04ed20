import datetime as dt
from decimal import Decimal

import time_machine
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clientpanel.accounts.models import User
from clientpanel.accounts.services import staff_create
from clientpanel.automation.services import automation_pass
from clientpanel.catalog.models import Product
from clientpanel.catalog.services import price_save, product_save
from clientpanel.client_services.services import service_order
from clientpanel.clients.demo import demo_clients
from clientpanel.clients.models import Client, ClientGroup, ClientStatus
from clientpanel.clients.services import (
    client_create,
    client_update,
    client_user_link,
    group_save,
    staff_assignments_set,
)
from clientpanel.einvoices.configuration import einvoice_profile_save, vat_exchange_rate_save
from clientpanel.einvoices.models import VatExchangeRate
from clientpanel.einvoices.rates import previous_working_day
from clientpanel.einvoices.selectors import einvoice_format_of
from clientpanel.invoicing.models import Document, DocumentStatus, DocumentType, Payment
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.ledger.services import manual_transaction_create
from clientpanel.payments.gateway_accounts import gateway_account_save
from clientpanel.reports.rollups import rollups_rebuild
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_presets_apply, tax_rule_save

DEMO_STAFF_EMAIL = "admin@clientpanel.example"
DEMO_STAFF_PASSWORD = "demo-admin-2026"  # a published demo login
DEMO_POLISH_COMPANY = "Clientpanel Demo sp. z o.o."
DEMO_AGENT_EMAIL = "agent@clientpanel.example"  # Support role, limited to three assigned clients
# Thousandths the demo's exchange rates move by, day after day (a rate that never moves looks made up).
DEMO_RATE_WOBBLE = (0, 7, 15, 22, 18, 9, -3, -14, -21, -12, -5, 4)


class Command(BaseCommand):
    help = "Create the demo staff login and ~60 demo clients; safe to run again (skips what exists)."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=60)

    def handle(self, *args, clients: int, **options):
        # Demo data and a superuser whose password the README publishes: never in production, and
        # refused before anything is written (it failed half-way there, after three companies).
        if settings.SETTINGS_MODULE == "config.settings.prod":
            raise CommandError("seed_demo writes demo data and a superuser with a published password; "
                               "it does not run with the production settings (config.settings.prod).")
        if clients < 0:
            raise CommandError(f"--clients must be 0 or more, not {clients}.")
        self._home_companies()
        self._products()
        if not User.objects.filter(email=DEMO_STAFF_EMAIL).exists():
            staff_create(email=DEMO_STAFF_EMAIL, password=DEMO_STAFF_PASSWORD, superuser=True,
                         firstname="Demo", lastname="Admin")
        proposed = list(demo_clients(clients))
        existing = set(User.objects.filter(email__in=[c["email"] for c in proposed]).values_list("email", flat=True))
        created = 0
        # Signed up over the last year, oldest first (the dashboard's "new clients by month").
        year_ago = timezone.now() - dt.timedelta(days=365)
        step = dt.timedelta(days=360) / max(len(proposed), 1)
        for index, data in enumerate(proposed):
            if data["email"] not in existing:
                with time_machine.travel(year_ago + step * index, tick=False):
                    client_create(actor=None, data=data)
                created += 1
        self._groups_users_and_agent()
        self._vat_rates()
        self._history()
        self._einvoices()
        # The history was written at moments in the past, which the rollups' job (it adds up what
        # was written since its last run) cannot tell apart from old rows: add everything up again.
        rollups_rebuild()
        self.stdout.write(f"Demo data: {created} clients created, {len(existing)} already there.")
        self.stdout.write(self.style.SUCCESS(
            f"Demo staff login: {DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD}  →  "
            f"{settings.CLIENTPANEL_BASE_URL.rstrip('/')}/staff/"
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
        FAKTURA / NATA-KREDYTOWA / PROFORMA numbering); a US company bills US clients — once. Every
        company takes payments through the offline test gateway (no real money; issue 15)."""
        if not HomeCompany.objects.filter(name=DEMO_POLISH_COMPANY).exists():
            self._create_home_companies()
        for company in HomeCompany.objects.exclude(gateway_accounts__gateway="test"):
            gateway_account_save(actor=None, company_id=company.pk, gateway="test")

    def _create_home_companies(self) -> None:
        polish = home_company_save(actor=None, company_id=default_home_company().pk, data={
            "name": DEMO_POLISH_COMPANY, "address1": "ul. Marszałkowska 1", "city": "Warszawa", "postcode": "00-624",
            "country": "PL", "region": "Mazowieckie", "eu_vat_id": "PL5260250995", "local_tax_id": "5260250995",
            "registration_number": "KRS 0000123456", "bank_details": "PL61 1090 1014 0000 0712 1981 2874\nSantander",
            # Bilingual, as Polish companies write documents their foreign clients read too (the items alike).
            "invoice_footer": "Dziękujemy za współpracę. / Thank you for your business.",
            "topup_item_name": "Doładowanie konta / Add funds",
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
        canadian = home_company_save(actor=None, data={
            "name": "Clientpanel Demo Canada Ltd.", "address1": "100 King Street West", "city": "Toronto",
            "postcode": "M5X 1A9", "country": "CA", "region": "Ontario", "ca_bn": "123456789",
            "ca_gst_hst": "123456789RT0001", "ca_pst_qst": "1234567890TQ0001",
            "invoice_pattern": "CA-INV-{YEAR}-{NUMBER:5}", "invoice_reset": "YEARLY",
            "proforma_pattern": "CA-PF-{YEAR}-{NUMBER:5}", "proforma_reset": "YEARLY", "time_zone": "America/Toronto"})
        tax_presets_apply(actor=None, company_id=canadian.pk, preset="CA")  # GST, HST, QST per province

    def _vat_rates(self) -> None:
        """Illustrative EUR and USD rates (table "demo": a real shop enters NBP's) for every working
        day of the year of history, entered before it is written: the Polish company's invoices in
        euros and dollars then state their VAT in PLN, and the tax report adds it up in PLN — once."""
        if VatExchangeRate.objects.filter(table="demo").exists():
            return
        day = timezone.localdate()
        for index in range(260):  # working days: a little over a year
            day = previous_working_day(day)
            wobble = Decimal(DEMO_RATE_WOBBLE[index % len(DEMO_RATE_WOBBLE)]) / 1000
            for currency, rate in (("EUR", Decimal("4.2345")), ("USD", Decimal("3.9876"))):
                vat_exchange_rate_save(actor=None, currency=currency, day=day, rate=str(rate + wobble), table="demo")

    def _einvoices(self) -> None:
        """From now on the Polish company's invoices and credit notes also leave as KSeF FA(3) files
        (the year of history was issued before, as a company switching on e-invoices would have it)."""
        polish = HomeCompany.objects.filter(name=DEMO_POLISH_COMPANY).first()
        if polish is None or einvoice_format_of(polish):
            return
        einvoice_profile_save(actor=None, company_id=polish.pk, format_key="ksef_fa3")

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

    def _history(self) -> None:
        """Twelve months of a hosting business, written by the real services with the clock set back
        (issued documents never change and payments never precede them, so the past is made in
        order): clients topping up through add-funds proformas paid a day later, monthly services
        charged by the automation passes at each month's start, a client running out of funds and
        suspended, hourly VPS charged hour by hour over the last three days, a service whose
        provisioning failed, a credit note, manual transactions, proformas still unpaid (one
        overdue) — once (skipped when any payment exists)."""
        if Payment.objects.exists():
            return
        now = timezone.now().replace(microsecond=0)
        year_ago = now - dt.timedelta(days=365)
        clients = list(Client.objects.filter(status=ClientStatus.ACTIVE, currency__in=["USD", "PLN", "EUR"])
                       .order_by("number")[:18])
        mini = Product.objects.get(key="proxmox-lxc-mini")
        monthly = {price.currency: price.amount for price in mini.prices.filter(period="MONTHLY")}
        events: list[tuple[dt.datetime, int, object]] = []  # (moment, order, action)
        ordered: list[dt.datetime] = []  # when services were ordered

        def at(moment: dt.datetime, action, order: int = 0) -> None:
            events.append((moment, order, action))

        def top_up(client, net: str, *, paid_after: dt.timedelta | None = dt.timedelta(days=1)):
            def issue():
                proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=net)
                if paid_after is not None:
                    at(timezone.now() + paid_after, lambda: proforma_pay(
                        actor=None, document_id=proforma.pk, amount=str(Document.objects.get(pk=proforma.pk).total),
                        method="bank transfer", transaction_id=f"DEMO-{proforma.number}"))
            return issue

        def order(client, product):
            def place():
                price = product.prices.filter(currency=client.currency, period="MONTHLY").first() or \
                    product.prices.filter(currency=client.currency).first()
                if price is not None:
                    service_order(actor=None, client_id=client.pk, product_id=product.pk, price_id=price.pk)
            return place

        # Those without credit run out: one on a monthly plan (suspended, then ended), one on an hourly VPS.
        no_credit = [c for c in clients if not c.credit_limit]
        runs_out = next((c for c in no_credit if c.currency != "USD"), None)
        for index, client in enumerate(clients):
            joined = max(client.created_at, year_ago) + dt.timedelta(days=2, hours=index % 8)
            # It pays for two months and no more: suspended, then its service ends.
            starter = (f"{monthly[client.currency] * 2 + 1:.2f}" if client == runs_out else
                       "300.00" if client.currency == "PLN" else "60.00")
            at(joined, top_up(client, starter))
            at(joined + dt.timedelta(days=1, hours=2), order(client, mini))
            ordered.append(joined + dt.timedelta(days=1, hours=2))
            if client != runs_out:  # topping up every three months
                moment = joined + dt.timedelta(days=90)
                while moment < now - dt.timedelta(days=10):
                    at(moment, top_up(client, "150.00" if client.currency == "PLN" else "40.00"))
                    moment += dt.timedelta(days=90)
        steady = [c for c in clients if c != runs_out]
        if len(steady) > 4:
            at(now - dt.timedelta(days=20), top_up(steady[1], "50.00", paid_after=None))  # overdue by now
            at(now - dt.timedelta(days=2), top_up(steady[2], "80.00", paid_after=None))  # waiting for payment
            at(now - dt.timedelta(days=45), lambda: self._credit_note(steady[3]), order=1)
            at(now - dt.timedelta(days=30), lambda: manual_transaction_create(
                actor=None, client_id=steady[4].pk, amount="10.00", description="Goodwill credit for the outage"))
            at(now - dt.timedelta(days=12), lambda: manual_transaction_create(
                actor=None, client_id=steady[0].pk, amount="-5.00", description="Correction: domain transfer fee"))
        # Hourly VPS over the last three days: one funded, one whose funds run out (suspended for
        # insufficient funds since), one whose provisioning fails.
        usd = list(Client.objects.filter(status=ClientStatus.ACTIVE, currency="USD", credit_limit=0,
                                          balance_row__balance=0)
                   .exclude(pk__in=[c.pk for c in clients]).order_by("number")[:3])
        for client, key, funds in zip(usd, ("vps-s", "vps-l", "vps-broken"), ("120.00", "50.00", "30.00"),
                                      strict=False):
            at(now - dt.timedelta(days=3, hours=1), top_up(client, funds, paid_after=dt.timedelta(minutes=5)))
            at(now - dt.timedelta(days=3), order(client, Product.objects.get(key=key)))
            ordered.append(now - dt.timedelta(days=3))
        # The automation passes: at each month's start (monthly charges, suspensions) and an hour
        # after every order (provisioning), then once now (the hours of the hourly services).
        month = year_ago.replace(day=1, hour=0, minute=5, second=0)
        while month < now:
            at(month, lambda moment=month: automation_pass(now=moment, trigger="command"), order=2)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        for moment in ordered:  # provisioning an hour after each order
            at(moment + dt.timedelta(hours=1), lambda m=moment + dt.timedelta(hours=1): automation_pass(
                now=m, trigger="command"), order=2)
        done = 0
        while events:
            events.sort(key=lambda event: (event[0], event[1]))
            moment, _order, action = events.pop(0)
            if moment > now:
                continue
            with time_machine.travel(moment, tick=False):
                action()
            done += 1
        automation_pass(now=timezone.now(), trigger="command")
        self.stdout.write(f"Demo history: {done} steps over the last 12 months.")

    def _credit_note(self, client) -> None:
        invoice = Document.objects.filter(client=client, type=DocumentType.INVOICE, status=DocumentStatus.PAID) \
            .order_by("issue_date").first()
        if invoice is not None:
            credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="10.00")
