"""manage.py import_clients FILE [--mapping FILE] [--commit] [--on-existing skip|update|refuse]
[--valid-only] [--send-welcome-emails]: the CSV import of the staff panel (Clients → Import) from a
shell. Without --commit it is a dry run: the rows are checked and counted, nothing is written.
Exit status: 0 when every row is fine, 1 when rows were rejected (with all or nothing, nothing was
written), 2 when the file or the mapping cannot be used at all."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientpanel.clients.imports import (
    MAX_ERRORS,
    client_import_map,
    client_import_run,
    client_import_upload,
)
from clientpanel.clients.imports.selectors import own_import
from clientpanel.clients.models import ClientImport, OnExisting
from clientpanel.core.actor import SYSTEM
from clientpanel.core.errors import DomainError, ValidationFailed


class Command(BaseCommand):
    requires_system_checks: list = []  # a data command: `manage.py check` is the place for those
    help = "Import clients from a CSV file (a dry run unless --commit); exits 1 when rows were rejected."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file: UTF-8 (with or without BOM), comma or semicolon, a header line")
        parser.add_argument("--mapping", help='JSON file {"CSV header": "field", …}; default: guessed from the headers')
        parser.add_argument("--commit", action="store_true", help="write the clients (default: a dry run)")
        parser.add_argument("--on-existing", choices=OnExisting.values, default=OnExisting.SKIP,
                            help="clients matched by number, then owner e-mail: skip (default), update or refuse")
        parser.add_argument("--valid-only", action="store_true",
                            help="write the valid rows even when others are rejected (default: all or nothing)")
        parser.add_argument("--send-welcome-emails", action="store_true", help="send each new owner the welcome e-mail")

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, file: str, mapping: str | None, commit: bool, on_existing: str, valid_only: bool,
               send_welcome_emails: bool, **options):
        path = Path(file)
        fields = None
        if mapping:
            try:
                fields = json.loads(Path(mapping).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                self._fail(_("Cannot read the mapping %(file)s: %(error)s") % {"file": mapping, "error": error})
            if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
                self._fail(_('The mapping must be a JSON object of "CSV header": "field".'))
        try:
            with path.open("rb") as handle:
                imported = client_import_upload(actor=None, file=handle, name=path.name, mapping=fields)
        except OSError as error:
            self._fail(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror or error})
        except DomainError as error:
            self._fail(self._refusal(error))
        try:
            client_import_map(actor=None, import_id=imported.pk, columns=imported.columns)
        except ValidationFailed as error:
            self._fail(self._columns(imported, error))
        ClientImport.objects.filter(pk=imported.pk).update(on_existing=on_existing, valid_only=valid_only,
                                                           send_welcome_emails=send_welcome_emails)
        try:
            result = client_import_run(actor=None, import_id=imported.pk, commit=commit)
        except DomainError as error:
            self._fail(self._refusal(error))
        self._report(own_import(SYSTEM, imported.pk), result, commit=commit)
        if result["counts"]["rejected"]:
            sys.exit(1)

    @staticmethod
    def _refusal(error: DomainError) -> str:
        """The refusal with what is wrong in each field ("mapping: Contains a NUL byte…"), not only
        the summary that names the fields."""
        details = [f"{name}: {message}" for name, messages in error.fields.items() for message in messages
                   if message != error.message]
        return "\n".join([error.message, *details])

    def _columns(self, imported: ClientImport, error: ValidationFailed) -> str:
        lines = [_("Columns: %(columns)s") % {"columns": ", ".join(
            f"{header} → {field or '-'}" for header, field in zip(imported.headers, imported.columns, strict=True))}]
        lines += [message for messages in error.fields.values() for message in messages]
        return "\n".join(lines)

    def _report(self, imported: ClientImport, result: dict, *, commit: bool) -> None:
        counts = result["counts"]
        if commit:
            summary = ngettext("%(rows)d row: %(created)d created, %(updated)d updated, %(skipped)d skipped, "
                               "%(rejected)d rejected.",
                               "%(rows)d rows: %(created)d created, %(updated)d updated, %(skipped)d skipped, "
                               "%(rejected)d rejected.", counts["rows"])
        else:
            summary = ngettext("Dry run, nothing written. %(rows)d row: %(created)d to create, %(updated)d to "
                               "update, %(skipped)d to skip, %(rejected)d rejected.",
                               "Dry run, nothing written. %(rows)d rows: %(created)d to create, %(updated)d to "
                               "update, %(skipped)d to skip, %(rejected)d rejected.", counts["rows"])
        self.stdout.write(summary % counts)
        for error in imported.errors:
            self.stderr.write(_("Line %(line)d: %(messages)s") % {"line": error["line"],
                                                                  "messages": " | ".join(error["messages"])})
        if counts["rejected"] > MAX_ERRORS:
            more = counts["rejected"] - MAX_ERRORS
            self.stderr.write(ngettext("… and %(more)d more rejected row.", "… and %(more)d more rejected rows.", more)
                              % {"more": more})
        if counts["rejected"]:
            if commit and not imported.valid_only:
                self.stderr.write(_("Nothing was written: a row was rejected and the import is all or nothing "
                                    "(--valid-only writes the valid rows)."))
            self.stderr.write(_("The rejected rows with their errors: %(name)s (in the file storage)")
                              % {"name": imported.rejected_name})
