"""A home company's logo, shown at the top of its clients' portal: an image (PNG, JPEG, GIF or WebP,
told by its content, at most LOGO_MAX_BYTES) kept in the "default" storage under a name of ours.
Like client files, the stored image and the row agree whatever fails: the new image is written
first and removed if the row's transaction does not commit; the old one is removed once it has."""

from __future__ import annotations

import logging
import uuid
from functools import partial
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, NotFound, require
from clientpanel.core.locks import lock_one
from clientpanel.tax import policies as tax_policies
from clientpanel.tax.models import HomeCompany

from .detection import GIF, JPEG, PNG, WEBP, Refused, detect
from .names import size_text
from .storage import file_storage, stored_file_remove, stored_file_save

logger = logging.getLogger(__name__)

LOGO_KINDS = (PNG, JPEG, GIF, WEBP)
LOGO_MAX_BYTES = 1024 * 1024


def too_large_message() -> str:
    """The refusal of a logo over the limit (the upload view says it too, when it stopped reading
    such a file before it reached the service)."""
    return _("The logo is larger than %(limit)s; upload a smaller image.") % {"limit": size_text(LOGO_MAX_BYTES)}


def _checked_image(file: IO[bytes] | None, errors: FieldErrors):
    if file is None:
        errors.add("logo", _("Choose an image to upload."))
        return None
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    if size > LOGO_MAX_BYTES:
        errors.add("logo", too_large_message())
        return None
    try:
        kind = detect(file)
    except Refused as refusal:
        errors.add("logo", str(refusal))
        return None
    if kind not in LOGO_KINDS:
        errors.add("logo", _("A logo is a PNG, JPEG, GIF or WebP image."))
        return None
    return kind


def home_company_logo_set(*, actor: ActorLike, company_id, file: IO[bytes] | None) -> HomeCompany:
    """Replace (or add) the company's logo; field errors on `logo` and nothing written for anything
    but an image of an allowed kind and size."""
    require(tax_policies.can_change_tax_settings(as_actor(actor)),
            _("You are not allowed to change home companies and taxes."))
    if not HomeCompany.objects.filter(pk=company_id).exists():
        raise NotFound(_("Home company not found."))
    errors = FieldErrors()
    kind = _checked_image(file, errors)
    errors.raise_if_any()
    stored = stored_file_save(f"logos/{company_id}-{uuid.uuid4().hex}{kind.extensions[0]}", file)
    try:
        with transaction.atomic():
            company = lock_one(HomeCompany.objects, _("Home company not found."), pk=company_id)
            old = company.logo_file
            company.logo_file, company.logo_content_type = stored, kind.content_type
            company.save(update_fields=["logo_file", "logo_content_type"])
            audit_record(action="home_company.logo", target=company, changes={"logo": [old or None, stored]})
            if old:
                transaction.on_commit(partial(stored_file_remove, old))
    except BaseException:
        stored_file_remove(stored)
        raise
    return company


def home_company_logo_remove(*, actor: ActorLike, company_id) -> HomeCompany:
    require(tax_policies.can_change_tax_settings(as_actor(actor)),
            _("You are not allowed to change home companies and taxes."))
    with transaction.atomic():
        company = lock_one(HomeCompany.objects, _("Home company not found."), pk=company_id)
        old = company.logo_file
        if old:
            company.logo_file = company.logo_content_type = ""
            company.save(update_fields=["logo_file", "logo_content_type"])
            audit_record(action="home_company.logo", target=company, changes={"logo": [old, None]})
            transaction.on_commit(partial(stored_file_remove, old))
    return company


def home_company_logo_read(company: HomeCompany) -> bytes | None:
    """The logo's bytes, or None when it has none or the storage lost it."""
    if not company.logo_file:
        return None
    try:
        with file_storage().open(company.logo_file, "rb") as handle:
            return handle.read(LOGO_MAX_BYTES + 1)
    except OSError:
        logger.warning("The logo %s of home company %s is missing from the storage", company.logo_file, company.pk)
        return None
