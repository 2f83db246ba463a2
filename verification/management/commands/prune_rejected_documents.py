from django.core.management.base import BaseCommand

from verification.documents import documents_rejected_prune


class Command(BaseCommand):
    help = (
        "Delete the uploaded files of rejected documents older than REJECTED_UPLOAD_RETENTION_DAYS "
        "(or --days). Idempotent: run it daily (the scheduler runs the task of the same name)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="retention in days (default: the setting)")

    def handle(self, *args, **options):
        removed = documents_rejected_prune(retention_days=options["days"])
        self.stdout.write(f"{removed} file(s) deleted")
