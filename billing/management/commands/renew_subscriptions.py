"""Renew (or end) every subscription whose period has ended. Idempotent: safe to run as often as wanted."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from billing.subscriptions import subscriptions_renew_due


class Command(BaseCommand):
    help = "Renew the subscriptions whose period has ended (or end those cancelled at period end)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time to act as now (tests, catching up); default: now.")

    def handle(self, *args, now=None, **options):
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError as error:
                raise CommandError(f"--now is not an ISO date-time: {now}") from error
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        else:
            moment = timezone.now()
        result = subscriptions_renew_due(now=moment)
        self.stdout.write(
            f"due={result['due']} renewed={result['renewed']} ended={result['ended']} "
            f"invoices={len(result['invoices'])} failed={len(result['failed'])}"
        )
        for failure in result["failed"]:
            self.stderr.write(f"subscription {failure['subscription']}: {failure['code']}")
