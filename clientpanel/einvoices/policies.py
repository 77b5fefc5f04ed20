"""Who may do what with e-invoices. Reading follows the document (invoicing's selectors scope it:
staff who see the client, a portal user with Manage Invoices); the rest is the books' side."""

from __future__ import annotations

from clientpanel.accounts.roles import FINANCE, SETTINGS
from clientpanel.core.actor import holds_area

# Make a failed e-invoice again (after entering the missing rate), record its KSeF number.
can_manage_einvoices = holds_area(FINANCE)
# Enter the exchange rates that convert foreign-currency VAT (the books' figures).
can_enter_vat_rates = holds_area(FINANCE)
# Choose a home company's e-invoice format.
can_configure_einvoices = holds_area(SETTINGS)
