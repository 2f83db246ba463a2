import json
import sys

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from registry.importers import IMPORTERS
from registry.importers.pipeline import registry_import
from registry.importers.progress import BarProgress, LogProgress


class Command(BaseCommand):
    help = (
        "Import official registry files: import_registry SOURCE PATH [PATH ...] [--snapshot] [--json]. "
        "In a terminal, a progress bar per phase; otherwise a progress log line every few seconds (stderr)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help=f"one of: {', '.join(IMPORTERS)}")
        parser.add_argument("paths", nargs="+", help="files, folders or zip archives")
        parser.add_argument(
            "--snapshot",
            action="store_true",
            help="the files are the complete register: mark organisations absent from them removed",
        )
        parser.add_argument("--json", action="store_true", help="end with the summary as one JSON line")
        parser.add_argument(
            "--progress-every",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="without a terminal: seconds between progress log lines (default 5)",
        )

    def handle(self, *args, **options):
        source = options["source"]
        if sys.stderr.isatty() and not options["json"]:
            progress = BarProgress(source, stream=sys.stderr)
        else:
            progress = LogProgress(source, every=options["progress_every"])
        try:
            run, summary = registry_import(
                source=source, paths=options["paths"], snapshot=options["snapshot"], progress=progress
            )
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        finally:
            progress.close()
        data = summary.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(
            f"{source} run {run.pk}: read {data['read']}, created {data['created']}, "
            f"updated {data['updated']}, unchanged {data['unchanged']}, removed {data['removed']}, "
            f"rejected {data['rejected']} in {data['seconds']:.1f} s"
        )
        for rejection in run.rejected_rows.all()[:20]:
            self.stdout.write(f"  rejected {rejection.file} line {rejection.line}: {rejection.reason}")
        if summary.rejected > 20:
            self.stdout.write(f"  … {summary.rejected - 20} more rejected rows (see ImportRun {run.pk})")
