"""Billing periods of months keep the day they started on (Service.billing_anchor_day).

Existing services with a price of months get the day their billing last started: the start of
the latest unbroken run of their period charges (each starting where the previous ended; an
unsuspension after an unpaid period restarts billing and begins a new run), else the day of
billed_until. A service drifted by the old clamping (31 Jan → 28 Feb → 28 Mar…) thus returns to
its day with its next period — 28 Mar → 30 Apr, one longer period at the usual price — with no
gap and no period charged twice (it starts at billed_until as always). Other services keep NULL:
their periods have no anchor, and one is set when their billing starts again."""

from django.db import migrations, models

MONTH_PERIODS = ("MONTHLY", "QUARTERLY", "SEMIANNUALLY", "ANNUALLY", "BIENNIALLY", "TRIENNIALLY")


def fill_anchor_days(apps, schema_editor):
    Service = apps.get_model("services", "Service")
    ServiceCharge = apps.get_model("services", "ServiceCharge")
    runs: dict = {}  # service id → (start of its latest unbroken run of periods, where that run ends)
    charges = (ServiceCharge.objects.filter(kind="PERIOD", service__period__in=MONTH_PERIODS,
                                            period_end__isnull=False)
               .order_by("service_id", "period_start").values_list("service_id", "period_start", "period_end"))
    for service_id, start, end in charges.iterator(chunk_size=5000):
        run = runs.get(service_id)
        runs[service_id] = (run[0] if run and run[1] == start else start, end)
    changed = []
    services = Service.objects.filter(period__in=MONTH_PERIODS, billed_until__isnull=False).only("id", "billed_until")
    for service in services.iterator(chunk_size=5000):
        run = runs.get(service.pk)
        # A run that does not end at billed_until was left behind by a restart (billing restarted now).
        start = run[0] if run and run[1] == service.billed_until else service.billed_until
        service.billing_anchor_day = start.day
        changed.append(service)
        if len(changed) >= 5000:
            Service.objects.bulk_update(changed, ["billing_anchor_day"])
            changed = []
    Service.objects.bulk_update(changed, ["billing_anchor_day"])


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_time_ordered_ids'),
        ('clients', '0021_time_ordered_ids'),
        ('services', '0006_provision_error_code'),
    ]

    operations = [
        migrations.AddField(
            model_name='service',
            name='billing_anchor_day',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='service',
            constraint=models.CheckConstraint(condition=models.Q(('billing_anchor_day__isnull', True), ('billing_anchor_day__range', (1, 31)), _connector='OR'), name='service_billing_anchor_day_valid'),
        ),
        migrations.RunPython(fill_anchor_days, migrations.RunPython.noop, elidable=True),
    ]
