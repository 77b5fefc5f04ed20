"""Settings → Home companies → Logo: upload an image (told by its content), see the refusal of
anything else, remove it; POST with CSRF only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from clientpanel.files.logos import LOGO_MAX_BYTES
from clientpanel.files.tests.helpers import stored_files, use_media_root
from clientpanel.files.tests.samples import SVG, png
from clientpanel.tax.selectors import default_home_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    return use_media_root(settings, tmp_path / "media")


def _post(browser, company, **data):
    return browser.post(reverse("backoffice:home-company-logo", args=[company.pk]), data, follow=True)


def test_upload_refuse_and_remove_a_logo(staff_client, media, django_capture_on_commit_callbacks):
    company = default_home_company()
    page = _post(staff_client, company, logo=SimpleUploadedFile("logo.png", png())).content.decode()
    assert "The logo is saved" in page and 'id="company-logo-card"' in page
    company.refresh_from_db()
    assert company.logo_content_type == "image/png"

    svg = _post(staff_client, company, logo=SimpleUploadedFile("logo.png", SVG, "image/png")).content.decode()
    assert "SVG" in svg
    big = _post(staff_client, company, logo=SimpleUploadedFile("big.png", png() + b"\0" * LOGO_MAX_BYTES))
    assert "larger than" in big.content.decode()
    text = _post(staff_client, company, logo=SimpleUploadedFile("logo.png", b"just some words", "image/png"))
    assert "A logo is a PNG or JPEG image." in text.content.decode()
    assert "PNG or JPEG, at most 1 MB and 2,000 × 2,000 pixels." in text.content.decode()
    none = _post(staff_client, company).content.decode()
    assert "Choose an image to upload." in none
    company.refresh_from_db()
    assert company.logo_content_type == "image/png" and len(stored_files(media)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert "The logo is removed." in _post(staff_client, company, action="remove").content.decode()
    company.refresh_from_db()
    assert company.logo_file == "" and stored_files(media) == []


def test_a_post_without_csrf_is_refused(staff, media):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff)
    response = strict.post(reverse("backoffice:home-company-logo", args=[default_home_company().pk]),
                           {"logo": SimpleUploadedFile("logo.png", png())})
    assert response.status_code == 403 and stored_files(media) == []
