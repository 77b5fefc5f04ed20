"""Bank statements (issue 15): a CSV export of the bank account read (reading.py, with columns.py and
rows.py), its incoming transfers matched to proformas by number and amount (matching.py) as the
statement is imported (importing.py), reviewed by staff (reviewing.py) and recorded as payments
through invoicing (recording.py); reads in selectors.py, who may in policies.py.
Importers use the names listed here."""

from .columns import column_names
from .importing import (
    UPLOAD_KIND,
    bank_statement_file_keep,
    bank_statement_options_clean,
    bank_statement_upload,
    bank_statement_upload_run,
    bank_statement_upload_stalled,
)
from .policies import can_import_bank_statements
from .reading import max_bytes, read_statement, too_large_message
from .recording import RECORD_KIND, RecordOutcome, bank_statement_record, bank_statement_record_run
from .reviewing import bank_line_choose, bank_line_ignore
from .rows import BankRow
from .selectors import (
    bank_statement_get,
    bank_statement_lines,
    bank_statement_list,
    bank_statement_totals,
    proformas_due,
)

__all__ = [
    "RECORD_KIND",
    "UPLOAD_KIND",
    "BankRow",
    "RecordOutcome",
    "bank_line_choose",
    "bank_line_ignore",
    "bank_statement_file_keep",
    "bank_statement_get",
    "bank_statement_lines",
    "bank_statement_list",
    "bank_statement_options_clean",
    "bank_statement_record",
    "bank_statement_record_run",
    "bank_statement_totals",
    "bank_statement_upload",
    "bank_statement_upload_run",
    "bank_statement_upload_stalled",
    "can_import_bank_statements",
    "column_names",
    "max_bytes",
    "proformas_due",
    "read_statement",
    "too_large_message",
]
