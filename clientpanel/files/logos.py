"""A home company's logo, shown at the top of its clients' portal and printed at the top of the
documents it issues: a PNG or JPEG image (told by its content and decoded, at most LOGO_MAX_BYTES and
LOGO_MAX_PIXELS a side) kept in the "default" storage under a name of ours. PNG and JPEG because a
PDF embeds them as they are; GIF and WebP logos uploaded before stay in the portal (and are printed
when reportlab can read them).
Like client files, the stored image and the row agree whatever fails: the new image is written
first and removed if the row's transaction does not commit; the old one is removed once it has."""

from __future__ import annotations

import logging
import uuid
from functools import partial
from typing import IO

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError  # Pillow comes with reportlab, which reads images with it

from clientpanel.accounts.actors import ActorLike, as_actor
from clientpanel.audit.services import audit_record
from clientpanel.core.errors import FieldErrors, NotFound, require
from clientpanel.core.locks import lock_one
from clientpanel.tax import policies as tax_policies
from clientpanel.tax.models import HomeCompany

from .detection import JPEG, PNG, Refused, detect
from .names import size_text
from .storage import file_storage, stored_file_remove, stored_file_save

logger = logging.getLogger(__name__)

LOGO_KINDS = (PNG, JPEG)
LOGO_MAX_BYTES = 1024 * 1024
# A side of at most this many pixels: a logo is printed some 5 cm wide, and a PDF decodes the image
# whole (2,000 × 2,000 × 4 bytes is 16 MB; a 1 MB PNG could otherwise claim gigabytes).
LOGO_MAX_PIXELS = 2000


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
        errors.add("logo", _("A logo is a PNG or JPEG image."))
        return None
    problem = _image_problem(file)
    if problem:
        errors.add("logo", problem)
        return None
    return kind


def _image_problem(file: IO[bytes]) -> str | None:
    """Why the image cannot be a logo (it does not decode, or it is too large a picture), or None.
    The size is read from the header before any pixel is decoded."""
    try:
        with Image.open(file) as image:
            width, height = image.size
            if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
                return _("The logo is %(width)s × %(height)s pixels; use at most %(limit)s × %(limit)s.") % {
                    "width": _pixels_text(width), "height": _pixels_text(height),
                    "limit": _pixels_text(LOGO_MAX_PIXELS)}
            image.load()  # decodes: a truncated or corrupt image is refused here, not when a PDF prints it
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return _("The image cannot be read; save it again as PNG or JPEG.")
    finally:
        file.seek(0)
    return None


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


def logo_dimensions_text() -> str:
    """What the upload takes, for the form's help text."""
    return _("PNG or JPEG, at most %(size)s and %(limit)s × %(limit)s pixels.") % {
        "size": size_text(LOGO_MAX_BYTES), "limit": _pixels_text(LOGO_MAX_PIXELS)}


def _pixels_text(pixels: int) -> str:
    """A number of pixels in the reader's language: "2,000" in English, "2 000" in Polish (not the
    English comma, which reads as a decimal point in Polish)."""
    return number_format(pixels, force_grouping=True)


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
