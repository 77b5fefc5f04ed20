import time

from django.core.management.base import BaseCommand

from clientpanel.reports.rollups import rollups_rebuild


class Command(BaseCommand):
    help = ("Add the reports' daily totals up again from every payment, credit note, invoice and charge "
            "(after restoring a backup or changing TIME_ZONE); the roll_up_reports job keeps them current. "
            "A document in another currency whose e-invoice kept no exchange rate (a consumer's, a company "
            "without KSeF) is converted into the tax currency again at the rate entered for its day now: "
            "a rate corrected since its first conversion changes its tax-currency figures.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = rollups_rebuild()
        self.stdout.write(self.style.SUCCESS(
            f"Report rollups rebuilt: {result['rows']} daily rows in {time.perf_counter() - started:.1f} s."))
