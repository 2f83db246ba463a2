from django.conf import settings
from django.core.management.base import BaseCommand

from registry.demo import demo_seed
from verification.demo import program_demo_ensure


class Command(BaseCommand):
    help = "Create the demo registry data and the demo program (idempotent): generated files imported through " \
           "the normal pipeline."

    def handle(self, *args, **options):
        for source, summary in demo_seed(folder=settings.DATA_DIR / "demo").items():
            self.stdout.write(f"demo {source}: created {summary['created']}, unchanged {summary['unchanged']}")
        program = program_demo_ensure()
        self.stdout.write(f"demo program: {program.name} (/programs/{program.slug}/)")
