"""The staff panel's home page: the figures of reports.dashboard, each linking to its list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clientpanel.accounts.roles import SETTINGS, has_area
from clientpanel.automation.selectors import job_health
from clientpanel.clients import selectors as client_selectors
from clientpanel.notifications import selectors as email_selectors
from clientpanel.reports.dashboard import dashboard_figures
from clientpanel.webhooks import selectors as webhook_selectors

from ..access import staff_required


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    figures = dashboard_figures(actor=request.user, now=now)
    recent = client_selectors.clients_newest(actor=request.user, count=10)
    return render(request, "backoffice/dashboard.html", {
        "figures": figures, "jobs": job_health(now=now) if has_area(request.user, SETTINGS) else None,
        "status_counts": figures.client_statuses, "total_clients": sum(figures.client_statuses.values()),
        "recent_clients": recent,
        "email_failures": email_selectors.email_failures(actor=request.user),
        "webhook_health": webhook_selectors.webhook_health(actor=request.user),
    })
