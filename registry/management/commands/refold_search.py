import json

from django.core.management.base import BaseCommand

from registry.search.refold import search_index_version, search_keys_refold


class Command(BaseCommand):
    help = (
        "Fold every organisation's stored search keys again with the current normalisation and rebuild the "
        "typo vocabulary (done by migrate when the normalisation version changed; --force does it anyway)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="refold even when the version is current")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON line")

    def handle(self, *args, **options):
        before = search_index_version()
        summary = search_keys_refold(force=options["force"])
        if options["json"]:
            self.stdout.write(json.dumps({"from_version": before, **summary.__dict__}))
        elif summary.examined:
            self.stdout.write(
                f"Refolded search keys (version {before} -> {summary.version}): "
                f"{summary.changed} of {summary.examined} organisations changed in {summary.seconds} s"
            )
        else:
            self.stdout.write(f"Search keys are already folded with version {summary.version}.")
