import json
import time

from django.core.management.base import BaseCommand

from notifications.models import OutboxEmail, OutboxState
from notifications.sender import outbox_retry_failed, outbox_send_due


class Command(BaseCommand):
    help = ("Send the due emails of the outbox: one pass (for cron, as a sweep behind the worker), or --loop. "
            "Safe to run beside `db_worker` and other copies of itself.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep sending until interrupted")
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between passes with --loop")
        parser.add_argument("--json", action="store_true", help="print each pass's counts as one JSON line")
        parser.add_argument("--retry-failed", action="store_true",
                            help="first give failed emails a fresh set of attempts (once the cause is fixed)")

    def handle(self, *args, **options):
        if options["retry_failed"]:
            self.stdout.write(f"requeued {outbox_retry_failed()} failed emails")
        while True:
            counts = outbox_send_due()
            counts["failed_total"] = OutboxEmail.objects.filter(state=OutboxState.FAILED).count()
            if options["json"]:
                self.stdout.write(json.dumps(counts))
            elif counts["sent"] or counts["retrying"] or counts["failed"] or not options["loop"]:
                self.stdout.write(
                    f"sent {counts['sent']}, retrying {counts['retrying']}, failed {counts['failed']}, "
                    f"still due {counts['still_due']} (failed in total, needing a person: {counts['failed_total']})")
            if not options["loop"]:
                return
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return
