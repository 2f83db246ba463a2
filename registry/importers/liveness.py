"""Is an import run still running? A run holds a lock for its whole life; a lock dies with its process.

A run killed outright (SIGKILL, out of memory, power loss) cannot record its own end, and would stay "running"
forever. So each run holds a lock that the operating system or the database releases when the process dies:

- PostgreSQL: a session-level advisory lock (RUN_LOCK_CLASS, run id), held by the import's own connection; when
  the process dies its connection closes and the server releases the lock, whichever machine ran it.
- SQLite (one machine): an exclusive flock on DATA_DIR/import-runs/<id>.lock, released by the kernel when the
  process dies.

`import_runs_fail_stale()` (called by every import before it starts) marks failed every run shown as running
whose lock nobody holds. Why not a heartbeat: an import writes in one transaction, and on SQLite nothing else can
write while it runs, so a heartbeat row could never be refreshed; a lock needs no writes and answers at once,
without a timeout to tune.
"""

import fcntl
import logging
import os
import socket
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.audit import audit_record
from registry.models import ImportRun

logger = logging.getLogger(__name__)
RUN_LOCK_CLASS = 0x5643  # "VC": the advisory lock namespace of import runs (PostgreSQL)


def _lock_file(run_id: int) -> Path:
    return Path(settings.DATA_DIR) / "import-runs" / f"{run_id}.lock"


class RunLock:
    """Held by the process that imports, from the run's creation to its end."""

    def __init__(self, run: ImportRun):
        self.run_id = run.pk
        self.handle: IO[str] | None = None

    def __enter__(self) -> "RunLock":
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, self.run_id])
        else:
            path = _lock_file(self.run_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.handle = path.open("a+")
            fcntl.flock(handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        if connection.vendor == "postgresql":
            if connection.connection is not None:  # a closed connection has released it already
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_CLASS, self.run_id])
        elif self.handle:
            _lock_file(self.run_id).unlink(missing_ok=True)
            self.handle.close()  # closing releases the flock


def run_is_alive(run: ImportRun) -> bool | None:
    """True while the run's process holds its lock, False once it is gone, None when this machine cannot tell
    (a SQLite run recorded by another host)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK_CLASS, run.pk])
            free = cursor.fetchone()[0]
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK_CLASS, run.pk])
        return not free
    if run.host and run.host != socket.gethostname():
        return None
    path = _lock_file(run.pk)
    if not path.exists():
        return False
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def run_process_record(run: ImportRun) -> None:
    run.pid, run.host = os.getpid(), socket.gethostname()


def import_runs_fail_stale(*, exclude: int | None = None) -> list[int]:
    """Mark failed every run shown as running whose process is gone. Returns their ids."""
    failed = []
    runs = ImportRun.objects.filter(status=ImportRun.Status.RUNNING).select_related("source")
    if exclude is not None:
        runs = runs.exclude(pk=exclude)
    for run in runs:
        if run_is_alive(run) is not False:
            continue
        where = f"pid {run.pid} on {run.host}" if run.pid else "an earlier version of Vouch"
        error = (
            f"interrupted: the import process ({where}) stopped without finishing (killed or crashed); "
            f"its writes are rolled back, or undone from its journal by the next import (IMPORT_COMMIT_ROWS)"
        )
        changed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING).update(
            status=ImportRun.Status.FAILED, error=error, finished_at=timezone.now()
        )
        if changed:
            failed.append(run.pk)
            logger.warning("import run %s of %s: %s", run.pk, run.source.slug, error)
            audit_record(
                action="import_run.failed_stale",
                object_type="import_run",
                object_id=str(run.pk),
                actor_label="import_registry",
                before={"status": "running"},
                after={"status": "failed", "error": error},
            )
    return failed
