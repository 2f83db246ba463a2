"""Runs shown as running whose process is gone are marked failed; live ones are left alone."""

import socket
import threading

import pytest
from django.db import connection

from core.models import AuditEntry
from registry.importers import get_importer
from registry.importers.liveness import RunLock, import_runs_fail_stale, run_is_alive
from registry.importers.pipeline import source_for
from registry.models import ImportRun


def _run(**fields) -> ImportRun:
    return ImportRun.objects.create(source=source_for(get_importer("us-irs-bmf")), **fields)


def _hold_in_another_thread(run: ImportRun):
    """Hold the run's lock from another thread (its own database connection, its own open file)."""
    held, release = threading.Event(), threading.Event()

    def hold():
        from django.db import connection as own

        try:
            with RunLock(run):
                held.set()
                release.wait(30)
        finally:
            own.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    return thread, release


@pytest.mark.django_db
def test_a_running_run_without_its_process_is_marked_failed_once():
    killed = _run(pid=4_000_000, host=socket.gethostname())
    older = _run()  # recorded before runs had a process: nothing can be running it
    done = _run(status=ImportRun.Status.SUCCEEDED)
    assert run_is_alive(killed) is False
    assert sorted(import_runs_fail_stale()) == sorted([killed.pk, older.pk])
    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED and killed.finished_at
    assert killed.error.startswith(f"interrupted: the import process (pid 4000000 on {socket.gethostname()}) stopped")
    older.refresh_from_db()
    assert "an earlier version of Vouch" in older.error
    done.refresh_from_db()
    assert done.status == ImportRun.Status.SUCCEEDED
    assert AuditEntry.objects.filter(action="import_run.failed_stale", object_id=str(killed.pk)).count() == 1
    assert import_runs_fail_stale() == []  # once


@pytest.mark.django_db
def test_a_run_whose_lock_is_held_is_alive_and_left_running():
    run = _run(pid=1, host=socket.gethostname())
    thread, release = _hold_in_another_thread(run)
    try:
        assert run_is_alive(run) is True
        assert import_runs_fail_stale() == []
    finally:
        release.set()
        thread.join()
    assert run_is_alive(run) is False  # released with its holder
    assert import_runs_fail_stale() == [run.pk]


@pytest.mark.django_db
def test_a_sqlite_run_of_another_machine_is_not_judged_from_here():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's advisory locks answer for every machine")
    run = _run(pid=123, host="another-machine.invalid")
    assert run_is_alive(run) is None and import_runs_fail_stale() == []
