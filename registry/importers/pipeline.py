"""The import pipeline: files -> raw rows -> change detection -> parse -> batched writes -> snapshot -> run record.

Locking and atomicity: the whole run is one database transaction. A run that fails at any point rolls back,
so the data stays exactly as before it, and the run is recorded as failed. On SQLite the transaction holds the
write lock for the run's duration (readers are not blocked: WAL).
"""

import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.errors import ImportFailed
from registry.importers import get_importer
from registry.importers.base import Importer, RawRow
from registry.importers.batches import ImportSummary, RunBatches
from registry.importers.files import InputFile, detect_encoding, expand_paths
from registry.importers.prepare import worker_setup
from registry.importers.writer import BatchWriter
from registry.models import ImportRun, RejectedRow, Source
from registry.search.backends import get_backend
from registry.watch import registry_status_watch

logger = logging.getLogger(__name__)
BATCH_ROWS = 5000

__all__ = ["ImportSummary", "registry_import"]


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


def _workers(total_bytes: int):
    """Worker processes for parsing when the input is large enough to repay starting them."""
    count = settings.IMPORT_WORKERS
    if count <= 0 or total_bytes < settings.IMPORT_PARALLEL_MIN_BYTES:
        return nullcontext(None)
    # forkserver: workers start from a clean process, never from one holding an open database connection.
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=worker_setup)


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
    batches = None
    try:
        run.files = _describe(files)  # reads every byte once: a corrupt archive fails here, before any write
        with (_workers(sum(f["bytes"] for f in run.files)) as executor, transaction.atomic(),
              connection.cursor() as cursor):
            writer = BatchWriter(cursor, vendor=connection.vendor, source_id=source_row.pk, backend=backend,
                                 now=timezone.now())
            watch = registry_status_watch()  # coupons whose organisation's status this run changes get flagged
            batches = RunBatches(importer, writer, progress, executor)
            batch: list[RawRow] = []
            for row in importer.rows(files):
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    batches.feed(batch)
                    batch = []
            batches.feed(batch)
            batches.finish()
            if snapshot:
                missing = [org_id for org_id in writer.active_org_ids() if org_id not in batches.seen]
                writer.mark_removed(missing, reason=f"no longer listed by {importer.name}", on=date.today())
                batches.summary.removed = len(missing)
            watch.finish(actor_label=f"import {importer.slug} (run {run.pk})")
            changed = batches.summary
            if changed.created or changed.updated or changed.removed:  # PostgreSQL: a full scan, worth skipping
                backend.refresh_vocabulary(cursor)
    except Exception as exc:
        logger.exception("import of %s failed", source)
        run.status = ImportRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:5000]
        _finish(run, batches, started)
        known = exc if isinstance(exc, ImportFailed) else None
        message = known.message if known else f"{type(exc).__name__}: {exc}"
        raise ImportFailed(f"import of {source} failed, nothing was changed: {message}",
                           code=known.code if known else None) from exc
    run.status = ImportRun.Status.SUCCEEDED
    summary = _finish(run, batches, started)
    source_row.last_imported_at = run.finished_at
    source_row.save(update_fields=["last_imported_at"])
    return run, summary


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
