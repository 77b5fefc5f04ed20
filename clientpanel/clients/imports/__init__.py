"""CSV import of clients (issue 13): columns.py (fields and header guessing), reading.py (the file),
services.py (upload, mapping, check and commit), selectors.py (reads). Other apps import the names
listed here."""

from .columns import FIELDS, NOT_IMPORTED, REQUIRED, guess_columns
from .selectors import client_import_get, client_import_mappings, client_import_sample, rejected_rows_name
from .services import (
    KIND,
    MAX_ERRORS,
    PREVIEW_ROWS,
    client_import_discard,
    client_import_map,
    client_import_mapping_apply,
    client_import_run,
    client_import_start,
    client_import_upload,
    clients_import_run,
    clients_import_stalled,
    job_client_imports_clean_up,
    max_import_bytes,
    rejected_rows_open,
    too_large_message,
)

__all__ = [
    "FIELDS",
    "KIND",
    "MAX_ERRORS",
    "NOT_IMPORTED",
    "PREVIEW_ROWS",
    "REQUIRED",
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
