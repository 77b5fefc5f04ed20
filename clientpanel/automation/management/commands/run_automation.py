import datetime as dt
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from huey.contrib.djhuey import HUEY

from clientpanel.automation.services import automation_pass


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
        now = None
        if at:
            now = parse_datetime(at)
            if now is None:
                raise CommandError(f"--at {at!r} is not an ISO datetime, e.g. 2026-11-21T10:00:00+00:00")
            if timezone.is_naive(now):
                now = timezone.make_aware(now, dt.UTC)
        while True:
            results = automation_pass(now=now)
            self.stdout.write(json.dumps({"at": (now or timezone.now()).isoformat(), **results}))
            if once or at:
                return
            time.sleep(every)
