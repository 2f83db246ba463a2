from django.core.management.base import BaseCommand

from core.sweeps import sweep_arguments, sweep_run
from webhooks.delivery import webhook_deliveries_send


class Command(BaseCommand):
    help = (
        "Deliver the due webhooks: one pass (for cron, as a sweep behind the worker), or --loop. Safe to run "
        "beside `db_worker` and other copies of itself: a delivery is claimed by one of them only."
    )

    def add_arguments(self, parser):
        sweep_arguments(parser, what="delivering")

    def handle(self, *args, **options):
        sweep_run(
            sweep=webhook_deliveries_send,
            write=self.stdout.write,
            loop=options["loop"],
            interval=options["interval"],
            as_json=options["json"],
            busy=lambda c: any(c[key] for key in ("succeeded", "retrying", "abandoned", "failed")),
            describe=lambda c: (
                f"succeeded {c['succeeded']}, retrying {c['retrying']}, abandoned {c['abandoned']}, "
                f"failed {c['failed']}, still due {c['still_due']}"
            ),
        )
