import json
import time

from django.core.management.base import BaseCommand

from webhooks.delivery import webhook_deliveries_send


class Command(BaseCommand):
    help = ("Deliver the due webhooks: one pass (for cron, as a sweep behind the worker), or --loop. Safe to run "
            "beside `db_worker` and other copies of itself: a delivery is claimed by one of them only.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep delivering until interrupted")
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between passes with --loop")
        parser.add_argument("--json", action="store_true", help="print each pass's counts as one JSON line")

    def handle(self, *args, **options):
        while True:
            counts = webhook_deliveries_send()
            if options["json"]:
                self.stdout.write(json.dumps(counts))
            elif any(counts[key] for key in ("succeeded", "retrying", "abandoned", "failed")) or not options["loop"]:
                self.stdout.write(
                    f"succeeded {counts['succeeded']}, retrying {counts['retrying']}, abandoned "
                    f"{counts['abandoned']}, failed {counts['failed']}, still due {counts['still_due']}")
            if not options["loop"]:
                return
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return
