import json
import sys

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from registry.importers import IMPORTERS
from registry.importers.pipeline import registry_import


class Command(BaseCommand):
    help = "Import official registry files: import_registry SOURCE PATH [PATH ...] [--snapshot] [--json]"

    def add_arguments(self, parser):
        parser.add_argument("source", help=f"one of: {', '.join(IMPORTERS)}")
        parser.add_argument("paths", nargs="+", help="files, folders or zip archives")
        parser.add_argument("--snapshot", action="store_true",
                            help="the files are the complete register: mark organisations absent from them removed")
        parser.add_argument("--json", action="store_true", help="end with the summary as one JSON line")

    def handle(self, *args, **options):
        bar = None
        if sys.stderr.isatty() and not options["json"]:
            from tqdm import tqdm

            bar = tqdm(unit=" rows", unit_scale=True, desc=options["source"], file=sys.stderr)
        try:
            run, summary = registry_import(
                source=options["source"], paths=options["paths"], snapshot=options["snapshot"],
                progress=bar.update if bar else None,
            )
        except ApplicationError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        finally:
            if bar:
                bar.close()
        data = summary.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(
            f"{options['source']} run {run.pk}: read {data['read']}, created {data['created']}, "
            f"updated {data['updated']}, unchanged {data['unchanged']}, removed {data['removed']}, "
            f"rejected {data['rejected']} in {data['seconds']:.1f} s"
        )
        for rejection in run.rejected_rows.all()[:20]:
            self.stdout.write(f"  rejected {rejection.file} line {rejection.line}: {rejection.reason}")
        if summary.rejected > 20:
            self.stdout.write(f"  … {summary.rejected - 20} more rejected rows (see ImportRun {run.pk})")
