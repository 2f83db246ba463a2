from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from webhooks.pruning import webhook_events_prune


class Command(BaseCommand):
    help = (
        "Delete webhook events older than --days (default 90) with their delivery log, keeping any event with "
        "a delivery still pending. Safe to run at any time; schedule it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, days: int, **options):
        try:
            deleted = webhook_events_prune(older_than_days=days)
        except ApplicationError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"webhook events deleted: {deleted}")
