"""Issuing at the top level: the series' counter row is held from the number to the commit, and the
document is finished (PDF, DocumentIssued) just after, by the finish_documents job if that fails."""

import datetime as dt
import threading

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from clientpanel.clients.services import client_create
from clientpanel.core.events import subscribe, unsubscribe
from clientpanel.invoicing import storage
from clientpanel.invoicing.events import DocumentIssued
from clientpanel.invoicing.models import Document
from clientpanel.invoicing.services import proforma_add_funds
from clientpanel.invoicing.services.issuing import job_finish_documents
from clientpanel.invoicing.storage import stored_pdf
from clientpanel.tax.selectors import default_home_company
from clientpanel.tax.services import tax_rule_save
from conftest import client_data


@pytest.fixture
def issued_events():
    seen: list = []

    def collect(events):
        seen.extend(events)

    subscribe(DocumentIssued, collect)
    yield seen
    unsubscribe(DocumentIssued, collect)


@pytest.fixture
def client(transactional_db):
    tax_rule_save(actor=None, company_id=default_home_company().pk, data={"tax1_name": "VAT", "tax1_rate": "23"})
    return client_create(actor=None, data=client_data())


def test_a_document_issued_at_the_top_level_is_finished_after_its_commit(client, issued_events):
    document = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    stored = Document.objects.get(pk=document.pk)
    assert stored.finished and stored.pdf_sha256 and stored.number == document.number
    assert stored_pdf(stored).startswith(b"%PDF")
    assert [event.document_id for event in issued_events] == [document.pk]


def test_inside_a_callers_transaction_it_is_finished_in_that_transaction(client, issued_events):
    with transaction.atomic():
        document = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
        assert Document.objects.get(pk=document.pk).finished and len(issued_events) == 1


def test_a_finishing_step_that_fails_leaves_the_document_issued_for_the_job(client, issued_events, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the renderer fell over")

    monkeypatch.setattr(storage, "document_pdf", broken)
    document = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")  # no error for the caller
    stored = Document.objects.get(pk=document.pk)
    assert stored.number and not stored.finished and not stored.pdf_name and issued_events == []
    monkeypatch.undo()

    assert job_finish_documents(now=timezone.now()) == {"finished": 0, "failed": 0}  # too recent: its request may
    later = timezone.now() + dt.timedelta(minutes=2)
    assert job_finish_documents(now=later) == {"finished": 1, "failed": 0}
    assert job_finish_documents(now=later) == {"finished": 0, "failed": 0}
    stored.refresh_from_db()
    assert stored.finished and stored.pdf_sha256 and [e.document_id for e in issued_events] == [document.pk]


def test_a_download_before_the_finishing_step_finishes_it_once(client, issued_events, monkeypatch):
    monkeypatch.setattr("clientpanel.invoicing.services.issuing.document_finish", lambda document: True)
    document = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    monkeypatch.undo()
    unfinished = Document.objects.get(pk=document.pk)
    assert not unfinished.finished
    assert stored_pdf(unfinished).startswith(b"%PDF")
    assert unfinished.finished and len(issued_events) == 1
    assert job_finish_documents(now=timezone.now() + dt.timedelta(minutes=2)) == {"finished": 0, "failed": 0}
    assert len(issued_events) == 1


def test_one_document_that_cannot_be_finished_holds_back_no_other(client, issued_events, monkeypatch):
    """A document of the release before (its PDF stored, its event published, the flag not set)
    is only marked; one whose PDF cannot be made is tried again later while the others go on."""
    older = proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    Document.objects.filter(pk=older.pk).update(finished=False)
    monkeypatch.setattr("clientpanel.invoicing.services.issuing.document_finish", lambda document: True)
    broken = proforma_add_funds(actor=None, client_id=client.pk, net_amount="11")
    fine = proforma_add_funds(actor=None, client_id=client.pk, net_amount="12")
    monkeypatch.undo()
    render = storage.document_pdf

    def refuses_one(document, **kwargs):
        if document.pk == broken.pk:
            raise RuntimeError("this one cannot be rendered")
        return render(document, **kwargs)

    monkeypatch.setattr(storage, "document_pdf", refuses_one)
    issued_events.clear()
    later = timezone.now() + dt.timedelta(minutes=2)
    assert job_finish_documents(now=later) == {"finished": 2, "failed": 1}
    assert [e.document_id for e in issued_events] == [fine.pk]  # the older one published its own
    finished = dict(Document.objects.values_list("pk", "finished"))
    assert (finished[older.pk], finished[broken.pk], finished[fine.pk]) == (True, False, True)


@pytest.mark.postgres
def test_the_series_is_free_while_the_pdf_is_rendered(client, monkeypatch):
    """Another issuer can take the next number while this document's PDF is being made."""
    database = settings.DATABASES["default"]
    render = storage.document_pdf
    locked: list[bool] = []

    def render_and_probe(document, **kwargs):
        def probe():
            with psycopg.connect(host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"],
                                 dbname=connection.settings_dict["NAME"], autocommit=False) as other:
                try:
                    other.execute("SELECT 1 FROM core_numbersequence WHERE key LIKE 'document:%%' FOR UPDATE NOWAIT")
                    locked.append(False)
                except psycopg.errors.LockNotAvailable:
                    locked.append(True)

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        return render(document, **kwargs)

    monkeypatch.setattr(storage, "document_pdf", render_and_probe)
    proforma_add_funds(actor=None, client_id=client.pk, net_amount="10")
    assert locked == [False]
