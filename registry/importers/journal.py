"""Imports that commit in batches and can still be undone: the before-image journal.

On SQLite a write transaction locks the whole database, so an import in one transaction kept every other writer
(the worker, sign-in, the API's rate-limit counter) waiting for its whole duration. With IMPORT_COMMIT_ROWS > 0 the
pipeline commits every few thousand rows instead, letting other writers in between, and this journal keeps its
promise that a failed run leaves the previous data untouched:

- before the run first changes an organisation, its row (the columns the import writes) is saved in
  `ImportJournalEntry` in the same transaction as the change; a row the run inserts is journaled with no image;
- a run that fails is undone from the journal, in short batches as well: inserted rows deleted, changed rows
  restored, their search index entries rewritten; a run that succeeds deletes its journal;
- a run killed outright (no chance to undo) leaves its journal; the next import undoes it first and marks the run
  failed. One import runs at a time (a lease), so a journal without a live import belongs to a dead one.

While a run is in progress its committed batches are visible (search finds new names as they land); only its end
(the status watch, the run record) is one transaction. With IMPORT_COMMIT_ROWS = 0 (the default on PostgreSQL,
whose writers do not block each other) the run is one transaction and nothing is journaled.
"""

import json
import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from registry.importers.writer import JSON_COLUMNS, TABLE, WRITTEN_COLUMNS, BatchWriter
from registry.models import ImportJournalEntry, ImportRun
from registry.search.backends import SearchBackend

logger = logging.getLogger(__name__)
UNDO_CHUNK = 2000  # journal entries undone (or deleted) per transaction
IMAGE_COLUMNS = tuple(c for c in WRITTEN_COLUMNS if c != "org_id")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


class ImportJournal:
    def __init__(self, *, run_id: int, cursor, backend: SearchBackend):
        self.run_id = run_id
        self.cursor = cursor
        self.backend = backend

    def max_id(self) -> int:
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TABLE}")
        return self.cursor.fetchone()[0]

    def record_inserted(self, after_id: int) -> None:
        self.cursor.execute(f"SELECT id FROM {TABLE} WHERE id > %s", [after_id])
        ImportJournalEntry.objects.bulk_create(
            [ImportJournalEntry(run_id=self.run_id, organisation_pk=pk) for (pk,) in self.cursor.fetchall()],
            ignore_conflicts=True,
        )

    def record_before(self, org_ids: Sequence[str]) -> None:
        """Save the rows about to change; a row already journaled by this run keeps its first (true) image."""
        for start in range(0, len(org_ids), 5000):
            chunk = list(org_ids[start : start + 5000])
            marks = ", ".join(["%s"] * len(chunk))
            self.cursor.execute(f"SELECT id, {', '.join(IMAGE_COLUMNS)} FROM {TABLE} WHERE org_id IN ({marks})", chunk)
            ImportJournalEntry.objects.bulk_create(
                [
                    ImportJournalEntry(
                        run_id=self.run_id,
                        organisation_pk=row[0],
                        before={c: _plain(v) for c, v in zip(IMAGE_COLUMNS, row[1:], strict=True)},
                    )
                    for row in self.cursor.fetchall()
                ],
                ignore_conflicts=True,
            )

    def undo(self) -> int:
        """Put back what the run changed, a chunk per transaction. Returns the number of rows put back."""
        undone = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:  # the run's own cursor may be closed
                entries = list(ImportJournalEntry.objects.filter(run_id=self.run_id).order_by("-pk")[:UNDO_CHUNK])
                if not entries:
                    return undone
                self._undo(cursor, entries)
                ImportJournalEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
            undone += len(entries)

    def _undo(self, cursor, entries: list[ImportJournalEntry]) -> None:
        inserted = [e.organisation_pk for e in entries if e.before is None]
        if inserted:
            marks = ", ".join(["%s"] * len(inserted))
            if connection.vendor == "sqlite":  # the FTS5 index is a table of its own (PostgreSQL's is an index)
                cursor.execute(f"DELETE FROM registry_org_fts WHERE rowid IN ({marks})", inserted)
            cursor.execute(f"DELETE FROM {TABLE} WHERE id IN ({marks})", inserted)
        changed = [(e, e.before) for e in entries if e.before is not None]
        if changed:
            assignments = ", ".join(f"{c} = %s" for c in IMAGE_COLUMNS)
            cursor.executemany(
                f"UPDATE {TABLE} SET {assignments} WHERE id = %s",
                [[*(self._db_value(c, before[c]) for c in IMAGE_COLUMNS), e.organisation_pk] for e, before in changed],
            )
            marks = ", ".join(["%s"] * len(changed))
            cursor.execute(f"SELECT org_id FROM {TABLE} WHERE id IN ({marks})", [e.organisation_pk for e, _ in changed])
            self.backend.index(cursor, [org_id for (org_id,) in cursor.fetchall()])

    @staticmethod
    def _db_value(column: str, value: Any) -> Any:
        if column in JSON_COLUMNS and not isinstance(value, str):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return value

    def discard(self) -> None:
        """The run succeeded: its journal goes, in short transactions too."""
        while True:
            with transaction.atomic():
                pks = list(
                    ImportJournalEntry.objects.filter(run_id=self.run_id).values_list("pk", flat=True)[: UNDO_CHUNK * 5]
                )
                if not pks:
                    return
                ImportJournalEntry.objects.filter(pk__in=pks).delete()


class JournaledWriter(BatchWriter):
    """The batch writer, journaling each row before its first change."""

    def __init__(self, cursor, *, journal: ImportJournal, **kwargs):
        super().__init__(cursor, **kwargs)
        self.journal = journal

    def insert(self, rows: list[list[Any]]) -> None:
        if not rows:
            return
        after_id = self.journal.max_id()
        super().insert(rows)
        self.journal.record_inserted(after_id)

    def replace(self, rows: list[tuple[dict[str, Any], str]]) -> None:
        self.journal.record_before([fields["org_id"] for fields, _ in rows])
        super().replace(rows)

    def patch(self, changes: list[tuple[str, dict[str, Any]]]) -> None:
        self.journal.record_before([org_id for org_id, _ in changes])
        super().patch(changes)

    def mark_removed(self, org_ids: Sequence[str], *, reason: str, on: date) -> None:
        self.journal.record_before(org_ids)
        super().mark_removed(org_ids, reason=reason, on=on)


def interrupted_imports_undo(*, backend: SearchBackend, by_run: int) -> list[int]:
    """Undo the journal a killed import left (call holding the import lease). Returns the runs undone."""
    leftover = sorted(set(ImportJournalEntry.objects.exclude(run_id=by_run).values_list("run_id", flat=True)))
    for run_id in leftover:
        journal = ImportJournal(run_id=run_id, cursor=None, backend=backend)
        if ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.SUCCEEDED).exists():
            journal.discard()  # killed while deleting the journal of a run that had succeeded
            continue
        restored = journal.undo()
        logger.warning("import run %s was interrupted; its %d changed rows were put back", run_id, restored)
        ImportRun.objects.filter(pk=run_id).update(
            status=ImportRun.Status.FAILED, finished_at=timezone.now(), error=f"interrupted; undone by run {by_run}"
        )
    return leftover
