"""Writes of programs: publishing a rules version when the rules changed, adding a terms or privacy text version."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import Conflict
from programs.models import Program, ProgramRulesVersion, ProgramText
from programs.rulebook import rules_engine_version, rules_snapshot
from programs.selectors import program_rules_version_current


def _same(version: ProgramRulesVersion | None, snapshot: dict, engine: str) -> bool:
    return version is not None and version.snapshot == snapshot and version.engine_version == engine


def program_rules_publish(*, program: Program, actor=None, actor_label: str = "") -> ProgramRulesVersion:
    """The rules version matching the program's current rules: the latest one when nothing changed, else a new one
    numbered after it. Race-safe: the program row is locked while the number is chosen (PostgreSQL), writers are
    serialised (SQLite), and unique (program, number) turns a lost race into a re-read."""
    snapshot, engine = rules_snapshot(program), rules_engine_version()
    latest = program_rules_version_current(program)
    if _same(latest, snapshot, engine):
        return latest  # type: ignore[return-value]
    for _attempt in range(3):
        try:
            with transaction.atomic():
                Program.objects.select_for_update().filter(pk=program.pk).exists()
                latest = program_rules_version_current(program)
                if _same(latest, snapshot, engine):
                    return latest  # type: ignore[return-value]
                version = ProgramRulesVersion.objects.create(
                    program=program,
                    number=latest.number + 1 if latest else 1,
                    snapshot=snapshot,
                    engine_version=engine,
                )
                audit_record(
                    action="program.rules_published",
                    object_type="program",
                    object_id=program.pk,
                    actor=actor,
                    actor_label=actor_label,
                    before={"version": latest.number if latest else None},
                    after={"version": version.number, "engine_version": engine, "slug": program.slug},
                )
                return version
        except IntegrityError:
            continue  # another publisher took the number: read again
    raise Conflict(_("Could not publish the program's rules; try again."), code="rules_publish_failed")


def program_text_add(
    *, program: Program, kind: str, version: str, texts: dict[str, str], actor=None, actor_label: str = ""
) -> list[ProgramText]:
    """Add a version of the terms or privacy notice in one or more languages ({"en": …, "fr": …}). Existing rows
    are never changed: a version already written in a language is refused."""
    created = []
    with transaction.atomic():
        for language, text in texts.items():
            if ProgramText.objects.filter(program=program, kind=kind, version=version, language=language).exists():
                raise Conflict(
                    _("%(kind)s %(version)s (%(language)s) already exists; publish a new version instead.")
                    % {"kind": kind, "version": version, "language": language},
                    code="text_version_exists",
                )
            created.append(
                ProgramText.objects.create(program=program, kind=kind, version=version, language=language, text=text)
            )
        audit_record(
            action="program.text_added",
            object_type="program",
            object_id=program.pk,
            actor=actor,
            actor_label=actor_label,
            after={"kind": kind, "version": version, "languages": sorted(texts)},
        )
    return created
