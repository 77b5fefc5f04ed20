"""One pass over an import's rows (check or commit): each row cleaned with client_create's own
cleaning, matched against existing clients (by number, then the owner's e-mail address; a row
contradicting its match is refused, existing.py), and skipped, updated, refused or — when
committing — written with the batch's other new clients
(new_rows.py), a batch at a time, in the caller's transaction."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from clientpanel.accounts.models import User, normalize_email
from clientpanel.core.actor import Actor
from clientpanel.core.bulk import CopySender, PreparedRows, without_collections
from clientpanel.core.csv_export import safe_cell
from clientpanel.core.errors import Conflict, DomainError, FieldErrors, ValidationFailed
from clientpanel.core.events import publish_all
from clientpanel.core.lookups import AnyOf
from clientpanel.core.places import FieldInvalid, clean_text
from clientpanel.core.text import visible_problem

from ..events import WelcomeEmailRequested
from ..models import Client, ClientGroup, ClientImport, OnExisting
from ..selectors import clients_visible_to
from ..services.cleaning import clean_new_client
from ..services.clients import lock_client
from ..services.profile import update_locked_client_and_billing
from .columns import ADDRESS_FIELDS, CLIENT_FIELDS, FIELDS, country_code, status_code
from .columns import strip_formula_guard as unguard
from .existing import Match, clear_region_left_behind, not_changed_by_update, two_clients
from .new_rows import ClientNumbers, new_client_rows
from .reading import UnclosedQuote

# Rows looked up and written at a time. 5,000 rather than 2,000: every batch is a moment where the
# importer waits for PostgreSQL (to look the next batch up), and PostgreSQL's time per batch comes
# in bursts (the trigram index's pending list is merged every 4 MB): a 100,000-row import took
# 16.5–17.5 s instead of 18.5, for 45 MB more of peak memory (216 MB).
CHUNK = 5000
PREVIEW_ROWS = 10  # the first rows the preview shows
PREVIEW_CELL = 200  # characters of a cell the preview keeps
MAX_ERRORS = 100  # rejected rows whose errors are kept on the import (all are in the rejected CSV)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Importer:
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
        self.numbers = ClientNumbers(before_first=lambda: self.sender.wait())
        self.welcome: list[WelcomeEmailRequested] = []
        self.sender = CopySender()
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
            billing["country"] = country_code(billing["country"])
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
        # The errors stand in their own column, under "Errors", whatever the row's length: a short
        # row is padded, a long row's surplus cells follow the errors (kept, not lost).
        width = len(self.headers)
        row = [safe_cell(cell) for cell in cells[:width]] + [""] * (width - len(cells))
        surplus = [safe_cell(cell) for cell in cells[width:]]
        self.rejected_writer.writerow([*row, safe_cell(" | ".join(messages)), *surplus])

    @property
    def writing(self) -> bool:
        """Whether rows are still written: a commit, unless all or nothing already lost a row."""
        return self.commit and (self.imported.valid_only or not self.counts["rejected"])

    # -- the pass

    def numbers_floor_from(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        """A first pass over the file's rows: its own client numbers, which ours must come after."""
        if "number" in self.columns:
            index = self.columns.index("number")
            self.numbers.floor_from(unguard(cells[index]).strip() for _line, cells in rows if index < len(cells))

    def run(self, rows: Iterable[tuple[int, list[str]]], total: int) -> None:
        """Every row, a batch at a time: batch k's new rows go to PostgreSQL from a second thread
        (core.bulk.CopySender) while batch k+1 is cleaned and its COPY text built; a batch's
        look-ups are made before the batch before it is sent, so the connection is free for them."""
        done = 0
        self.progress(0, total)
        built: PreparedRows | None = None
        try:
            with without_collections():
                for batch in _batches(rows, CHUNK):
                    looked_up = self._look_up(batch)
                    if built:
                        self.sender.send(built)
                    rows_of_batch = self._process(looked_up)
                    built = self.sender.prepare(rows_of_batch) if rows_of_batch else None
                    done += len(batch)
                    self.progress(done, total)
                if built:
                    self.sender.send(built)
                self.sender.close()
        except IntegrityError:
            self.sender.close(quiet=True)
            # A unique clash (an address or number taken since the look-up) or a foreign key
            # (the group deleted): each batch is checked as it is written.
            raise Conflict(_("Another change made while the file was being imported clashed with it (an e-mail "
                             "address or client number taken, or a group deleted); nothing was imported. Run the "
                             "import again."), code="import_conflict") from None
        except BaseException:
            self.sender.close(quiet=True)
            raise
        self.numbers.take()
        if self.welcome:
            publish_all(self.welcome)

    def _look_up(self, batch: list[tuple[int, list[str]]]) -> tuple[list, dict, set, set, dict]:
        """The batch's rows split in cells and values (lines too long rejected), and the existing
        clients and users they name, looked up by index a batch at a time as (id, number) pairs."""
        parsed = []
        for line, cells in batch:
            unreadable = None
            if isinstance(cells, UnclosedQuote):
                # Its cells are not the row's (the rest of the file is in the last one): no field's check says why.
                unreadable = [cells.problem(line)]
            cells = [unguard(cell) for cell in cells]
            values = {field: cells[i].strip() for i, field in enumerate(self.columns) if field and i < len(cells)}
            # Rejected where the row comes (_process), so the rejected rows keep the file's order.
            if unreadable is None and len(cells) > self.width:
                unreadable = [_("This line has %(found)d fields; the header has %(expected)d (a comma or semicolon "
                                "too many, or a quote not closed?).") % {"found": len(cells), "expected": self.width}]
            parsed.append((line, cells, values, unreadable))
        emails = {normalize_email(values.get("email", "")) for _l, _c, values, bad in parsed if not bad} - {""}
        numbers = {values.get("number", "") for _l, _c, values, bad in parsed if not bad} - {""}
        self.sender.wait()
        visible = clients_visible_to(self.actor)
        by_number = {number: Match(pk, number, normalize_email(owner)) for pk, number, owner in
                     visible.filter(AnyOf(F("number"), numbers)).values_list("pk", "number", "owner__email")
                     } if numbers else {}
        taken_numbers = set(Client.objects.filter(AnyOf(F("number"), numbers)).values_list("number", flat=True)) \
            if numbers else set()
        owners = dict(User.objects.filter(AnyOf(F("email"), emails)).values_list("pk", "email")) if emails else {}
        users = set(owners.values())
        by_owner: dict[str, Match] = {}
        if owners:
            owned = visible.filter(AnyOf(F("owner_id"), list(owners))).order_by("created_at")
            for pk, number, owner_id in owned.values_list("pk", "number", "owner_id"):
                by_owner.setdefault(owners[owner_id], Match(pk, number, owners[owner_id]))
        return parsed, by_number, taken_numbers, users, by_owner

    def _process(self, looked_up: tuple[list, dict, set, set, dict]) -> list | None:
        """Each row of a looked-up batch rejected, skipped, updated or cleaned as a new client;
        answers the new clients' rows to insert (None when nothing is written)."""
        parsed, by_number, taken_numbers, users, by_owner = looked_up
        new_rows = []
        for line, cells, values, unreadable in parsed:
            if unreadable:
                self._reject(line, cells, values, unreadable)
                continue
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
            if existing is not None and (problem := two_clients(existing, email, by_owner)):
                self._reject(line, cells, values, [problem])
            elif existing is not None:
                self._existing(line, cells, values, existing, email, number, by_number=number in by_number)
            else:
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
                problem = visible_problem(clean_text(number, max_length=40, label=FIELDS["number"], single_line=True),
                                          label=FIELDS["number"])
            except FieldInvalid as error:
                problem = str(error)
            if problem:
                errors.add("number", problem)
            if number in taken_numbers:
                errors.add("number", _("Client number %(number)s is already used.") % {"number": number})
        if errors:
            self._reject(line, cells, values, self._messages(errors.fields))
            return None
        self.counts["created"] += 1
        self._show(line, values, "create")
        return new, number, line

    def _existing(self, line, cells, values, client: Match, email: str, number: str, *, by_number: bool) -> None:
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
        problem = not_changed_by_update(client, email, number)
        messages = [problem] if problem else self._update(client, values)
        if messages:
            self._reject(line, cells, values, messages)
        else:
            self.counts["updated"] += 1
            self._show(line, values, "update")

    def _update(self, client: Match, values: dict[str, str]) -> list[str]:
        """Change the fields the row fills (an empty cell keeps the value) with client_update's and
        address_update's locked steps, in a savepoint: a refused row leaves nothing behind."""
        data = self._create_data({k: v for k, v in values.items() if v})
        data.pop("email", None)
        address_data = data.pop("billing_address")
        self.sender.wait()  # the connection is the sender's until its batch is in
        try:
            with transaction.atomic():
                # As client_update: a change of currency holds the balance row, so no post lands meanwhile.
                locked = lock_client(client.pk, self.actor, balance="currency" in data)
                clear_region_left_behind(locked, address_data)
                update_locked_client_and_billing(locked, data, address_data, publish_event=False)
        except ValidationFailed as refused:
            return self._messages(refused.fields) or [refused.message]
        except DomainError as refused:
            return [refused.message]
        return []

    def _rows_of(self, rows: list[tuple[dict, str, int]]) -> list[tuple[type, list[dict]]]:
        return new_client_rows(rows, actor=self.actor, imported=self.imported, next_number=self.numbers.next,
                               welcome=self.welcome)
