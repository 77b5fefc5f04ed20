"""CSV import of clients (issue 13): columns.py (fields and header guessing), reading.py (the file),
services.py (the wizard's steps: upload, mapping, options), running.py (a check or a commit),
importer.py (its pass over the rows), new_rows.py (the values written), storage.py (the files),
selectors.py (reads). Other apps import the names
listed here."""

from .columns import FIELDS, NOT_IMPORTED, REQUIRED, guess_columns
from .importer import MAX_ERRORS, PREVIEW_ROWS
from .running import client_import_run, clients_import_run, clients_import_stalled
from .selectors import (
    client_import_committable,
    client_import_get,
    client_import_mappings,
    client_import_sample,
    rejected_rows_name,
)
from .services import (
    KIND,
    client_import_discard,
    client_import_map,
    client_import_mapping_apply,
    client_import_start,
    client_import_upload,
)
from .storage import job_client_imports_clean_up, max_import_bytes, rejected_rows_open, too_large_message

__all__ = [
    "FIELDS",
    "KIND",
    "MAX_ERRORS",
    "NOT_IMPORTED",
    "PREVIEW_ROWS",
    "REQUIRED",
    "client_import_committable",
    "client_import_discard",
    "client_import_get",
    "client_import_map",
    "client_import_mapping_apply",
    "client_import_mappings",
    "client_import_run",
    "client_import_sample",
    "client_import_start",
    "client_import_upload",
    "clients_import_run",
    "clients_import_stalled",
    "guess_columns",
    "job_client_imports_clean_up",
    "max_import_bytes",
    "rejected_rows_name",
    "rejected_rows_open",
    "too_large_message",
]
