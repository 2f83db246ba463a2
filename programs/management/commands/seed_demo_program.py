from django.core.management.base import BaseCommand

from programs.demo import program_demo_ensure


class Command(BaseCommand):
    help = "Create the demo nonprofit program, or reset it to its demo values (idempotent)."

    def handle(self, *args, **options):
        program = program_demo_ensure()
        self.stdout.write(f"demo program {program.slug}: {program.name} ({program.vendor_name})")
