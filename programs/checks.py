"""`manage.py check` refuses a program whose typed fields hold a bad value (programs.validation): one Error
(programs.E001) per field and program, naming the program, the field and the values. Before the programs table
exists (a first migrate), or without a database, there is nothing to check."""

from django.core import checks
from django.db import DatabaseError


@checks.register("programs")
def programs_valid(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    from programs.models import Program
    from programs.validation import program_problems

    errors: list[checks.CheckMessage] = []
    try:
        for program in Program.objects.order_by("slug"):
            errors.extend(
                checks.Error(
                    f"Program {program.slug!r}, {field}: {message}",
                    hint="Correct it in the admin (Programs); the rules page and the checks would misread it.",
                    obj=program,
                    id="programs.E001",
                )
                for field, message in program_problems(program)
            )
    except DatabaseError:
        return []  # not migrated yet, or no database: nothing to check
    return errors
