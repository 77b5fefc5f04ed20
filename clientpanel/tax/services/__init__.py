"""Writes for home companies (companies.py) and tax rules (tax_rules.py). Importers use the names
listed here."""

from .companies import home_company_save, reminder_days
from .tax_rules import tax_presets_apply, tax_rule_delete, tax_rule_save

__all__ = ["home_company_save", "reminder_days", "tax_presets_apply", "tax_rule_delete", "tax_rule_save"]
