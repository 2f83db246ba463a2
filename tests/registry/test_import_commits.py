"""Imports that commit in batches (IMPORT_COMMIT_ROWS, the SQLite default): other writers get in between batches,
and a failed, or killed, run still leaves the previous data as it was (registry/importers/journal.py)."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from core.errors import ImportFailed
from core.scheduling import DatabaseLease
from core.tasks import prune_task_results
from registry.importers import pipeline
from registry.importers.pipeline import IMPORT_LEASE, registry_import
from registry.models import ImportJournalEntry, ImportRun, Organisation
from registry.search.engine import search_organisations
from tests.api.conftest import api_client, key_admin, make_key, partner  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
IMPORT_SCRIPT = """
import sys, django
from django.conf import settings
django.setup()
settings.DATABASES["default"]["NAME"] = sys.argv[1]
settings.IMPORT_WORKERS = 0
from registry.importers.pipeline import registry_import
registry_import(source="us-irs-bmf", paths=[sys.argv[2]])
"""
HEADER = (
    "EIN,NAME,ICO,STREET,CITY,STATE,ZIP,GROUP,SUBSECTION,AFFILIATION,CLASSIFICATION,RULING,DEDUCTIBILITY,"
    "FOUNDATION,ACTIVITY,ORGANIZATION,STATUS,TAX_PERIOD,ASSET_CD,INCOME_CD,FILING_REQ_CD,PF_FILING_REQ_CD,"
    "ACCT_PD,ASSET_AMT,INCOME_AMT,REVENUE_AMT,NTEE_CD,SORT_NAME"
)
WORDS = ["RIVER", "MAPLE", "HARBOR", "SUMMIT", "PRAIRIE", "CEDAR", "LANTERN", "ORCHARD", "BEACON", "MEADOW"]


def bmf(path, count, *, start=10000000, renamed=()):
    """A BMF file of `count` organisations (EINs from `start`); those in `renamed` get another name."""
    lines = [HEADER]
    for n in range(count):
        ein = start + n
        name = f"{WORDS[n % 10]} {WORDS[(n // 10) % 10]} SOCIETY {n}" + (" RENAMED" if ein in renamed else "")
        lines.append(
            f"{ein:09d},{name},,PO BOX {n},ANCHORAGE,AK,99501-0000,0000,03,3,1200,200305,1,15,000000000,"
            f"5,01,201812,0,0,02,0,12,0,0,0,N99,"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def state():
    return list(
        Organisation.objects.order_by("org_id").values_list("org_id", "name", "status", "updated_at", "content_hash")
    )


def crash_after(monkeypatch, rows):
    from registry.importers.us_irs_bmf import BmfImporter

    parse, calls = BmfImporter.parse, []

    def crashing(self, row):
        calls.append(row.line)
        if len(calls) > rows:
            raise RuntimeError("worker killed")
        return parse(self, row)

    monkeypatch.setattr(BmfImporter, "parse", crashing)
    monkeypatch.setattr(BmfImporter, "prepared_values", lambda *args: None)  # every row through parse()


@pytest.fixture
def small_commits(settings):
    settings.IMPORT_COMMIT_ROWS = 300
    settings.IMPORT_WORKERS = 0


@pytest.mark.django_db
def test_a_failed_batched_run_is_undone_changed_rows_and_new_ones_alike(tmp_path, small_commits, monkeypatch):
    registry_import(source="us-irs-bmf", paths=[str(bmf(tmp_path / "a.csv", 1000))])
    before = state()
    renamed = set(range(10000000, 10000600))
    changed = bmf(tmp_path / "b.csv", 2000, renamed=renamed)  # 600 renamed, 1000 new after the first thousand
    crash_after(monkeypatch, 1500)  # past several committed batches
    with pytest.raises(ImportFailed, match=r"nothing was changed.*worker killed"):
        registry_import(source="us-irs-bmf", paths=[str(changed)])
    assert state() == before
    assert not ImportJournalEntry.objects.exists()
    # The search index was put back too: old names found, new names not.
    assert search_organisations(query="river river society 0", country="US")[0].org_id == "US-EIN-010000000"
    assert search_organisations(query="river river society 0 renamed", country="US")[0].name == (
        "RIVER RIVER SOCIETY 0"
    )
    found = search_organisations(query="society 1500", country="US", limit=50)
    assert "US-EIN-010001500" not in [hit.org_id for hit in found]
    assert ImportRun.objects.latest("started_at").status == ImportRun.Status.FAILED


@pytest.mark.django_db
def test_a_killed_run_is_undone_by_the_next_import(tmp_path, small_commits, monkeypatch):
    first = bmf(tmp_path / "a.csv", 1000)
    registry_import(source="us-irs-bmf", paths=[str(first)])
    before = state()
    crash_after(monkeypatch, 1500)  # unchanged rows are not parsed: 1 renamed + 1500 new, then the crash
    monkeypatch.setattr(pipeline, "_undo", lambda journal: False)  # killed: no chance to undo
    with pytest.raises(ImportFailed, match="undone by the next import"):
        registry_import(source="us-irs-bmf", paths=[str(bmf(tmp_path / "b.csv", 3000, renamed={10000001}))])
    killed = ImportRun.objects.latest("started_at")
    assert state() != before and ImportJournalEntry.objects.filter(run=killed).exists()
    monkeypatch.undo()

    run, summary = registry_import(source="us-irs-bmf", paths=[str(first)])
    assert summary.created == summary.updated == 0 and summary.unchanged == 1000
    assert state() == before and not ImportJournalEntry.objects.exists()
    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED and f"undone by run {run.pk}" in killed.error


@pytest.mark.django_db
def test_one_batched_import_at_a_time(tmp_path, small_commits):
    other = DatabaseLease(IMPORT_LEASE)
    assert other.acquire()
    with pytest.raises(ImportFailed, match="another registry import is running"):
        registry_import(source="us-irs-bmf", paths=[str(bmf(tmp_path / "a.csv", 10))])
    other.release()
    assert registry_import(source="us-irs-bmf", paths=[str(tmp_path / "a.csv")])[1].created == 10


@pytest.mark.django_db(transaction=True)
def test_the_worker_the_api_and_sign_in_carry_on_during_an_import(
    tmp_path,
    settings,
    api_client,  # noqa: F811
    django_user_model,
):
    """The import runs in its own process; meanwhile a real worker runs tasks and people call the API (each call writes
    its rate-limit counter) and sign in. None fails; 95 % answer within a second."""
    settings.IMPORT_WORKERS = 0
    if connection.vendor == "sqlite":
        assert settings.IMPORT_COMMIT_ROWS > 0  # the default there
    path = bmf(tmp_path / "big.csv", 30000)
    client = api_client()
    django_user_model.objects.create_user("rita", "rita@verifier.example", "s3cret-pass", is_staff=True)
    worker = Worker(
        queue_names=["default"],
        interval=0.05,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="during-import",
        excluded_queue_names=[],
    )
    worker_error: list = []

    def run_worker():
        try:
            worker.run()
        except BaseException as error:  # "database is locked" used to end the worker here
            worker_error.append(error)
        finally:
            connection.close()

    # Warm (as a serving process is): the first request of a process loads the API and its schema.
    assert client.get("/api/v1/organisations", {"country": "US", "q": "warm"}).status_code == 200
    # The import in its own process, as `manage.py import_registry` runs it, on this test database.
    importing = subprocess.Popen(
        [sys.executable, "-c", IMPORT_SCRIPT, connection.settings_dict["NAME"], str(path)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "vouch.settings"},
    )
    worker_thread = threading.Thread(target=run_worker)
    worker_thread.start()
    api, sign_in, queued = [], [], []

    def traffic():
        started = time.monotonic()
        answer = client.get("/api/v1/organisations", {"country": "US", "q": "river maple"})
        api.append((answer.status_code, time.monotonic() - started))
        started = time.monotonic()
        answer = Client().post(reverse("backoffice:login"), {"username": "rita", "password": "s3cret-pass"})
        sign_in.append((answer.status_code, time.monotonic() - started))
        queued.append(prune_task_results.enqueue().id)

    while importing.poll() is None:
        traffic()
    assert importing.wait() == 0, importing.stderr.read()[-3000:]
    deadline = time.monotonic() + 30
    while DBTaskResult.objects.filter(pk__in=queued).exclude(status="SUCCESSFUL").exists():
        assert time.monotonic() < deadline, "the worker stopped running tasks"
        time.sleep(0.1)
    worker.running = False
    worker_thread.join(10)
    assert worker_error == []
    assert Organisation.objects.count() == 30000
    assert len(api) >= 3, "the import ended before the test could measure anything"
    assert {status for status, _ in api} == {200} and {status for status, _ in sign_in} == {302}
    during = sorted(seconds for _, seconds in api + sign_in)
    # The same traffic without the import: on a shared machine the CPU alone can make requests slow.
    api.clear(), sign_in.clear()
    for _ in range(max(10, len(during) // 4)):
        traffic()
    quiet = sorted(seconds for _, seconds in api + sign_in)
    # What the import adds: under a second at the 95th percentile, a few seconds at worst (one batch on a loaded
    # machine). In one transaction the import held every writer for its whole run, or failed it after 20 s.
    assert during[int(len(during) * 0.95)] < quiet[int(len(quiet) * 0.95)] + 1.0, (during[-10:], quiet[-5:])
    assert during[-1] < quiet[-1] + 3.0, (during[-10:], quiet[-5:])
