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
    """One UPDATE over the services and their charges (window functions), not a Python loop: at a
    million services with years of periods each (an hourly-billed monthly price has one an hour) the
    loop read every charge through Python and wrote the services back 5,000 at a time."""
    Service = apps.get_model("services", "Service")
    ServiceCharge = apps.get_model("services", "ServiceCharge")
    connection = schema_editor.connection
    service_table = connection.ops.quote_name(Service._meta.db_table)
    charge_table = connection.ops.quote_name(ServiceCharge._meta.db_table)
    product_table = connection.ops.quote_name(apps.get_model("catalog", "Product")._meta.db_table)
    # The day of the month in UTC, the time zone periods are counted in (calculations.anchor_day_of).
    day = ("extract(day FROM ({}) AT TIME ZONE 'UTC')::int" if connection.vendor == "postgresql"
           else "CAST(strftime('%%d', {}) AS INTEGER)")
    periods = ", ".join(["%s"] * len(MONTH_PERIODS))
    with connection.cursor() as cursor:
        # runs: per service, the start of its latest unbroken run of period charges (each starting
        # where the previous ended) and where its last charge ends.
        cursor.execute(
            f"WITH c AS (SELECT sc.service_id, sc.period_start, sc.period_end, "  # noqa: S608
            "CASE WHEN lag(sc.period_end) OVER w = sc.period_start THEN NULL ELSE sc.period_start END AS run_start, "
            "lead(sc.period_start) OVER w IS NULL AS is_last "
            f"FROM {charge_table} sc WHERE sc.kind = 'PERIOD' AND sc.period_end IS NOT NULL "
            f"AND sc.service_id IN (SELECT id FROM {service_table} WHERE period IN ({periods})) "
            "WINDOW w AS (PARTITION BY sc.service_id ORDER BY sc.period_start)), "
            "runs AS (SELECT service_id, max(run_start) AS run_start, "
            "max(CASE WHEN is_last THEN period_end END) AS run_end FROM c GROUP BY service_id) "
            # A run that does not end at billed_until was left behind by a restart (billing restarted then).
            f"UPDATE {service_table} SET billing_anchor_day = {day.format('COALESCE(t.run_start, t.billed_until)')} "
            f"FROM (SELECT s.id, s.billed_until, r.run_start FROM {service_table} s LEFT JOIN runs r "
            f"ON r.service_id = s.id AND r.run_end = s.billed_until WHERE s.period IN ({periods}) "
            # A monthly price billed by the hour keeps none: hours have no day of the month.
            f"AND s.billed_until IS NOT NULL AND NOT (s.period = 'MONTHLY' AND s.product_id IN "
            f"(SELECT id FROM {product_table} WHERE hourly_billing))) t WHERE {service_table}.id = t.id",
            [*MONTH_PERIODS, *MONTH_PERIODS])


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
