"""Email the accounts whose previous-partner discount ends with their current term (once per term). Idempotent:
run it daily; a second run the same day, or any later day of the same term, sends nothing new."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.legacy import DEFAULT_DAYS_BEFORE, legacy_discount_notices_send


class Command(BaseCommand):
    help = "Queue the 'your legacy discount ends' email for terms ending within --days-before days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days-before",
            type=int,
            default=DEFAULT_DAYS_BEFORE,
            help=f"How many days before the term ends to send it (default {DEFAULT_DAYS_BEFORE}).",
        )
        parser.add_argument("--now", help="ISO date-time to act as now (tests, catching up); default: now.")

    def handle(self, *args, days_before, now=None, **options):
        if days_before < 0:
            raise CommandError("--days-before must be 0 or more")
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now is not an ISO date-time: {now}") from error
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        summary = legacy_discount_notices_send(now=moment, days_before=days_before)
        self.stdout.write(
            f"queued={summary.queued} already_sent={summary.already_sent} not_due={summary.not_due} "
            f"no_term={summary.no_term}"
        )
