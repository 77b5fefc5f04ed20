"""A report table keeps a day, a number and a link on one line ("2026-11-04" broke into "2026-" and
"11-04" in the aging report), and the columns it marks wide-only are left out below a wide screen
(the CSV keeps them), so a long row fits a laptop."""

from __future__ import annotations

import re
from decimal import Decimal

from clientpanel.backoffice.views.report_tables import Link, Money, Table


def _cells(html: str) -> list[str]:
    return re.findall(r'<td class="([^"]*)"', html)


def test_days_numbers_and_links_stay_on_one_line_and_wide_only_columns_hide_below_xxl():
    table = Table("documents", "Unpaid", [("Number", False), ("Client number", False), ("Client", False),
                                          ("Issue Date", False), ("Total", True)],
                  [[Link("PF/1", "/d/1"), "0010", "Jansen B.V.", "2026-11-04", Money(Decimal("60.5"), "EUR")]],
                  wide_only=frozenset({1}))
    number, client_number, client, day, total = _cells(table.body_html)
    assert "text-nowrap" in number and "text-nowrap" in day and "text-nowrap" in total
    assert "text-nowrap" not in client  # a name may wrap
    assert "d-none d-xxl-table-cell" in client_number
    assert not any("d-none" in css for css in (number, client, day, total))
    assert [css for _label, css in table.headers] == ["", "d-none d-xxl-table-cell", "", "", "text-end"]
