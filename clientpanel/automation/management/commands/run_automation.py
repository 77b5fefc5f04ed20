import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from huey.contrib.djhuey import HUEY

from clientpanel.automation.services import automation_pass

# --at is a moment the jobs can compute with: their periods and grace days add and take years, and a
# clock at 0001-01-01 or 9999-12-31 made each job fail with "date value out of range".
EARLIEST, LATEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
MAX_EVERY = 24 * 60 * 60


def run_at(text: str) -> dt.datetime:
    """The moment --at names (UTC when it names no offset), or CommandError saying what is wrong."""
    example = "e.g. 2026-11-21T10:00:00+00:00"
    try:
        moment = parse_datetime(text)
    except ValueError as error:  # well formed, yet no such moment: 2026-02-30, an offset of +99:00
        raise CommandError(f"--at {text!r} is not a moment ({error}); {example}") from None
    if moment is None:
        raise CommandError(f"--at {text!r} is not an ISO datetime, {example}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    if not EARLIEST <= moment < LATEST:
        raise CommandError(f"--at {text!r} is out of range: give a moment from {EARLIEST.year} to {LATEST.year - 1}")
    return moment


class Command(BaseCommand):
    help = ("Run the automation jobs (provision, charge, enforce credit, stale proformas, drain the outbox) with only "
            "the database.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run a single pass and exit")
        parser.add_argument("--at", default=None, help="ISO datetime: run as if the clock said so")
        parser.add_argument("--every", type=int, default=60, help="seconds between passes (default 60)")

    def handle(self, *args, once, at, every, **options):
        # Every job of a pass runs to completion in this process, provisioning included.
        HUEY.immediate = True
        if not 1 <= every <= MAX_EVERY:
            raise CommandError(f"--every {every} is out of range: give 1 to {MAX_EVERY} seconds")
        now = run_at(at) if at else None
        while True:
            results = automation_pass(now=now)
            self.stdout.write(json.dumps({"at": (now or timezone.now()).isoformat(), **results}))
            if once or at:
                return
            time.sleep(every)
