"""A home company's logo: an image told by its content, at most LOGO_MAX_BYTES, stored under our
name; replacing or removing it removes the old image once the change is committed; the portal shows
it to the company's clients. PNG or JPEG only (documents print it), decoded, bounded in pixels."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from clientpanel.accounts.services import staff_create
from clientpanel.core.errors import PermissionDenied, ValidationFailed
from clientpanel.files.logos import LOGO_MAX_BYTES, LOGO_MAX_PIXELS, home_company_logo_remove, home_company_logo_set
from clientpanel.tax.models import HomeCompany
from clientpanel.tax.selectors import default_home_company

from .helpers import stored_files
from .samples import GIF, PDF, SVG, WEBP, png

pytestmark = pytest.mark.django_db
PNG = png()


def image_bytes(kind: str, width: int = 40, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


JPEG = image_bytes("JPEG")


def test_a_logo_is_stored_replaced_and_removed(media, django_capture_on_commit_callbacks):
    company = default_home_company()
    home_company_logo_set(actor=None, company_id=company.pk, file=ContentFile(PNG, name="logo.png"))
    company.refresh_from_db()
    assert company.logo_content_type == "image/png" and company.logo_file.endswith(".png")
    assert [p.read_bytes() for p in stored_files(media)] == [PNG]
    with django_capture_on_commit_callbacks(execute=True):
        home_company_logo_set(actor=None, company_id=company.pk, file=ContentFile(JPEG, name="logo.png"))
    company.refresh_from_db()
    assert company.logo_content_type == "image/jpeg" and company.logo_file.endswith(".jpg")
    assert [p.read_bytes() for p in stored_files(media)] == [JPEG]  # the old image went with the commit
    with django_capture_on_commit_callbacks(execute=True):
        home_company_logo_remove(actor=None, company_id=company.pk)
    company.refresh_from_db()
    assert company.logo_file == "" and stored_files(media) == []


@pytest.mark.parametrize(("content", "message"), [
    (SVG, "SVG"), (PDF, "PNG or JPEG"), (GIF, "PNG or JPEG"), (WEBP, "PNG or JPEG"), (b"", "empty"),
    (PNG + b"\x00" * LOGO_MAX_BYTES, "larger than"),
    (image_bytes("PNG", LOGO_MAX_PIXELS + 1, 10), "pixels"),
    (PNG[:40], "cannot be read"),  # a PNG's signature and header, its pixels cut off
])
def test_anything_but_a_small_image_is_refused_and_nothing_is_kept(media, content, message):
    company = default_home_company()
    with pytest.raises(ValidationFailed) as refused:
        home_company_logo_set(actor=None, company_id=company.pk, file=io.BytesIO(content))
    assert message in " ".join(refused.value.fields["logo"])
    assert stored_files(media) == [] and HomeCompany.objects.get(pk=company.pk).logo_file == ""


def test_only_settings_staff_change_the_logo(media):
    reader = staff_create(email="reader@example.com", password="correct-horse-battery", roles=["Read-only"])
    with pytest.raises(PermissionDenied):
        home_company_logo_set(actor=reader, company_id=default_home_company().pk, file=ContentFile(PNG))
    assert stored_files(media) == []


def test_the_portal_shows_its_companys_logo(media, make_client, client):
    company = default_home_company()
    owner_password = "portal-owner-passphrase"
    owned = make_client(password=owner_password)
    client.post(reverse("portal:login"), {"email": owned.owner.email, "password": owner_password})
    assert client.get(reverse("portal:logo")).status_code == 404
    assert 'id="company-logo"' not in client.get(reverse("portal:dashboard")).content.decode()
    home_company_logo_set(actor=None, company_id=company.pk, file=ContentFile(PNG))
    assert 'id="company-logo"' in client.get(reverse("portal:dashboard")).content.decode()
    image = client.get(reverse("portal:logo"))
    assert image.content == PNG and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"


def test_the_pixel_limit_is_written_in_the_readers_number_format(media):
    from django.utils import translation

    from clientpanel.files.logos import logo_dimensions_text

    assert "2,000 × 2,000 pixels" in logo_dimensions_text()
    with translation.override("pl"):
        polish = logo_dimensions_text()
        with pytest.raises(ValidationFailed) as refused:
            home_company_logo_set(actor=None, company_id=default_home_company().pk,
                                  file=io.BytesIO(image_bytes("PNG", 12345, 10)))
    assert "2\u00a0000 × 2\u00a0000" in polish and "2,000" not in polish  # a comma reads as a decimal point
    assert "12\u00a0345 × 10" in refused.value.fields["logo"][0] and "2,000" not in refused.value.fields["logo"][0]
