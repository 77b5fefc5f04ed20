"""A background task's page (an import, a bulk action): its progress while it runs, polled by
HTMX, then its result. Only the staff member who started it sees it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import select_template

from clientpanel.automation.background import background_task_state
from clientpanel.automation.models import BackgroundTask

from ..access import staff_required


def _own_task(request: HttpRequest, task_id: int) -> BackgroundTask:
    task = BackgroundTask.objects.filter(pk=task_id, requested_by=request.user).first()
    if task is None:
        raise Http404("No such task.")
    return task


def _result_template(task: BackgroundTask) -> str:
    """The kind's own result partial (backoffice/tasks/result_clients_import.html), else the
    generic one listing the result's counts."""
    kind = task.kind.replace(".", "_")
    return select_template([f"backoffice/tasks/result_{kind}.html", "backoffice/tasks/result.html"]).template.name


def _context(task: BackgroundTask) -> dict:
    state = background_task_state(task)
    return {"task": task, "state": state, "result_template": _result_template(task) if state.finished else None}


@staff_required
def background_task(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _own_task(request, task_id)
    return render(request, "backoffice/tasks/task.html", _context(task))


@staff_required
def background_task_progress(request: HttpRequest, task_id: int) -> HttpResponse:
    """The progress card alone, for the page's polling; once the task has ended the card comes
    without its polling trigger, with the result."""
    task = _own_task(request, task_id)
    return render(request, "backoffice/tasks/_progress.html", _context(task))
