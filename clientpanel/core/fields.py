"""AmountField: the one model field for money that is ever summed.

Stored as a 64-bit integer of 1/10,000 currency units and read back as Decimal: integer sums are
exact on every database, where SQLite's decimal sums are not.
"""

from __future__ import annotations

from decimal import Decimal

from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models

from .money import AMOUNT_MAX, AmountError, amount_to_units, parse_amount, units_to_amount


class AmountField(models.BigIntegerField):
    description = "Money amount with 4 decimal places, stored as integer 1/10,000 units"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return units_to_amount(value)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return parse_amount(value)
        except AmountError as error:
            raise ValidationError(str(error), code="invalid") from None

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("AmountField refuses floats; use Decimal")
        if isinstance(value, str):
            value = parse_amount(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if isinstance(value, Decimal):
            if abs(value) > AMOUNT_MAX:
                raise ValueError("Amount out of range")
            return amount_to_units(value)
        # Expressions (F(), Sum) pass through untouched.
        return super().get_prep_value(value)

    def formfield(self, **kwargs):
        from django import forms

        return forms.DecimalField(max_digits=16, decimal_places=4, **kwargs)

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_default()]

    def _check_default(self):
        if isinstance(self.default, float):
            return [checks.Error("AmountField default must not be a float", obj=self)]
        return []
