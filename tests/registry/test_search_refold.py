"""Stored search keys are re-folded when the normalisation changes, and the typo vocabulary lives in tables."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from core.models import AuditEntry
from registry.models import Organisation, SearchIndexState
from registry.search.engine import search_organisations
from registry.search.normalise import NORMALISATION_VERSION
from registry.search.refold import search_index_version, search_keys_refold

VALDEZ = "US-EIN-010564885"


def _make_stale(**keys) -> None:
    """What an older release stored: folding version 2 (`Cœur` became `c ur`) and its version number."""
    SearchIndexState.objects.update_or_create(pk=1, defaults={"normalisation_version": NORMALISATION_VERSION - 1})
    Organisation.objects.filter(org_id=VALDEZ).update(**keys)


@pytest.mark.django_db
def test_migrate_records_the_current_version():
    assert search_index_version() == NORMALISATION_VERSION


@pytest.mark.django_db
def test_migrate_refolds_keys_folded_by_an_older_version(us_registry):
    _make_stale(name="VALDEZ JUNIOR RIFLE CŒUR", search_name="valdez junior rifle c ur")
    assert not any(h.match == "exact" for h in search_organisations(query="valdez junior rifle coeur"))
    call_command("migrate", verbosity=0)  # the release's deploy step: keys are re-folded after it
    assert Organisation.objects.get(org_id=VALDEZ).search_name == "valdez junior rifle coeur"
    assert search_organisations(query="valdez junior rifle coeur")[0].org_id == VALDEZ
    assert search_organisations(query="Valdez Junior Rifle Cœur")[0].match == "exact"
    assert search_index_version() == NORMALISATION_VERSION
    entry = AuditEntry.objects.filter(action="search.refold").latest("pk")
    assert entry.before == {"normalisation_version": NORMALISATION_VERSION - 1}
    assert entry.after["changed"] == 1 and entry.after["examined"] == Organisation.objects.count()


@pytest.mark.django_db
def test_refold_reindexes_full_text_and_vocabulary(us_registry):
    _make_stale(name="VALDEZ ŒNOLOGY RIFLE CLUB", search_name="valdez nology rifle club")
    search_keys_refold()
    # Words anywhere (full text) and typo correction both see the new keys.
    assert search_organisations(query="oenology valdez club")[0].org_id == VALDEZ
    assert search_organisations(query="valdez oenolgy rifle club")[0].org_id == VALDEZ
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc FROM registry_search_term WHERE term = 'oenology'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT COUNT(*) FROM registry_search_term WHERE term = 'nology'")
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db
def test_refold_when_current_changes_nothing_and_command_reports(us_registry):
    assert search_keys_refold().examined == 0  # already current: nothing read
    out = io.StringIO()
    call_command("refold_search", "--force", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["changed"] == 0 and summary["examined"] == Organisation.objects.count() > 0
    assert summary["version"] == summary["from_version"] == NORMALISATION_VERSION
    out = io.StringIO()
    call_command("refold_search", stdout=out)
    assert "already folded with version" in out.getvalue()


@pytest.mark.django_db
def test_the_typo_vocabulary_is_in_tables_after_an_import(us_registry):
    """No per-process vocabulary: a fresh worker corrects typos from the database (deletion keys)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT doc FROM registry_search_term WHERE term = 'valdez'")
        (docs,) = cursor.fetchone()
        cursor.execute("SELECT term FROM registry_search_term_key WHERE key = 'valdz'")
        assert ("valdez",) in cursor.fetchall()
        cursor.execute(
            "SELECT COUNT(*) FROM registry_search_term_key WHERE term GLOB '*[0-9]*'"
            if connection.vendor == "sqlite"
            else "SELECT COUNT(*) FROM registry_search_term_key WHERE term ~ '[0-9]'"
        )
        assert cursor.fetchone() == (0,)  # numbers are never corrected, so never keyed
    assert docs >= 1
    assert search_organisations(query="valdz junior rifle club")[0].org_id == VALDEZ


@pytest.mark.django_db(transaction=True)
def test_rebuilding_the_vocabulary_does_not_make_searches_wait(tmp_path, import_files):
    """The vocabulary is rebuilt in an import's last transaction; searches meanwhile read the old one instead of
    waiting for that transaction to commit (PostgreSQL's TRUNCATE would have locked them out)."""
    import threading

    from django.db import connection, transaction

    from registry.search.backends import get_backend
    from tests.registry.test_search_forgiving import RNA_HEADER, _rna_row

    path = tmp_path / "rna_waldec_dpt_75.csv"
    path.write_text(f"{RNA_HEADER}\n{_rna_row('W751000021', '', 'CLUB DE LA PLAGE')}\n", encoding="utf-8")
    import_files("fr-rna", path)
    rebuilt, release, answers = threading.Event(), threading.Event(), []

    def rebuild():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                get_backend().refresh_vocabulary(cursor)
                rebuilt.set()
                release.wait(10)
        finally:
            connection.close()

    writer = threading.Thread(target=rebuild)
    writer.start()
    try:
        assert rebuilt.wait(10)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET lock_timeout = '2s'")
            answers = [hit.name for hit in search_organisations(query="club de la plafe")]  # the typo path
    finally:
        release.set()
        writer.join(10)
    assert answers[:1] == ["CLUB DE LA PLAGE"]
