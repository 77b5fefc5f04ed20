"""Query lookups of our own."""

from __future__ import annotations

from typing import Any

from django.db.models.lookups import In


class AnyOf(In):
    """`field IN (values…)` for thousands of values (a CSV import looks 5,000 e-mail addresses up
    at a time). On PostgreSQL it is sent as `field = ANY(%s)` with the values as one array
    parameter, which Django compiles and PostgreSQL plans in a fraction of the time of an IN list
    of 5,000 parameters; elsewhere it is the IN list. Used as an expression: for example
    `User.objects.filter(AnyOf(F("email"), emails))`."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)
