"""Import the previous partner's discounts from its CSV (columns: account email, percent, partner; header names are
matched ignoring case, spaces and underscores). Re-importing updates rows; rejected rows are listed by line."""

from django.core.management.base import BaseCommand, CommandError

from billing.legacy import legacy_discounts_import_file
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Import accounts holding the previous verification partner's discount from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("csv_path", help="CSV with the columns 'account email', 'percent' and 'partner'.")

    def handle(self, *args, csv_path, **options):
        try:
            summary = legacy_discounts_import_file(csv_path)
        except OSError as error:
            raise CommandError(f"cannot read {csv_path}: {error}") from error
        except ApplicationError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        for row in summary.rejected:
            self.stderr.write(f"line {row.line}: rejected ({row.code}): {row.reason}")
        self.stdout.write(
            f"created={summary.created} updated={summary.updated} unchanged={summary.unchanged} "
            f"rejected={len(summary.rejected)}"
        )
