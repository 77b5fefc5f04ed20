"""Reads of CSV imports: a staff member's own import, the saved mappings."""

from __future__ import annotations

from itertools import islice

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import storages
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.core.actor import Actor
from clientpanel.core.errors import NotFound, ValidationFailed, require

from .. import policies
from ..models import ClientImport, ClientImportMapping, ClientImportStatus
from .columns import strip_formula_guard
from .reading import open_records


def own_import(actor: Actor, import_id, *, lock: bool = False) -> ClientImport:
    """An import the actor may work on: a staff member's own (the system's: any); NotFound
    otherwise, as for an id that names nothing."""
    imports = ClientImport.objects.select_related("created_by")
    if lock:
        imports = ClientImport.objects.select_for_update()
    if not actor.is_system:
        imports = imports.filter(created_by_id=actor.user_id)
    try:
        return imports.get(pk=import_id)
    except (ClientImport.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("Import not found.")) from None


def client_import_get(*, actor: ActorLike, import_id) -> ClientImport:
    """An import of the actor's own (staff see the imports they started; the system any)."""
    actor = as_actor(actor)
    require(policies.can_create_clients(actor), _("You are not allowed to create clients."))
    return own_import(actor, import_id)


def client_import_committable(imported: ClientImport) -> bool:
    """Whether the preview offers to import the file: its rows were checked (CHECKED), or an
    all-or-nothing import refused them and wrote nothing (REFUSED: ticking "Import the valid rows"
    imports it then). (A file removed meanwhile is refused by client_import_start, in words.)"""
    return imported.status in (ClientImportStatus.CHECKED, ClientImportStatus.REFUSED)


def client_import_mappings() -> QuerySet[ClientImportMapping]:
    return ClientImportMapping.objects.order_by("name")


def rejected_rows_name(imported: ClientImport) -> str:
    """The download name of an import's rejected rows: <file>-rejected.csv."""
    stem = imported.file_name.rsplit(".", 1)[0] or "clients"
    return f"{stem}-rejected.csv"


def client_import_sample(imported: ClientImport, count: int) -> list[list[str]]:
    """The first rows of the uploaded file (cells as written, the export's ' before formulas
    removed), for the mapping page; none once the file is gone."""
    if not imported.stored_name:
        return []
    try:
        raw = storages["default"].open(imported.stored_name, "rb")
    except OSError:
        return []
    text, rows = open_records(raw, imported.delimiter)
    with text:
        try:
            return [[strip_formula_guard(cell) for cell in cells] for _line, cells in islice(rows, count)]
        except ValidationFailed:
            return []
