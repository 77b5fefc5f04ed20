"""CSV import of clients (issue 13): upload → map columns → check (the preview) → commit.

- **Upload** (`client_import_upload`) reads the whole file once as a stream: what is not a CSV file
  of clients is refused there (binary, not UTF-8, no header, no rows, over the size limit). The
  file is kept in the default storage under our own name until it is committed (or for
  CLIENTPANEL_IMPORT_KEEP_DAYS).
- **Map** (`client_import_map`): the field each column feeds; each field from one column, the
  required ones present. A mapping can be saved by name and applied to the next file.
- **Check and commit** run as background tasks (`clients_import_run`, kind "clients.import"), or
  in the command. Both read the file row by row and clean each row with client_create's own
  cleaning (`clean_new_client`); existing clients (matched by number, then by the owner's e-mail)
  are skipped, updated through client_update's and address_update's locked steps, or refused. A
  commit writes new clients in batches inside ONE transaction: all or nothing by default (a
  rejected row rolls everything back), or the valid rows only. A check does the same without
  writing new rows and rolls back whatever the updates wrote. Either leaves the counts, the first
  rows, the first rejected rows' errors and a CSV of every rejected row with its errors.
- A commit records one audit event for the import and, as client_create does, one per created
  client and billing address (and the update services' own for updated ones); it publishes ONE
  `import.completed` event — no client.created per client — and welcome e-mails only when asked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any, NamedTuple

import pycountry
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor, staff_actor
from clientpanel.accounts.models import User, normalize_email
from clientpanel.audit.models import AuditEvent
from clientpanel.audit.services import audit_events_of, audit_record
from clientpanel.core.actor import Actor, acting_as
from clientpanel.core.bulk import CopySender, fewer_collections
from clientpanel.core.csv_export import BOM, safe_cell
from clientpanel.core.errors import (
    Conflict,
    DomainError,
    FieldErrors,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    require,
)
from clientpanel.core.events import publish, publish_all
from clientpanel.core.numbering import format_number, pattern_number, sequence_take
from clientpanel.core.places import FieldInvalid, clean_text

from .. import policies
from ..events import ImportCompleted, WelcomeEmailRequested
from ..models import (
    Address,
    Client,
    ClientBalance,
    ClientGroup,
    ClientImport,
    ClientImportMapping,
    ClientImportStatus,
    ClientUser,
    OnExisting,
    StaffAssignment,
)
from ..permissions import ALL_PERMISSIONS
from ..selectors import clients_visible_to
from ..services.cleaning import clean_new_client
from ..services.clients import lock_client, new_client_values
from ..services.profile import update_locked_client_and_billing
from . import reading
from .columns import ADDRESS_FIELDS, CLIENT_FIELDS, FIELDS, guess_columns, mapping_problems, status_code
from .columns import strip_formula_guard as unguard
from .selectors import own_import

logger = logging.getLogger(__name__)

KIND = "clients.import"
STORAGE_DIR = "client-imports"
CHUNK = 2000  # rows looked up and written at a time
PREVIEW_ROWS = 10  # the first rows the preview shows
PREVIEW_CELL = 200  # characters of a cell the preview keeps
MAX_ERRORS = 100  # rejected rows whose errors are kept on the import (all are in the rejected CSV)
BUSY = (ClientImportStatus.CHECKING, ClientImportStatus.IMPORTING)


def max_import_bytes() -> int:
    return int(settings.CLIENTPANEL_IMPORT_MAX_BYTES)


def too_large_message() -> str:
    megabytes = max_import_bytes() / (1024 * 1024)
    return _("The file is larger than %(limit)s MB; split it into smaller files.") % {"limit": f"{megabytes:g}"}


def _storage():
    return storages["default"]


def _store(name: str, content: IO[bytes]) -> str:
    try:
        return _storage().save(name, content if isinstance(content, File) else File(content))
    except Exception as error:  # a full disk, S3 refusing: any backend's own errors
        logger.exception("Could not store %s", name)
        _remove(name)
        raise DomainError(_("The file could not be stored; nothing was saved. Try again, and tell the "
                            "administrator if it keeps failing."), code="file_not_stored") from error


def _remove(name: str) -> None:
    if not name:
        return
    try:
        _storage().delete(name)
    except Exception:
        logger.exception("Could not remove the stored file %s", name)


# --- upload and mapping --------------------------------------------------------------------------

def client_import_upload(*, actor: ActorLike, file: IO[bytes], name: str, size: int | None = None,
                         mapping: dict[str, str] | None = None) -> ClientImport:
    """Check a CSV file of clients and keep it for the next steps; the columns are guessed from its
    headers (or taken from `mapping`, {header: field}). Refuses, storing nothing, a file over the
    size limit or one that is not a CSV file of clients (ValidationFailed on "file")."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    file.seek(0, io.SEEK_END)
    size = file.tell() if size is None else size
    if size > max_import_bytes():
        raise reading.file_refused(too_large_message())
    shape = reading.inspect(file)
    import_id = uuid.uuid4()
    file.seek(0)
    stored = _store(f"{STORAGE_DIR}/{import_id}.csv", file)
    try:
        return ClientImport.objects.create(
            id=import_id, created_by=actor.user if actor.is_staff_side else None,
            file_name=(name or "clients.csv")[:255], stored_name=stored, size=size, delimiter=shape.delimiter,
            headers=shape.headers, row_count=shape.row_count, columns=guess_columns(shape.headers, mapping))
    except Exception:
        _remove(stored)
        raise


def _refuse_when_busy(imported: ClientImport) -> None:
    if imported.status in BUSY:
        raise Conflict(_("This file is being checked or imported; wait for the task to end."), code="import_busy")
    if imported.status == ClientImportStatus.IMPORTED:
        raise Conflict(_("This file is imported already; upload it again to import it once more."),
                       code="import_done")


def client_import_map(*, actor: ActorLike, import_id, columns: list[str], save_as: str = "") -> ClientImport:
    """Set the field of each column ("" for none); refused when a field would be fed by two
    columns or a required one by none. `save_as` also saves the mapping under that name (replacing
    one of the same name) for the next file. A new mapping voids the last check."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    columns = [str(c or "") for c in columns]
    save_as = (save_as or "").strip()
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        _refuse_when_busy(imported)
        problems = mapping_problems(imported.headers, columns)
        if save_as:
            try:
                save_as = clean_text(save_as, max_length=100, label=_("Mapping name"))
            except FieldInvalid as error:
                problems.setdefault("save_as", []).append(str(error))
        if problems:
            raise ValidationFailed(_("The mapping is not complete: %(problems)s")
                                   % {"problems": " ".join(m for ms in problems.values() for m in ms)}, fields=problems)
        imported.columns = columns
        imported.status = ClientImportStatus.UPLOADED
        imported.counts, imported.preview, imported.errors = {}, [], []
        imported.save(update_fields=["columns", "status", "counts", "preview", "errors"])
        if save_as:
            fields = {header: field for header, field in zip(imported.headers, columns, strict=True) if field}
            ClientImportMapping.objects.update_or_create(name=save_as, defaults={
                "fields": fields, "created_by": actor.user if actor.is_staff_side else None})
            audit_record(action="client_import.mapping_save", object_type="clientimportmapping",
                         object_id=save_as, object_label=save_as, changes={"fields": [None, fields]})
    return imported


def client_import_discard(*, actor: ActorLike, import_id) -> None:
    """Forget an import that will not be run (its file and row), unless it is running."""
    actor = as_actor(actor)
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        if imported.status in BUSY:
            raise Conflict(_("This file is being checked or imported; wait for the task to end."), code="import_busy")
        imported.delete()
    transaction.on_commit(lambda: (_remove(imported.stored_name), _remove(imported.rejected_name)))


def client_import_mapping_apply(*, actor: ActorLike, import_id, mapping_id) -> ClientImport:
    """Take a saved mapping's choices for this file's headers (matched by name), for review."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    try:
        mapping = ClientImportMapping.objects.get(pk=int(str(mapping_id)))
    except (ValueError, ClientImportMapping.DoesNotExist):
        raise NotFound(_("There is no such saved mapping.")) from None
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        _refuse_when_busy(imported)
        imported.columns = guess_columns(imported.headers, mapping.fields)
        imported.save(update_fields=["columns"])
    return imported


def client_import_start(*, actor: ActorLike, import_id, commit: bool, start: Callable[[dict], int | None],
                        on_existing: str | None = None, valid_only: bool | None = None,
                        send_welcome_emails: bool | None = None) -> ClientImport:
    """Queue a check (commit=False) or the commit of an import with these options. `start` queues
    the background task with its JSON arguments and answers its id (the interfaces pass
    automation's background_task_start; this domain does not import it)."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    errors = FieldErrors()
    if on_existing is not None and on_existing not in OnExisting.values:
        errors.add("on_existing", _("Choose skip, update or refuse."))
    errors.raise_if_any()
    if on_existing == OnExisting.UPDATE:
        require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    with transaction.atomic():
        imported = own_import(actor, import_id, lock=True)
        _refuse_when_busy(imported)
        if not imported.stored_name:
            raise Conflict(_("The uploaded file was removed (imports are kept %(days)d days); upload it again.")
                           % {"days": settings.CLIENTPANEL_IMPORT_KEEP_DAYS}, code="import_file_gone")
        problems = mapping_problems(imported.headers, imported.columns)
        if problems:
            raise ValidationFailed(_("Map the columns first: %(problems)s")
                                   % {"problems": " ".join(m for ms in problems.values() for m in ms)}, fields=problems)
        if on_existing is not None:
            imported.on_existing = on_existing
        if valid_only is not None:
            imported.valid_only = bool(valid_only)
        if send_welcome_emails is not None:
            imported.send_welcome_emails = bool(send_welcome_emails)
        imported.status = ClientImportStatus.IMPORTING if commit else ClientImportStatus.CHECKING
        imported.error = ""
        imported.task_id = start({"import_id": str(imported.pk), "commit": bool(commit)})
        imported.save()
    return imported


# --- running ------------------------------------------------------------------------------------

class _RollBack(Exception):
    """Leaves the import's transaction without keeping anything (a check, or all or nothing)."""


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _country(value: str) -> str:
    """A country's name ("Poland") where the file has one instead of its code; codes and unknown
    names are left to the country rule."""
    if len(value) <= 2:
        return value
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return value


class _Match(NamedTuple):
    """An existing client a row names (by its number, or its owner's e-mail address)."""

    pk: uuid.UUID
    number: str


class _Importer:
    """One pass over the rows of an import: cleans, matches, writes (when committing) and keeps
    what the preview, the result and the rejected CSV show."""

    def __init__(self, imported: ClientImport, actor: Actor, *, commit: bool, progress: Callable | None,
                 rejected_out: IO[str]):
        self.imported, self.actor, self.commit = imported, actor, commit
        self.progress = progress or (lambda done, total=None: None)
        self.columns = list(imported.columns)
        self.headers = list(imported.headers)
        self.width = len(self.headers)
        self.counts: Counter = Counter()
        self.errors: list[dict] = []
        self.preview: list[dict] = []
        self.seen_emails: dict[str, int] = {}
        self.seen_numbers: dict[str, int] = {}
        self.groups: dict[str, ClientGroup] = {}
        for group in ClientGroup.objects.all():
            self.groups.setdefault(group.name.casefold(), group)
            self.groups[str(group.pk)] = group
        self.number_floor = 0
        self.first_number: int | None = None
        self.numbers_used = 0
        self.welcome: list[WelcomeEmailRequested] = []
        self.sender = CopySender()
        self.pattern = settings.CLIENTPANEL_CLIENT_NUMBER_PATTERN
        self.today = timezone.localdate()
        self.rejected_writer = csv.writer(rejected_out, lineterminator="\r\n")
        self.rejected_writer.writerow([safe_cell(h) for h in self.headers] + [_("Errors")])
        self.label_of = {field: self.headers[i] for i, field in enumerate(self.columns) if field}

    # -- what a row says

    def _label(self, key: str) -> str:
        field = key.removeprefix("billing_address.")
        return self.label_of.get(field) or str(FIELDS.get(field, field))

    def _messages(self, fields: dict[str, list[str]]) -> list[str]:
        return [f"{self._label(key)}: {message}" for key, messages in fields.items() for message in messages]

    def _group(self, value: str):
        return self.groups.get(value.casefold(), self.groups.get(value, value)) if value else None

    def _create_data(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {field: values[field] for field in CLIENT_FIELDS if field in values}
        data["email"] = values.get("email", "")
        if data.get("status"):
            data["status"] = status_code(data["status"])
        if "group" in data:
            data["group"] = self._group(data["group"])
        billing = {field: values[field] for field in ADDRESS_FIELDS if field in values}
        if billing.get("country"):
            billing["country"] = _country(billing["country"])
        data["billing_address"] = billing
        return data

    # -- outcomes

    def _show(self, line: int, values: dict[str, str], outcome: str, messages: list[str] = ()) -> None:
        if len(self.preview) < PREVIEW_ROWS:
            # A cell is shown cut to PREVIEW_CELL characters: the preview is kept as JSON on the import.
            shown = {field: value if len(value) <= PREVIEW_CELL else value[:PREVIEW_CELL] + "…"
                     for field, value in values.items()}
            self.preview.append({"line": line, "values": shown, "outcome": outcome, "messages": list(messages)})

    def _reject(self, line: int, cells: list[str], values: dict[str, str], messages: list[str]) -> None:
        self.counts["rejected"] += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "messages": messages})
        self._show(line, values, "rejected", messages)
        self.rejected_writer.writerow([safe_cell(cell) for cell in cells] + [safe_cell(" | ".join(messages))])

    @property
    def writing(self) -> bool:
        """Whether rows are still written: a commit, unless all or nothing already lost a row."""
        return self.commit and (self.imported.valid_only or not self.counts["rejected"])

    # -- the pass

    def number_floor_from(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        """The highest counter value among the file's own client numbers made from our pattern, so
        that the numbers given to rows without one come after them."""
        if "number" not in self.columns:
            return
        index = self.columns.index("number")
        for _line, cells in rows:
            if index < len(cells):
                value = pattern_number(self.pattern, unguard(cells[index]).strip())
                if value is not None and value > self.number_floor:
                    self.number_floor = value

    def run(self, rows: Iterable[tuple[int, list[str]]], total: int) -> None:
        """Every row, a batch at a time: batch k's new rows go to PostgreSQL from a second thread
        (core.bulk.CopySender) while batch k+1 is cleaned; a batch's look-ups are made before the
        batch before it is sent, so the connection is free for them."""
        done = 0
        self.progress(0, total)
        built: list | None = None
        try:
            with fewer_collections():
                for batch in _batches(rows, CHUNK):
                    looked_up = self._look_up(batch)
                    if built:
                        self.sender.send(built)
                    built = self._process(looked_up)
                    done += len(batch)
                    self.progress(done, total)
                if built:
                    self.sender.send(built)
                self.sender.close()
        except IntegrityError:
            self.sender.close(quiet=True)
            raise Conflict(_("Another change took one of the file's e-mail addresses or client numbers while it was "
                             "being imported; nothing was imported. Run the import again."),
                           code="import_conflict") from None
        except BaseException:
            self.sender.close(quiet=True)
            raise
        if self.numbers_used:  # the client counter, held since the first batch, moves past them
            first = sequence_take(key="client", count=self.numbers_used)
            if first != self.first_number:
                raise RuntimeError("the client counter moved during the import")
        if self.welcome:
            publish_all(self.welcome)

    def _look_up(self, batch: list[tuple[int, list[str]]]) -> tuple[list, dict, set, set, dict]:
        """The batch's rows split in cells and values (lines too long rejected), and the existing
        clients and users they name, looked up by index a batch at a time as (id, number) pairs."""
        parsed = []
        for line, cells in batch:
            cells = [unguard(cell) for cell in cells]
            values = {field: cells[i].strip() for i, field in enumerate(self.columns) if field and i < len(cells)}
            if len(cells) > self.width:
                self._reject(line, cells, values, [
                    _("This line has %(found)d fields; the header has %(expected)d (a comma or semicolon too many, "
                      "or a quote not closed?).") % {"found": len(cells), "expected": self.width}])
                continue
            parsed.append((line, cells, values))
        emails = {normalize_email(values.get("email", "")) for _l, _c, values in parsed} - {""}
        numbers = {values.get("number", "") for _l, _c, values in parsed} - {""}
        self.sender.wait()
        visible = clients_visible_to(self.actor)
        by_number = {number: _Match(pk, number) for pk, number in
                     visible.filter(number__in=numbers).values_list("pk", "number")} if numbers else {}
        taken_numbers = set(Client.objects.filter(number__in=numbers).values_list("number", flat=True)) \
            if numbers else set()
        owners = dict(User.objects.filter(email__in=emails).values_list("pk", "email")) if emails else {}
        users = set(owners.values())
        by_owner: dict[str, _Match] = {}
        if owners:
            owned = visible.filter(owner_id__in=list(owners)).order_by("created_at")
            for pk, number, owner_id in owned.values_list("pk", "number", "owner_id"):
                by_owner.setdefault(owners[owner_id], _Match(pk, number))
        return parsed, by_number, taken_numbers, users, by_owner

    def _process(self, looked_up: tuple[list, dict, set, set, dict]) -> list | None:
        """Each row of a looked-up batch rejected, skipped, updated or cleaned as a new client;
        answers the new clients' rows to insert (None when nothing is written)."""
        parsed, by_number, taken_numbers, users, by_owner = looked_up
        new_rows = []
        for line, cells, values in parsed:
            email = normalize_email(values.get("email", ""))
            number = values.get("number", "")
            messages = []
            if email and email in self.seen_emails:
                messages.append(_("%(label)s: %(email)s is already on line %(line)d of this file.")
                                % {"label": self._label("email"), "email": email, "line": self.seen_emails[email]})
            if number and number in self.seen_numbers:
                messages.append(_("%(label)s: %(number)s is already on line %(line)d of this file.")
                                % {"label": self._label("number"), "number": number, "line": self.seen_numbers[number]})
            if email:
                self.seen_emails.setdefault(email, line)
            if number:
                self.seen_numbers.setdefault(number, line)
            if messages:
                self._reject(line, cells, values, messages)
                continue
            existing = by_number.get(number) if number else None
            if existing is None and email and email in by_owner and not (number and number in taken_numbers):
                existing = by_owner[email]
            if existing is not None:
                self._existing(line, cells, values, existing, by_number=number in by_number)
                continue
            new = self._clean_new(line, cells, values, email, number, users, taken_numbers)
            if new is not None:
                new_rows.append(new)
        if new_rows and self.writing:
            return self._rows_of(new_rows)
        return None

    def _clean_new(self, line, cells, values, email, number, users, taken_numbers):
        errors = FieldErrors()
        new = clean_new_client(self._create_data(values), errors, email_must_be_new=False)
        if email and email in users:
            errors.add("email", _("A user with this email address already exists."))
        if number:
            try:
                clean_text(number, max_length=40, label=FIELDS["number"])
            except FieldInvalid as error:
                errors.add("number", str(error))
            if number in taken_numbers:
                errors.add("number", _("Client number %(number)s is already used.") % {"number": number})
        if errors:
            self._reject(line, cells, values, self._messages(errors.fields))
            return None
        self.counts["created"] += 1
        self._show(line, values, "create")
        return new, number, line

    def _existing(self, line, cells, values, client: _Match, *, by_number: bool) -> None:
        on_existing = self.imported.on_existing
        if on_existing == OnExisting.SKIP:
            self.counts["skipped"] += 1
            self._show(line, values, "skip")
            return
        if on_existing == OnExisting.REFUSE:
            message = (_("Client %(number)s already exists (the same client number).") if by_number else
                       _("Client %(number)s already exists (its owner has this e-mail address)."))
            self._reject(line, cells, values, [message % {"number": client.number}])
            return
        messages = self._update(client, values)
        if messages:
            self._reject(line, cells, values, messages)
        else:
            self.counts["updated"] += 1
            self._show(line, values, "update")

    def _update(self, client: _Match, values: dict[str, str]) -> list[str]:
        """Change the fields the row fills (an empty cell keeps the value) with client_update's and
        address_update's locked steps, in a savepoint: a refused row leaves nothing behind."""
        data = self._create_data({k: v for k, v in values.items() if v})
        data.pop("email", None)
        address_data = data.pop("billing_address")
        self.sender.wait()  # the connection is the sender's until its batch is in
        try:
            with transaction.atomic():
                locked = lock_client(client.pk, self.actor)
                update_locked_client_and_billing(locked, data, address_data, publish_event=False)
        except ValidationFailed as refused:
            return self._messages(refused.fields) or [refused.message]
        except DomainError as refused:
            return [refused.message]
        return []

    def _number(self) -> str:
        """The next client number of the pattern. The first takes the client counter's row lock
        (held to the end of the import's transaction, so no one else takes numbers meanwhile) and
        reads where it stands; the rest are counted here and taken at the end of the run."""
        if self.first_number is None:
            self.sender.wait()
            self.first_number = sequence_take(key="client", count=0, after=self.number_floor)
        number = format_number(self.pattern, self.first_number + self.numbers_used, self.today)
        self.numbers_used += 1
        return number

    def _rows_of(self, rows: list[tuple[dict, str, int]]) -> list[tuple[type, list[dict]]]:
        """The batch's new clients with their owners, billing addresses, owner links (and
        assignments for staff limited to their clients), one audit event per client (client_create
        writes client.create with the owner and address.create; here the client's carries its
        billing address under "billing_address.…") and the welcome e-mails when asked — as values,
        not model instances: at 100,000 clients building instances costs more than writing them."""
        users, clients, balances, addresses, links, assignments, records = [], [], [], [], [], [], []
        limited = self.actor.is_staff_side and self.actor.limited_to_assigned
        # No password until the owner sets one (as client_create without one): Django's unusable
        # mark and a random tail, drawn once per batch — it is never checked against anything.
        unusable = make_password(None)
        permissions = list(ALL_PERMISSIONS)
        import_id = str(self.imported.pk)
        for new, number, _line in rows:
            cleaned = new["client"]
            number = number or self._number()
            owner = {"id": uuid.uuid4(), "email": new["email"], "firstname": cleaned["firstname"],
                     "lastname": cleaned["lastname"], "phone": cleaned["phone"] or "", "language": cleaned["language"],
                     "password": unusable}
            group = new["group"]
            client, address = new_client_values(cleaned, new["billing"], owner=owner, number=number,
                                                group_id=group.pk if group else None)
            users.append(owner)
            clients.append(client)
            balances.append({"client_id": client["id"], "currency": client["currency"]})
            addresses.append(address)
            links.append({"client_id": client["id"], "user_id": owner["id"], "permissions": permissions})
            if limited:
                assignments.append({"staff_id": self.actor.user_id, "client_id": client["id"]})
            records.append({"action": "client.create", "object_type": "client", "object_id": str(client["id"]),
                            "object_label": f"{number} {client['display_name']}", "client_id": client["id"],
                            "changes": _created(client, owner=owner["email"], client_import=import_id,
                                                billing=address)})
            if self.imported.send_welcome_emails:
                self.welcome.append(WelcomeEmailRequested(client_id=client["id"], user_id=owner["id"]))
        return [(User, users), (Client, clients), (ClientBalance, balances), (Address, addresses), (ClientUser, links),
                (StaffAssignment, assignments), (AuditEvent, audit_events_of(records, plain=True))]


# What an audit event of a creation leaves out (audit.services.created: ids, the search words).
_NOT_AUDITED = {"id", "search_text", "client_id", "owner_id"}


def _created(values: dict[str, Any], *, billing: dict[str, Any], **extra: Any) -> dict[str, list[Any]]:
    """audit.services.created for a client's row given as values, with its billing address's
    under "billing_address.…": every value that is set, from nothing."""
    changes = _set_values(values)
    changes.update({f"billing_address.{key}": value for key, value in _set_values(billing).items()})
    changes.update({key: [None, value] for key, value in extra.items()})
    return changes


def _set_values(values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for key, value in values.items():
        if key in _NOT_AUDITED or not value:  # nothing set: "", None, False, a zero amount
            continue
        changes["group" if key == "group_id" else key] = [None, value if type(value) is str else str(value)]
    return changes


def _records_of(imported: ClientImport) -> tuple[IO, Iterator[tuple[int, list[str]]]]:
    try:
        raw = _storage().open(imported.stored_name, "rb")
    except OSError:
        raise Conflict(_("The uploaded file is missing from the storage; upload it again."),
                       code="import_file_gone") from None
    text, rows = reading.open_records(raw, imported.delimiter)
    return text, rows


def _import(imported: ClientImport, actor: Actor, *, commit: bool, progress: Callable | None,
            task_id: int | None) -> dict[str, Any]:
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    if imported.on_existing == OnExisting.UPDATE:
        require(policies.can_edit_client(actor), _("You are not allowed to edit clients."))
    rejected_out = tempfile.TemporaryFile("w+b")  # noqa: SIM115 — closed below
    rejected_out.write(BOM)
    rejected_text = io.TextIOWrapper(rejected_out, encoding="utf-8", newline="")
    importer = _Importer(imported, actor, commit=commit, progress=progress, rejected_out=rejected_text)
    refused = False
    outcome: dict[str, Any] = {}

    def finish() -> None:
        """Store the rejected rows' CSV and write the import's outcome. For a commit this runs
        inside the import's transaction, so what it says and what was written commit together
        (nothing can fail after the commit and call a written import "nothing kept")."""
        rejected_name = ""
        if importer.counts["rejected"]:
            rejected_text.flush()
            rejected_out.seek(0)
            rejected_name = _store(f"{STORAGE_DIR}/{imported.pk}-rejected.csv", rejected_out)
            if commit and not refused:  # stored before the commit: removed below if it rolls back
                outcome["stored_in_transaction"] = rejected_name
        counts = {key: importer.counts[key] for key in ("created", "updated", "skipped", "rejected")}
        counts["rows"] = imported.row_count
        counts["valid"] = counts["rows"] - counts["rejected"]
        if refused:  # all or nothing: nothing was written
            counts["created"] = counts["updated"] = 0
        if commit and refused:
            status = ClientImportStatus.REFUSED
        elif commit:
            status = ClientImportStatus.IMPORTED
        else:
            status = ClientImportStatus.CHECKED
        ClientImport.objects.filter(pk=imported.pk).update(
            status=status, counts=counts, preview=_without_nul(importer.preview),
            errors=_without_nul(importer.errors), rejected_name=rejected_name, finished_at=timezone.now(),
            error="", stored_name="" if status == ClientImportStatus.IMPORTED else imported.stored_name)
        outcome.update(status=status, counts=counts, rejected_name=rejected_name)

    try:
        if commit:
            text, rows = _records_of(imported)
            with text:
                importer.number_floor_from(rows)
        text, rows = _records_of(imported)
        with text:
            try:
                with transaction.atomic():
                    importer.run(rows, imported.row_count)
                    refused = commit and not imported.valid_only and importer.counts["rejected"] > 0
                    if not commit or refused:
                        raise _RollBack
                    counts = importer.counts
                    audit_record(action="client_import.commit", target=imported, changes={
                        "file": [None, imported.file_name],
                        **{key: [None, counts[key]] for key in ("created", "updated", "skipped", "rejected")}})
                    publish(ImportCompleted(import_id=imported.pk, task_id=task_id, created=counts["created"],
                                            updated=counts["updated"], skipped=counts["skipped"],
                                            rejected=counts["rejected"]))
                    finish()
            except _RollBack:
                finish()  # a check, or all or nothing refused: nothing was written
            except BaseException:
                _remove(outcome.get("stored_in_transaction", ""))  # the transaction that kept it is gone
                raise
    finally:
        rejected_text.close()
    status = outcome["status"]
    # After the commit only clean-up remains, and _remove never raises: the outcome stands.
    previous_rejected = imported.rejected_name
    if previous_rejected and previous_rejected != outcome["rejected_name"]:
        _remove(previous_rejected)
    if status == ClientImportStatus.IMPORTED:
        _remove(imported.stored_name)
    return {"import_id": str(imported.pk), "mode": "commit" if commit else "check", "status": status,
            "counts": outcome["counts"]}


def _without_nul(value: Any) -> Any:
    """A cell's NUL characters as U+FFFD in what the import keeps as JSON (PostgreSQL's jsonb
    refuses NUL; the row itself is rejected for it by the cleaning)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


def client_import_run(*, actor: ActorLike, import_id, commit: bool, progress: Callable | None = None,
                      task_id: int | None = None) -> dict[str, Any]:
    """Check or commit an import here and now (the command; the background task below). Answers
    {"import_id", "mode", "status", "counts"}; the import keeps the preview and the errors. A
    failure of the whole file (it vanished, a race on an e-mail) marks the import FAILED and is
    raised."""
    actor = as_actor(actor)
    imported = own_import(actor, import_id)
    try:
        with acting_as(actor):
            return _import(imported, actor, commit=commit, progress=progress, task_id=task_id)
    except DomainError as error:
        ClientImport.objects.filter(pk=imported.pk).update(status=ClientImportStatus.FAILED, error=error.message,
                                                           finished_at=timezone.now())
        raise
    except Exception:
        ClientImport.objects.filter(pk=imported.pk).update(
            status=ClientImportStatus.FAILED, finished_at=timezone.now(),
            error=_("The import stopped on an unexpected error; nothing of it was kept."))
        raise


def clients_import_run(*, progress, import_id: str, commit: bool) -> dict[str, Any]:
    """The background task of kind "clients.import" (automation/registry.py): a check or a commit,
    run as the staff member who started it — refused, and the import marked failed, when that
    staff member no longer exists or is no longer staff (never run as the system instead)."""
    imported = ClientImport.objects.select_related("created_by").filter(pk=import_id).first()
    if imported is None:
        raise NotFound(_("Import not found."))
    user = imported.created_by
    if user is None or not (user.is_staff and user.is_active):
        message = _("The staff member who started this import can no longer import clients; nothing was imported.")
        ClientImport.objects.filter(pk=imported.pk).update(status=ClientImportStatus.FAILED, error=message,
                                                           finished_at=timezone.now())
        raise PermissionDenied(message)
    return client_import_run(actor=staff_actor(user), import_id=import_id, commit=commit, progress=progress,
                             task_id=getattr(progress, "task_id", None))


def clients_import_stalled(*, import_id: str, **_arguments: Any) -> None:
    """The task of an import stopped without finishing (its worker died; automation's stalled-task
    job): the import is no longer busy, so it can be checked or imported again, or discarded."""
    ClientImport.objects.filter(pk=import_id, status__in=BUSY).update(
        status=ClientImportStatus.FAILED, finished_at=timezone.now(),
        error=_("The import stopped without finishing (its worker was restarted); nothing of it was kept. "
                "Run it again."))


def job_client_imports_clean_up(*, now: dt.datetime) -> dict:
    """Remove the files of imports older than CLIENTPANEL_IMPORT_KEEP_DAYS (the upload not
    committed, the CSV of rejected rows); the import's counts and errors stay."""
    cutoff = now - dt.timedelta(days=int(settings.CLIENTPANEL_IMPORT_KEEP_DAYS))
    purged = 0
    old = ClientImport.objects.filter(created_at__lt=cutoff).exclude(stored_name="", rejected_name="").exclude(
        status__in=BUSY)
    for imported in old.iterator():
        _remove(imported.stored_name)
        _remove(imported.rejected_name)
        ClientImport.objects.filter(pk=imported.pk).update(stored_name="", rejected_name="")
        purged += 1
    return {"purged": purged}


def rejected_rows_open(imported: ClientImport) -> IO[bytes]:
    """The CSV of an import's rejected rows (with their errors), opened for reading."""
    if not imported.rejected_name:
        raise NotFound(_("This import has no rejected rows to download (or they were removed after %(days)d days).")
                       % {"days": settings.CLIENTPANEL_IMPORT_KEEP_DAYS})
    try:
        return _storage().open(imported.rejected_name, "rb")
    except OSError:
        raise NotFound(_("The file of rejected rows is missing from the storage.")) from None
