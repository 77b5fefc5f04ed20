"""Finance → Reports (issue 14), Perfex's "reports by groups": the names the staff panel uses.

- revenue (reports/revenue.py): payments less credit notes by period, home company and group, and
  usage by product;
- tax collected (reports/tax_collected.py): per rate and country, reverse charge apart;
- aging and balances by group (reports/standing.py): where unpaid documents and balances stand now;
- the periods and filters they share (reports/periods.py), and the daily rollups that keep a year
  of a million clients' figures quick to read (reports/rollups.py).

Each report applies the actor's scope once (staff limited to their assigned clients see their
clients' figures only), adds up in the database with GROUP BY (a constant number of queries,
however many documents there are) and keeps every amount per currency. Money and documents fall on
the days of their home company's zone (reports/zones.py); charges (usage) on the server's."""

from .periods import (
    FIRST_DAY,
    GRANULARITIES,
    LAST_DAY,
    MAX_MONTHS,
    MONTH,
    NO_GROUP,
    QUARTER,
    Filters,
    Period,
    Range,
    default_range,
    months_between,
    periods_between,
)
from .revenue import Revenue, RevenueReport, Usage, revenue_report
from .standing import (
    AGING_LISTED,
    BUCKETS,
    DAYS_30,
    DAYS_60,
    DAYS_90,
    NOT_DUE,
    OVER_90,
    AgingLine,
    AgingReport,
    BalancesReport,
    Bucket,
    GroupBalances,
    Unpaid,
    aging_report,
    balances_report,
    bucket_of,
    filter_choices,
)
from .tax_collected import TaxReport, TaxRow, UntaxedRow, tax_report

__all__ = [
    "AGING_LISTED", "BUCKETS", "DAYS_30", "DAYS_60", "DAYS_90", "FIRST_DAY", "GRANULARITIES", "LAST_DAY",
    "MAX_MONTHS", "MONTH", "NOT_DUE", "NO_GROUP", "OVER_90", "QUARTER", "AgingLine", "AgingReport", "BalancesReport",
    "Bucket", "Filters",
    "GroupBalances", "Period", "Range", "Revenue", "RevenueReport", "TaxReport", "TaxRow", "Unpaid", "UntaxedRow",
    "Usage", "aging_report", "balances_report", "bucket_of", "default_range", "filter_choices", "months_between",
    "periods_between", "revenue_report", "tax_report",
]
