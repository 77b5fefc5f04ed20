"""Settings → Automation: the scheduled jobs, their last runs, and running one now."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientpanel.accounts.roles import SETTINGS
from clientpanel.automation.models import JobRun
from clientpanel.automation.registry import JOBS
from clientpanel.automation.tasks import run_job_task
from clientpanel.notifications import selectors as email_selectors
from clientpanel.ui import labels
from clientpanel.webhooks import selectors as webhook_selectors

from ..access import area_required


@area_required(SETTINGS)
def automation(request: HttpRequest) -> HttpResponse:
    jobs = []
    for name, job in JOBS.items():
        runs = list(JobRun.objects.filter(name=name)[:10])
        jobs.append({"name": name, "doc": " ".join(line.strip() for line in (job.__doc__ or "").splitlines()),
                     "runs": runs,
                     "last": runs[0] if runs else None})
    return render(request, "backoffice/settings/automation.html", {
        "jobs": jobs, "email_failures": email_selectors.email_failures(actor=request.user),
        "webhook_health": webhook_selectors.webhook_health(actor=request.user)})


@area_required(SETTINGS)
@require_POST
def automation_run_now(request: HttpRequest, name: str) -> HttpResponse:
    if name not in JOBS:
        raise Http404("No such job.")
    run_job_task(name)
    messages.success(request, _("%(job)s queued; its run appears below when a worker has done it.") % {
        "job": labels.JOB_TITLES.get(name, name)})
    return redirect("backoffice:automation")
