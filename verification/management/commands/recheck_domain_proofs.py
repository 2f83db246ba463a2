"""`manage.py recheck_domain_proofs`: re-check the pending domain proofs that are due (every 10 minutes for 48 hours,
then they expire). One pass for cron or the scheduler (the `recheck_domain_proofs` task does the same), or --loop."""

from django.core.management.base import BaseCommand

from core.sweeps import sweep_arguments, sweep_run
from verification.proofs.services import domain_proofs_recheck


class Command(BaseCommand):
    help = "Re-check pending domain proofs that are due; expire those older than 48 hours. Idempotent."

    def add_arguments(self, parser):
        sweep_arguments(parser, what="re-checking")

    def handle(self, *args, **options):
        sweep_run(
            sweep=domain_proofs_recheck,
            write=self.stdout.write,
            loop=options["loop"],
            interval=options["interval"],
            as_json=options["json"],
            busy=lambda c: bool(c["checked"] or c["expired"]),
            describe=lambda c: f"checked {c['checked']}, verified {c['verified']}, expired {c['expired']}",
        )
