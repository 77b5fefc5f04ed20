"""The dashboard's figures (issue 14) on a known data set: two currencies never added together,
refunds taken off revenue, owing and overdue, balances and credit used, new clients by month,
services by status and in error, the next 7 days' charges and the clients they would push past
their funds — scoped by area and by assigned clients, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientpanel.accounts.services import staff_create
from clientpanel.catalog.models import Product
from clientpanel.client_services.models import ProvisionStatus, Service, ServiceStatus
from clientpanel.clients.models import StaffAssignment
from clientpanel.clients.services import client_create
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import credit_note_issue, proforma_add_funds, proforma_pay
from clientpanel.ledger.models import EntryType
from clientpanel.ledger.services import entry_post
from clientpanel.reports.dashboard import dashboard_figures, job_refresh_dashboard, month_starts
from clientpanel.reports.models import DashboardSnapshot
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import home_company_save, tax_rule_save
from conftest import client_data

pytestmark = pytest.mark.django_db


def next_month_later(now: dt.datetime) -> dt.datetime:
    """A moment in the month after now's, at least 9 days on (every proforma issued now is overdue)."""
    first = timezone.localtime(now).date().replace(day=1) + dt.timedelta(days=32)
    start = timezone.make_aware(dt.datetime.combine(first.replace(day=3), dt.time(12)))
    return max(start, now + dt.timedelta(days=9))


@pytest.fixture
def book(db):
    """Issued documents never change and payments are never in the future, so the book is written
    now and read now and in the month after ("later"). USD client Ada paid 184.50 and 123.00 and was
    refunded 61.50; she owes a proforma of 61.50 and has an hourly service. EUR client Bea paid
    123.00, owes 123.00, and has monthly services she cannot fund after a -130.00 correction."""
    company = default_home_company()
    home_company_save(actor=None, company_id=company.pk, data={"name": "PUQ", "country": "PL",
                                                               "eu_vat_id": "PL5260250995"})
    tax_rule_save(actor=None, company_id=company.pk, data={"country": "PL", "tax1_name": "VAT", "tax1_rate": "23"})
    now = timezone.now()
    ada = client_create(actor=None, data=client_data(currency="USD", firstname="Ada"))
    bea = client_create(actor=None, data=client_data(currency="EUR", firstname="Bea"))
    for net, gross in (("100.00", "123.00"), ("150.00", "184.50")):
        paid = proforma_add_funds(actor=None, client_id=ada.pk, net_amount=net)
        proforma_pay(actor=None, document_id=paid.pk, amount=gross)
    invoice = Document.objects.get(pk=paid.pk).related
    credit_note_issue(actor=None, invoice_id=invoice.pk, net_amount="50.00")  # -61.50
    proforma_add_funds(actor=None, client_id=ada.pk, net_amount="50.00")  # owes 61.50
    bea_paid = proforma_add_funds(actor=None, client_id=bea.pk, net_amount="100.00")
    proforma_pay(actor=None, document_id=bea_paid.pk, amount="123.00")
    proforma_add_funds(actor=None, client_id=bea.pk, net_amount="100.00")  # owes 123.00
    entry_post(client_id=bea.pk, type=EntryType.ADJUSTMENT, net=Decimal("-130.00"), description="Correction")
    hourly = Product.objects.create(key="vps-hourly", name="VPS", module="manual")
    monthly = Product.objects.create(key="mail", name="Mail", module="manual")
    common = {"order_date": now, "activation_date": now, "setup_fee": Decimal(0), "status": ServiceStatus.ACTIVE,
              "provision_status": ProvisionStatus.COMPLETED}
    Service.objects.create(client=ada, product=hourly, label="AAAAA1", currency="USD", period="HOURLY",
                           amount=Decimal("0.9271"), billed_until=now + dt.timedelta(minutes=30), **common)
    Service.objects.create(client=bea, product=monthly, label="BBBBB1", currency="EUR", period="MONTHLY",
                           amount=Decimal("20.00"), billed_until=now + dt.timedelta(days=3), **common)
    Service.objects.create(client=bea, product=monthly, label="BBBBB2", currency="EUR", period="MONTHLY",
                           amount=Decimal("20.00"), billed_until=now + dt.timedelta(days=10), **common)
    Service.objects.create(client=bea, product=monthly, label="BBBBB3", currency="EUR", period="MONTHLY",
                           amount=Decimal("9.00"), billed_until=None, order_date=now, setup_fee=Decimal(0),
                           status=ServiceStatus.PENDING, provision_status=ProvisionStatus.ERROR,
                           provision_error="Post install script failed")
    ada.refresh_from_db()
    bea.refresh_from_db()
    return {"now": now, "later": next_month_later(now), "ada": ada, "bea": bea, "months": month_starts(now)}


def admin():
    return staff_create(email="boss@example.com", password="correct-horse-battery", firstname="B", lastname="B",
                        roles=["Administrator"])


def test_revenue_is_payments_less_refunds_per_currency_by_month(book):
    boss = admin()
    figures = dashboard_figures(live=True, actor=boss, now=book["now"])
    assert set(figures.revenue) == {"USD", "EUR"}  # never one figure across currencies
    usd, eur = figures.revenue["USD"], figures.revenue["EUR"]
    assert [m.start for m in usd] == book["months"] and len(usd) == 12
    assert (usd[-1].payments, usd[-1].refunds, usd[-1].revenue) == (Decimal("307.50"), Decimal("61.50"),
                                                                     Decimal("246.00"))
    assert all(m.payments == m.refunds == 0 for m in usd[:-1])
    assert eur[-1].revenue == Decimal("123.00")
    assert figures.this_month["USD"].revenue == Decimal("246.00") and figures.last_month["USD"].revenue == 0
    later = dashboard_figures(live=True, actor=boss, now=book["later"])  # the month after: the same money, last month
    assert later.months[-2] == book["months"][-1]
    assert later.this_month["USD"].revenue == 0 and later.last_month["USD"].revenue == Decimal("246.00")
    assert later.last_month["EUR"].revenue == Decimal("123.00")


def test_owing_and_overdue_balances_and_credit_used(book):
    boss = admin()
    figures = dashboard_figures(live=True, actor=boss, now=book["now"])
    owing = {row.currency: row for row in figures.owing}
    assert (owing["USD"].count, owing["USD"].total, owing["USD"].overdue_count) == (1, Decimal("61.50"), 0)
    assert (owing["EUR"].count, owing["EUR"].total, owing["EUR"].overdue_count) == (1, Decimal("123.00"), 0)
    assert owing["EUR"].oldest_due is None
    later = {row.currency: row for row in dashboard_figures(live=True, actor=boss, now=book["later"]).owing}
    assert (later["USD"].overdue_count, later["USD"].overdue_total) == (1, Decimal("61.50"))
    assert (later["EUR"].overdue_count, later["EUR"].overdue_total) == (1, Decimal("123.00"))
    assert book["now"] < later["USD"].oldest_due < book["later"]
    balances = {row.currency: row for row in figures.balances}
    # Ada: 100 + 150 topped up, 50 refunded; Bea: 100 topped up, 130 taken back.
    assert (balances["USD"].balance, balances["USD"].credit_used, balances["USD"].in_debit) == (
        Decimal("200.00"), 0, 0)
    assert (balances["EUR"].balance, balances["EUR"].credit_used, balances["EUR"].in_debit) == (
        Decimal("-30.00"), Decimal("30.00"), 1)
    assert book["ada"].balance == Decimal("200.00") and book["bea"].balance == Decimal("-30.00")
    assert figures.new_clients[-1] == (book["months"][-1], 2)
    assert figures.client_statuses["NEW"] == 2 and sum(figures.client_statuses.values()) == 2


def test_services_upcoming_charges_and_the_clients_they_would_push_past_their_funds(book):
    figures = dashboard_figures(live=True, actor=admin(), now=book["now"])
    assert figures.services["ACTIVE"] == 3 and figures.services["PENDING"] == 1
    assert figures.services_in_error == 1
    # 168 hours from the next full hour on: 168 × 0.9271; the monthly service due in 3 days once.
    assert figures.upcoming == {"USD": Decimal("155.7528"), "EUR": Decimal("20.00")}
    assert figures.upcoming_services == 2
    # Ada has 200.00 and no credit: covered. Bea has -30.00 and no credit: 20.00 is not.
    assert [(r.number, r.charges, r.available, r.shortfall) for r in figures.at_risk] == [
        (book["bea"].number, Decimal("20.00"), Decimal("-30.00"), Decimal("50.00"))]
    assert (figures.at_risk_clients, figures.at_risk_services) == (1, 1)


def test_staff_see_only_their_areas_and_limited_staff_only_their_clients(book):
    support = staff_create(email="support@example.com", password="correct-horse-battery", firstname="S",
                           lastname="S", roles=["Support"])
    figures = dashboard_figures(actor=support, now=book["now"])  # from the snapshot: still no money
    assert not figures.finance and figures.clients
    assert figures.revenue == {} and figures.owing == [] and figures.services["ACTIVE"] == 3
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", firstname="L",
                           lastname="L", roles=["Administrator"], limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=book["bea"])
    figures = dashboard_figures(actor=limited, now=book["now"])
    assert set(figures.revenue) == {"EUR"}
    assert [row.currency for row in figures.owing] == ["EUR"]
    assert [row.currency for row in figures.balances] == ["EUR"]
    assert figures.services["ACTIVE"] == 2 and figures.upcoming == {"EUR": Decimal("20.00")}
    assert figures.new_clients[-1][1] == 1


def test_the_number_of_queries_does_not_grow_with_the_data(book):
    from clientpanel.accounts.models import User

    boss = admin()
    with CaptureQueriesContext(connection) as before:
        dashboard_figures(live=True, actor=User.objects.get(pk=boss.pk), now=book["now"])
    for n in range(5):
        client = client_create(actor=None, data=client_data(currency="PLN"))
        proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount=f"{10 + n}.00")
        proforma_pay(actor=None, document_id=proforma.pk, amount=str(proforma.total))
    with CaptureQueriesContext(connection) as after:
        dashboard_figures(live=True, actor=User.objects.get(pk=boss.pk), now=book["now"])
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_dashboard_page_shows_the_cards_and_links_to_their_lists(book, client):
    client.force_login(admin())
    page = client.get("/staff/").content.decode()
    assert 'id="card-revenue"' in page and 'id="card-owing"' in page and 'id="card-at-risk"' in page
    assert "/staff/finance/documents/?status=UNPAID\"" in page
    assert "/staff/services/?provision_status=ERROR" in page
    assert "<svg" in page and 'aria-label="Revenue by month, USD"' in page
    assert book["bea"].number in page


def test_the_overdue_filter_lists_unpaid_documents_past_their_due_date(book):
    from clientpanel.invoicing.selectors import document_list

    boss = admin()
    assert not document_list(actor=boss, overdue=True, now=book["now"]).exists()
    later = document_list(actor=boss, overdue=True, now=book["later"])
    assert sorted(d.total for d in later) == [Decimal("61.50"), Decimal("123.00")]
    assert all(d.status == "UNPAID" for d in later)


def test_the_services_list_filters_by_status_and_provisioning_within_the_staff_members_clients(book, client):
    boss = admin()
    client.force_login(boss)
    page = client.get("/staff/services/?provision_status=ERROR").content.decode()
    assert "BBBBB3" in page and "BBBBB1" not in page and "AAAAA1" not in page
    page = client.get("/staff/services/?status=ACTIVE&q=VPS").content.decode()
    assert "AAAAA1" in page and "BBBBB1" not in page
    assert client.get("/staff/services/?status=NONSENSE").status_code == 200  # an unknown status is ignored
    limited = staff_create(email="limited@example.com", password="correct-horse-battery", firstname="L",
                           lastname="L", roles=["Administrator"], limited_to_assigned_clients=True)
    StaffAssignment.objects.create(staff=limited, client=book["bea"])
    client.force_login(limited)
    page = client.get("/staff/services/").content.decode()
    assert "BBBBB1" in page and "AAAAA1" not in page


def test_staff_who_see_every_client_read_the_snapshot_which_the_job_refreshes_when_old(book, settings):
    settings.CLIENTPANEL_DASHBOARD_REFRESH_MINUTES = 5
    boss, now = admin(), book["now"]
    first = dashboard_figures(actor=boss, now=now)  # no snapshot yet: computed and kept
    assert first.computed_at == now and DashboardSnapshot.objects.filter(key="all").count() == 1
    assert first.revenue["USD"][-1].revenue == Decimal("246.00")
    assert first.at_risk[0].client_id == book["bea"].pk and first.at_risk[0].shortfall == Decimal("50.00")
    client = client_create(actor=None, data=client_data(currency="USD"))
    proforma = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10.00")
    proforma_pay(actor=None, document_id=proforma.pk, amount="12.30")
    assert dashboard_figures(actor=boss, now=now).revenue["USD"][-1].revenue == Decimal("246.00")  # as of then
    assert job_refresh_dashboard(now=now + dt.timedelta(minutes=4)) == {"refreshed": 0}
    assert job_refresh_dashboard(now=now + dt.timedelta(minutes=6)) == {"refreshed": 1}
    again = dashboard_figures(actor=boss, now=now)
    assert again.computed_at == now + dt.timedelta(minutes=6)
    this_month = next(m for m in again.revenue["USD"] if m.start == book["months"][-1])
    assert this_month.revenue == Decimal("258.30")
    live = dashboard_figures(live=True, actor=boss, now=now + dt.timedelta(minutes=6))
    assert (again.revenue, again.owing, again.balances, again.upcoming, again.at_risk) == (
        live.revenue, live.owing, live.balances, live.upcoming, live.at_risk)  # the snapshot keeps every figure
