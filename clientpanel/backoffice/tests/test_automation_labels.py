"""Settings → Automation and the dashboard name every job, its counts and what started a run in
words, in the reader's language: a job added to the registry without its words showed its code
(finish_documents, "finished: 0", a run started by manage.py run_automation as "command")."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clientpanel.accounts.models import User
from clientpanel.automation.registry import JOBS
from clientpanel.automation.services import automation_pass
from clientpanel.ui import labels

pytestmark = pytest.mark.django_db


def test_every_job_has_a_title_and_a_description():
    assert sorted(set(JOBS) - set(labels.JOB_TITLES)) == []
    assert sorted(set(JOBS) - set(labels.JOB_DESCRIPTIONS)) == []


def test_every_count_a_job_answers_and_every_trigger_has_words():
    results = automation_pass(now=timezone.now())  # the command's default trigger
    counted = {key for counts in results.values() if isinstance(counts, dict) for key in counts}
    assert counted and sorted(counted - set(labels.JOB_COUNTS)) == []
    assert {"schedule", "manual", "command"} <= set(labels.JOB_TRIGGERS)
    # Counts a job answers only when there were some, which an empty pass cannot show.
    assert {"withheld"} <= set(labels.JOB_COUNTS)


def test_the_automation_page_in_polish_shows_no_job_code_as_its_words(staff_client, staff):
    automation_pass(now=timezone.now())
    User.objects.filter(pk=staff.pk).update(language="pl")
    page = staff_client.get(reverse("backoffice:automation")).content.decode()
    titles = re.findall(r'<div class="card mb-3" id="job-([a-z_]+)">.*?<strong>([^<]*)</strong>', page, re.S)
    assert len(titles) == len(JOBS)
    assert [name for name, title in titles if title == name] == []
    job = page.split('id="job-finish_documents"')[1].split('<div class="card mb-3"')[0]
    assert "Dokończenie wystawionych dokumentów" in job and "dokończono: 0" in job and "polecenie" in job
    assert "command" not in job.split("<tbody>")[1]
