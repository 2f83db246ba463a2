"""The import pipeline: files -> raw rows -> change detection -> parse -> batched writes -> snapshot -> run record.

Locking and atomicity: a run that fails at any point leaves the data exactly as before it, and is recorded as
failed. How depends on IMPORT_COMMIT_ROWS:
- 0 (the default on PostgreSQL): the whole run is one database transaction, rolled back on failure;
- N > 0 (the default on SQLite, where a write transaction locks out every other writer): the run commits every N
  rows so that the worker, sign-in and the API write between its batches, and a failure is undone from a
  before-image journal (registry.importers.journal). One such run at a time (a lease); its end (snapshot removals,
  the status watch, the run's success) is one transaction.

Progress: the pipeline reports each phase (hashing, parsing, writing, indexing, snapshot) to an ImportProgress
(registry.importers.progress): a bar in a terminal, log lines elsewhere, nothing by default.
A run holds a lock that dies with its process (registry.importers.liveness): a killed run is marked failed by
the next one.
"""

import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.errors import ImportFailed
from core.scheduling import DatabaseLease
from registry.importers import get_importer
from registry.importers.base import Importer, RawRow
from registry.importers.batches import ImportSummary, RunBatches
from registry.importers.files import InputFile, detect_encoding, expand_paths
from registry.importers.indexes import BulkIndexes, table_is_empty
from registry.importers.journal import ImportJournal, JournaledWriter, interrupted_imports_undo
from registry.importers.liveness import RunLock, import_runs_fail_stale, run_process_record
from registry.importers.prepare import worker_setup
from registry.importers.progress import ImportProgress
from registry.importers.writer import BatchWriter
from registry.models import ImportRun, RejectedRow, Source
from registry.search.backends import get_backend
from registry.watch import registry_status_watch

logger = logging.getLogger(__name__)
BATCH_ROWS = 5000
IMPORT_LEASE = "registry_import"
IMPORT_LEASE_TTL = timedelta(minutes=15)  # renewed at every commit; a run silent this long is dead
# After each committed batch the run pauses this long. A writer waiting on SQLite's lock retries at most every
# 100 ms (its busy handler sleeps between tries), so without a gap back-to-back batches could starve it.
COMMIT_PAUSE = 0.1

__all__ = ["ImportSummary", "registry_import"]


def _describe(files: list[InputFile], progress: ImportProgress) -> list[dict]:
    """Every byte is read twice here (fingerprint and line count, then the encoding check): a corrupt archive
    fails before any write."""
    sizes = [f.size() for f in files]
    phase = progress.phase("hashing", total=2 * sum(sizes), unit="bytes")
    described = []
    for file, size in zip(files, sizes, strict=True):
        sha256, lines = file.digest(on_read=phase.advance)
        described.append(
            {
                "path": file.display,
                "sha256": sha256,
                "bytes": size,
                "lines": lines,
                "encoding": detect_encoding(file, on_read=phase.advance),
            }
        )
    phase.close()
    return described


def source_for(importer: Importer) -> Source:
    source, _ = Source.objects.update_or_create(
        slug=importer.slug,
        defaults={
            "name": importer.name,
            "country": importer.country,
            "licence": importer.licence,
            "licence_url": importer.licence_url,
            "download_url": importer.download_url,
        },
    )
    return source


def _workers(total_bytes: int):
    """Worker processes for parsing when the input is large enough to repay starting them."""
    count = settings.IMPORT_WORKERS
    if count <= 0 or total_bytes < settings.IMPORT_PARALLEL_MIN_BYTES:
        return nullcontext(None)
    # forkserver: workers start from a clean process, never from one holding an open database connection.
    context = multiprocessing.get_context("forkserver")
    # Workers watch this process: killed, it leaves no worker behind (prepare.worker_setup).
    return ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=worker_setup, initargs=(os.getpid(),))


def registry_import(
    *, source: str, paths: list[str], snapshot: bool = False, progress: ImportProgress | None = None
) -> tuple[ImportRun, ImportSummary]:
    """Import registry files. Raises ImportFailed (data untouched) when the run cannot complete."""
    started = time.monotonic()
    progress = progress or ImportProgress()
    importer = get_importer(source)
    files = expand_paths(paths, importer.accept_file)
    source_row = source_for(importer)
    import_runs_fail_stale()
    with ExitStack() as stack:
        # The run appears to others only once its lock is held: never "running" without a live process.
        with transaction.atomic():
            run = ImportRun(source=source_row, snapshot=snapshot, files=[{"path": f.display} for f in files])
            run_process_record(run)
            run.save()
            stack.enter_context(RunLock(run))
        return _run(run, importer, files, source_row, snapshot, progress, started)


def _run(
    run: ImportRun,
    importer: Importer,
    files: list[InputFile],
    source_row: Source,
    snapshot: bool,
    progress: ImportProgress,
    started: float,
) -> tuple[ImportRun, ImportSummary]:
    source = importer.slug
    backend = get_backend()
    batches = journal = lease = indexes = None
    batching = settings.IMPORT_COMMIT_ROWS > 0
    try:
        run.files = _describe(files, progress)
        with ExitStack() as stack:
            executor = stack.enter_context(_workers(sum(f["bytes"] for f in run.files)))
            if not batching:
                stack.enter_context(transaction.atomic())
            cursor = stack.enter_context(connection.cursor())
            now = timezone.now()
            if batching:
                lease = DatabaseLease(IMPORT_LEASE, ttl=IMPORT_LEASE_TTL)
                if not lease.acquire():
                    lease = None
                    raise ImportFailed("another registry import is running; try again when it has finished")
                interrupted_imports_undo(backend=backend, by_run=run.pk)
                journal = ImportJournal(run_id=run.pk, cursor=cursor, backend=backend)
                writer: BatchWriter = JournaledWriter(
                    cursor, journal=journal, vendor=connection.vendor, source_id=source_row.pk, backend=backend, now=now
                )
            else:
                writer = BatchWriter(
                    cursor, vendor=connection.vendor, source_id=source_row.pk, backend=backend, now=now
                )
            watch = registry_status_watch()  # coupons whose organisation's status this run changes get flagged
            fresh = table_is_empty(cursor)
            indexes = BulkIndexes(cursor, connection.vendor)
            if fresh and not batching:
                # A first import in one transaction: secondary indexes built once, after the rows (indexes.py).
                # Committing batches, readers see the rows as they land: the indexes stay for them.
                indexes.drop()
            # Committing batches: each batch's writes are one short transaction; reads and parsing stay outside.
            batches = RunBatches(
                importer,
                writer,
                progress,
                executor,
                write_scope=_committed_batch if batching else nullcontext,
                fresh=fresh,
                estimate=importer.estimate_rows(run.files),
            )
            feed_rows = min(BATCH_ROWS, settings.IMPORT_COMMIT_ROWS) if batching else BATCH_ROWS
            batch: list[RawRow] = []
            for row in importer.rows(files):
                batch.append(row)
                if len(batch) >= feed_rows:
                    batches.feed(batch)
                    if lease:
                        lease.acquire()  # renew
                    batch = []
            batches.feed(batch)
            batches.finish()
            indexes.rebuild()
            with transaction.atomic() if batching else nullcontext():  # the end of the run: one transaction
                if snapshot:
                    active = writer.active_org_ids()
                    phase = progress.phase("snapshot", total=len(active))
                    missing = [org_id for org_id in active if org_id not in batches.seen]
                    writer.mark_removed(missing, reason=f"no longer listed by {importer.name}", on=date.today())
                    batches.summary.removed = len(missing)
                    phase.advance(len(active))
                    phase.close()
                watch.finish(actor_label=f"import {importer.slug} (run {run.pk})")
                changed = batches.summary
                count = changed.created + changed.updated + changed.removed
                phase = progress.phase("indexing", total=count)
                if count:  # PostgreSQL: a full scan, worth skipping
                    backend.refresh_vocabulary(cursor)
                phase.advance(count)
                phase.close()
                if batching:  # with the last batch: a run killed after this commit is not undone
                    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.SUCCEEDED)
    except Exception as exc:
        logger.exception("import of %s failed", source)
        undone = _undo(journal)
        if indexes is not None:
            try:
                indexes.restore()
            except Exception:  # the run's own error is the one to report
                logger.exception("could not restore the organisation indexes after a failed import")
        run.status = ImportRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:5000]
        _finish(run, batches, started)
        _release(lease)
        known = exc if isinstance(exc, ImportFailed) else None
        message = known.message if known else f"{type(exc).__name__}: {exc}"
        outcome = "nothing was changed" if undone else "its changes are undone by the next import"
        raise ImportFailed(
            f"import of {source} failed, {outcome}: {message}", code=known.code if known else None
        ) from exc
    if journal:
        journal.discard()
    _release(lease)
    run.status = ImportRun.Status.SUCCEEDED
    summary = _finish(run, batches, started)
    source_row.last_imported_at = run.finished_at
    source_row.save(update_fields=["last_imported_at"])
    return run, summary


@contextmanager
def _committed_batch():
    with transaction.atomic():
        yield
    time.sleep(COMMIT_PAUSE)


def _undo(journal: ImportJournal | None) -> bool:
    """Put back what a failed batched run committed. False if that failed too (the next import retries)."""
    if journal is None:
        return True
    try:
        journal.undo()
    except Exception:
        logger.exception("undoing import run %s failed; the next import undoes it", journal.run_id)
        return False
    return True


def _release(lease: DatabaseLease | None) -> None:
    if lease is not None:
        lease.release()


def _finish(run: ImportRun, batches: RunBatches | None, started: float) -> ImportSummary:
    summary = batches.summary if batches else ImportSummary()
    if run.status == ImportRun.Status.FAILED:
        # Nothing was written: the counts say what was read before the failure, not what changed.
        summary = ImportSummary(read=summary.read, rejected=summary.rejected)
    summary.seconds = round(time.monotonic() - started, 3)
    for name, value in summary.as_dict().items():
        setattr(run, name, value)
    run.finished_at = timezone.now()
    run.save()
    if batches and batches.rejections:
        for rejection in batches.rejections:
            rejection.run = run
        RejectedRow.objects.bulk_create(batches.rejections)
    return summary
