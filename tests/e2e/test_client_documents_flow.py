"""Client documents in the browser: staff upload a PDF on the Documents tab, see it listed, download
it as the same bytes, are told why a web page dressed as a PDF is refused, and delete the file after
confirming."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clientpanel.accounts.services import staff_create
from clientpanel.clients.services import client_create
from clientpanel.files.models import ClientFile
from conftest import client_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "first-day-at-work-42"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_upload_download_refuse_and_delete_a_clients_document(live_server, page, log_in):
    staff_create(email="admin@example.com", password=PASSWORD, roles=["Administrator"])
    client = client_create(actor=None, data=client_data(company_name="Paper Trail Ltd"))

    log_in("admin@example.com", PASSWORD)
    page.goto(f"{live_server.url}/staff/clients/{client.pk}/")
    page.locator(".nav-tabs").get_by_role("link", name="Documents").click()
    expect(page.locator("#client-files-table")).to_contain_text("No documents.")

    page.get_by_role("button", name="+ Upload").click()
    modal = page.locator("#modal")
    modal.get_by_label("File").set_input_files({"name": "invoice.pdf", "mimeType": "application/pdf",
                                                "buffer": b"<html><script>alert(1)</script></html>"})
    modal.get_by_label("Name").fill("Not really a PDF")
    modal.get_by_role("button", name="Save").click()
    expect(modal.locator(".invalid-feedback")).to_contain_text("markup or script files are not accepted")
    expect(modal.get_by_label("Name")).to_have_value("Not really a PDF")
    assert not ClientFile.objects.exists()

    modal.get_by_label("File").set_input_files({"name": "umowa.pdf", "mimeType": "application/pdf", "buffer": PDF})
    modal.get_by_label("Name").fill("Signed contract")
    modal.get_by_label("Note").fill("Both pages, signed 2026-11-20.")
    modal.get_by_label("Visible in the client portal").check()
    modal.get_by_role("button", name="Save").click()
    row = page.locator("#client-files-table tbody tr", has_text="Signed contract")
    expect(row).to_contain_text("PDF document")
    expect(row).to_contain_text("VISIBLE")
    expect(row).to_contain_text("admin@example.com")
    expect(page.locator(".alert-success")).to_contain_text("Signed contract uploaded.")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "Signed contract.pdf"
    assert Path(download.path()).read_bytes() == PDF

    page.on("dialog", lambda dialog: dialog.accept()
            if re.match(r"Delete Signed contract\?", dialog.message) else dialog.dismiss())
    row.get_by_role("button", name="Delete").click()
    expect(page.locator("#client-files-table")).to_contain_text("No documents.")
    expect(page.locator(".alert-success")).to_contain_text("Signed contract deleted.")
    assert not ClientFile.objects.exists()
