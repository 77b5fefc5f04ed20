import time

from django.core.management.base import BaseCommand

from clientpanel.reports.rollups import rollups_rebuild


class Command(BaseCommand):
    help = ("Add the reports' daily totals up again from every payment, credit note, invoice and charge "
            "(after restoring a backup or changing TIME_ZONE); the roll_up_reports job keeps them current.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = rollups_rebuild()
        self.stdout.write(self.style.SUCCESS(
            f"Report rollups rebuilt: {result['rows']} daily rows in {time.perf_counter() - started:.1f} s."))
