from django.conf import settings
from django.core.management.base import BaseCommand

from billing.demo import catalog_demo_ensure
from programs.demo import program_demo_ensure
from registry.demo import demo_seed


class Command(BaseCommand):
    help = "Create the demo registry data, the demo program and the demo store catalog (idempotent)."

    def handle(self, *args, **options):
        for source, summary in demo_seed(folder=settings.DATA_DIR / "demo").items():
            self.stdout.write(f"demo {source}: created {summary['created']}, unchanged {summary['unchanged']}")
        program = program_demo_ensure()
        self.stdout.write(f"demo program: {program.name} (/programs/{program.slug}/)")
        catalog_demo_ensure()
        self.stdout.write("demo store catalog: plans, add-ons, prices and tax rates (/store/plans/)")
