from django.conf import settings
from django.core.management.base import BaseCommand

from registry.demo import demo_seed


class Command(BaseCommand):
    help = "Create the demo registry data (idempotent): generated files imported through the normal pipeline."

    def handle(self, *args, **options):
        for source, summary in demo_seed(folder=settings.DATA_DIR / "demo").items():
            self.stdout.write(f"demo {source}: created {summary['created']}, unchanged {summary['unchanged']}")
