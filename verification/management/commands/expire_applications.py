import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from verification.services import application_expire


class Command(BaseCommand):
    help = (
        "Expire applications not completed in time, and remind those about to expire. Idempotent: run it from "
        "cron (e.g. hourly); each application is reminded once and expired once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the counts as one JSON line")

    def handle(self, *args, **options):
        counts = application_expire(now=timezone.now())
        if options["json"]:
            self.stdout.write(json.dumps(counts, default=str))
            return
        self.stdout.write(
            ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in counts.items()) or "nothing to do"
        )
