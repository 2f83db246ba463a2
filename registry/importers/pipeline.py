"""The import pipeline: files -> raw rows -> change detection -> parse -> batched writes -> snapshot -> run record.

Locking and atomicity: the whole run is one database transaction. A run that fails at any point rolls back,
so the data stays exactly as before it, and the run is recorded as failed. On SQLite the transaction holds the
write lock for the run's duration (readers are not blocked: WAL).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from core.errors import ImportFailed
from registry.importers import get_importer
from registry.importers.base import Importer, RawRow, RowRejected
from registry.importers.files import InputFile, detect_encoding, expand_paths
from registry.importers.writer import BatchWriter, record_fields
from registry.models import ImportRun, RejectedRow, Source
from registry.search.backends import get_backend

logger = logging.getLogger(__name__)
BATCH_ROWS = 2000
KEPT_REJECTIONS = 1000


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class _Run:
    """The state of one run while it goes: counts, ids seen, rejections."""

    def __init__(self, importer: Importer, writer: BatchWriter, progress: Callable[[int], None] | None):
        self.importer = importer
        self.writer = writer
        self.progress = progress
        self.summary = ImportSummary()
        self.seen: dict[str, int] = {}
        self.rejections: list[RejectedRow] = []

    def reject(self, row: RawRow, reason: str) -> None:
        self.summary.rejected += 1
        if len(self.rejections) < KEPT_REJECTIONS:
            raw = repr(row.values.get("__bad_width__", row.values))[:1000]
            self.rejections.append(RejectedRow(file=row.file, line=row.line, reason=reason[:500], raw=raw))

    def feed(self, rows: list[RawRow]) -> None:
        keyed: list[tuple[RawRow, str, str]] = []
        for row in rows:
            self.summary.read += 1
            if "__bad_width__" in row.values:
                self.reject(row, f"wrong number of fields ({len(row.values['__bad_width__'])})")
                continue
            try:
                org_id = self.importer.org_id(row)
            except RowRejected as exc:
                self.reject(row, str(exc))
                continue
            if org_id in self.seen:
                self.reject(row, f"duplicate id {org_id} (first seen on line {self.seen[org_id]}); first kept")
                continue
            self.seen[org_id] = row.line
            keyed.append((row, org_id, self.importer.fingerprint(row)))
        if keyed:
            self._write(keyed)
        if self.progress:
            self.progress(len(rows))

    def _write(self, keyed: list[tuple[RawRow, str, str]]) -> None:
        importer, writer = self.importer, self.writer
        existing = writer.existing([org_id for _, org_id, _ in keyed])
        inserts, replaces, foreign = [], [], []
        for row, org_id, fingerprint in keyed:
            current = existing.get(org_id)
            if current and current["source_id"] == writer.source_id and current["content_hash"] == fingerprint:
                self.summary.unchanged += 1
                continue
            try:
                record = importer.parse(row)
            except RowRejected as exc:
                self.reject(row, str(exc))
                continue
            if current is None:
                inserts.append((record_fields(record), fingerprint))
            elif current["source_id"] == writer.source_id or importer.authoritative:
                replaces.append((record_fields(record), fingerprint))
            else:
                foreign.append((org_id, record))
        writer.insert(inserts)
        self.summary.created += len(inserts)
        if replaces or foreign:
            details = writer.existing([f["org_id"] for f, _ in replaces] + [o for o, _ in foreign], True)
            for fields, _ in replaces:
                # Facts other sources hold about this organisation survive a rewrite by its register.
                mine = fields["raw_codes"]
                fields["raw_codes"] = {**details[fields["org_id"]]["raw_codes"], **mine}
                fields.update(importer.reconcile(fields))
            writer.replace(replaces)
            self.summary.updated += len(replaces)
            patches = []
            for org_id, record in foreign:
                change = importer.merge(details[org_id], record)
                if change:
                    patches.append((org_id, change))
                else:
                    self.summary.unchanged += 1
            writer.patch(patches)
            self.summary.updated += len(patches)


def _describe(files: list[InputFile]) -> list[dict]:
    return [
        {"path": f.display, "sha256": f.sha256(), "bytes": f.size(), "encoding": detect_encoding(f)} for f in files
    ]


def source_for(importer: Importer) -> Source:
    source, _ = Source.objects.update_or_create(
        slug=importer.slug,
        defaults={
            "name": importer.name, "country": importer.country, "licence": importer.licence,
            "licence_url": importer.licence_url, "download_url": importer.download_url,
        },
    )
    return source


def registry_import(
    *, source: str, paths: list[str], snapshot: bool = False, progress: Callable[[int], None] | None = None
) -> tuple[ImportRun, ImportSummary]:
    """Import registry files. Raises ImportFailed (data untouched) when the run cannot complete."""
    started = time.monotonic()
    importer = get_importer(source)
    files = expand_paths(paths, importer.accept_file)
    source_row = source_for(importer)
    run = ImportRun.objects.create(source=source_row, snapshot=snapshot, files=[{"path": f.display} for f in files])
    backend = get_backend()
    state = None
    try:
        run.files = _describe(files)  # reads every byte once: a corrupt archive fails here, before any write
        with transaction.atomic(), connection.cursor() as cursor:
            writer = BatchWriter(cursor, vendor=connection.vendor, source_id=source_row.pk, backend=backend,
                                 now=timezone.now())
            state = _Run(importer, writer, progress)
            batch: list[RawRow] = []
            for row in importer.rows(files):
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    state.feed(batch)
                    batch = []
            state.feed(batch)
            if snapshot:
                missing = [org_id for org_id in writer.active_org_ids() if org_id not in state.seen]
                writer.mark_removed(missing, reason=f"no longer listed by {importer.name}", on=date.today())
                state.summary.removed = len(missing)
            backend.refresh_vocabulary(cursor)
    except Exception as exc:
        logger.exception("import of %s failed", source)
        run.status = ImportRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:5000]
        _finish(run, state, started)
        message = exc.message if isinstance(exc, ImportFailed) else f"{type(exc).__name__}: {exc}"
        raise ImportFailed(f"import of {source} failed, nothing was changed: {message}") from exc
    run.status = ImportRun.Status.SUCCEEDED
    summary = _finish(run, state, started)
    source_row.last_imported_at = run.finished_at
    source_row.save(update_fields=["last_imported_at"])
    return run, summary


def _finish(run: ImportRun, state: _Run | None, started: float) -> ImportSummary:
    summary = state.summary if state else ImportSummary()
    if run.status == ImportRun.Status.FAILED:
        # Nothing was written: the counts say what was read before the failure, not what changed.
        summary = ImportSummary(read=summary.read, rejected=summary.rejected)
    summary.seconds = round(time.monotonic() - started, 3)
    for name, value in summary.as_dict().items():
        setattr(run, name, value)
    run.finished_at = timezone.now()
    run.save()
    if state and state.rejections:
        for rejection in state.rejections:
            rejection.run = run
        RejectedRow.objects.bulk_create(state.rejections)
    return summary
