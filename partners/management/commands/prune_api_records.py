from django.core.management.base import BaseCommand

from partners.idempotency import idempotency_records_prune
from partners.services import api_key_windows_prune


class Command(BaseCommand):
    help = (
        "Delete idempotency records older than IDEMPOTENCY_KEEP_HOURS and rate-limit counters older than an hour. "
        "Safe to run at any time; schedule it hourly."
    )

    def handle(self, *args, **options):
        records = idempotency_records_prune()
        windows = api_key_windows_prune()
        self.stdout.write(f"idempotency records deleted: {records}; rate-limit windows deleted: {windows}")
