from django.core.management.base import BaseCommand

from core.sweeps import sweep_arguments, sweep_run
from notifications.models import OutboxEmail, OutboxState
from notifications.sender import outbox_retry_failed, outbox_send_due


def _sweep() -> dict:
    counts = outbox_send_due()
    counts["failed_total"] = OutboxEmail.objects.filter(state=OutboxState.FAILED).count()
    return counts


class Command(BaseCommand):
    help = (
        "Send the due emails of the outbox: one pass (for cron, as a sweep behind the worker), or --loop. "
        "Safe to run beside `db_worker` and other copies of itself."
    )

    def add_arguments(self, parser):
        sweep_arguments(parser, what="sending")
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="first give failed emails a fresh set of attempts (once the cause is fixed)",
        )

    def handle(self, *args, **options):
        if options["retry_failed"]:
            self.stdout.write(f"requeued {outbox_retry_failed()} failed emails")
        sweep_run(
            sweep=_sweep,
            write=self.stdout.write,
            loop=options["loop"],
            interval=options["interval"],
            as_json=options["json"],
            busy=lambda c: bool(c["sent"] or c["retrying"] or c["failed"]),
            describe=lambda c: (
                f"sent {c['sent']}, retrying {c['retrying']}, failed {c['failed']}, still due "
                f"{c['still_due']} (failed in total, needing a person: {c['failed_total']})"
            ),
        )
