"""Every change to a program's rules publishes a new immutable, numbered rules version; nothing else does."""

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from programs import services
from programs.models import ProgramRulesVersion, ProgramText
from programs.rulebook import rules_engine_version, rules_snapshot
from programs.selectors import program_rules_version_current, program_text_current
from programs.services import program_rules_publish, program_text_add


def test_the_demo_program_starts_at_version_1_with_the_engine_version(program):
    version = program_rules_version_current(program)
    assert version.number == 1 and version.engine_version == rules_engine_version() != ""
    assert version.snapshot["budget_cap"] == {"amount_minor": 1_000_000_000, "currency": "USD"}
    assert version.snapshot["exclusions"] == ["school", "higher_education", "government", "political"]


def test_a_change_to_the_rules_publishes_the_next_number_and_an_unchanged_save_does_not(program):
    assert program_rules_publish(program=program).number == 1  # nothing changed
    program.discount_percent = 40
    program.save()
    second = program_rules_publish(program=program, actor_label="test")
    assert second.number == 2 and second.snapshot["discount_percent"] == "40"
    program.name_fr = "Autre nom"  # not a rule
    program.save()
    assert program_rules_publish(program=program) == second
    assert AuditEntry.objects.filter(action="program.rules_published", after__version=2).exists()


def test_the_admin_save_and_the_demo_reset_publish(program, program_admin, client):
    from programs.demo import program_demo_ensure

    program.exclusions = ["school"]
    program.save()
    assert program_demo_ensure().exclusions != ["school"]  # reset to the demo values
    assert list(program.rules_versions.values_list("number", flat=True)) == [1]  # same rules as version 1 again…
    program.refresh_from_db()
    program.exclusions = ["school"]
    program.save()
    program_demo_ensure()
    assert program_rules_version_current(program).number == 1  # …so no new version: the snapshot equals it


def test_a_published_version_and_a_text_cannot_be_changed(program):
    version = program_rules_version_current(program)
    version.snapshot = {}
    with pytest.raises(ValidationError):
        version.save()
    text = program_text_current(program, "terms", "fr")
    text.text = "autre"
    with pytest.raises(ValidationError):
        text.save()
    with pytest.raises(Exception, match="already exists"):
        program_text_add(program=program, kind="terms", version="2026-11", texts={"en": "again"})


def test_a_lost_race_for_the_next_number_reads_the_winners_version(program, monkeypatch):
    first = program_rules_version_current(program)
    program.discount_percent = 45
    program.save()
    # Another publisher took number 2 for the same rules after this one read version 1.
    winner = ProgramRulesVersion.objects.create(
        program=program, number=2, snapshot=rules_snapshot(program), engine_version=rules_engine_version()
    )
    reads = {"count": 0}

    def stale_then_fresh(p):
        reads["count"] += 1
        return first if reads["count"] <= 2 else ProgramRulesVersion.objects.filter(program=p).order_by("-number")[0]

    monkeypatch.setattr(services, "program_rules_version_current", stale_then_fresh)
    assert program_rules_publish(program=program) == winner
    assert program.rules_versions.count() == 2


def test_texts_in_both_languages_and_the_fallback_to_english(program):
    assert program_text_current(program, "terms", "fr").text.startswith("Conditions de vérification")
    assert program_text_current(program, "privacy", "en").language == "en"
    program_text_add(program=program, kind="terms", version="2027-01", texts={"en": "New terms"})
    program.terms_version = "2027-01"
    program.save()
    shown = program_text_current(program, "terms", "fr")
    assert (shown.language, shown.text) == ("en", "New terms")  # no French yet: English, and it says so
    assert ProgramText.objects.filter(program=program, kind="terms").count() == 3  # the old rows untouched
