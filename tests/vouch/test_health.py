"""/healthz and /readyz: cheap, outside sessions, CSRF and host checks; /readyz names what is not ready."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from core.models import Lease
from core.scheduling import SCHEDULER_LEASE, DatabaseLease
from notifications.models import OutboxEmail
from notifications.services import email_queue
from tests.notifications.test_queue import CONTEXTS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def scheduler_running(db):
    """A scheduler has just taken its lease (what `run_scheduler` does on each tick)."""
    assert DatabaseLease(SCHEDULER_LEASE).acquire()


def _queue(key="approved:VCH-HEALTH"):
    return email_queue(
        to="director@example.org",
        template="application_approved",
        context=CONTEXTS["application_approved"],
        language="en",
        dedupe_key=key,
    )


def test_healthz_says_the_process_is_alive_without_touching_sessions_or_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "alive"}
    assert response["Content-Type"] == "application/json" and not response.cookies
    assert response["X-Request-ID"]


@override_settings(ALLOWED_HOSTS=["vouch.example.org"])
def test_probes_answer_whatever_host_they_use():
    assert Client().get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert Client().get("/en/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # pages still check the host


def test_readyz_reports_each_check_when_ready():
    _queue()
    response = Client().get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready" and body["failing"] == []
    assert set(body["checks"]) == {"database", "migrations", "task_queue", "scheduler", "outbox", "webhooks"}
    assert body["checks"]["database"]["vendor"] == connection.vendor
    assert body["checks"]["migrations"]["unapplied_count"] == 0
    assert body["checks"]["outbox"]["count"] == 1 and body["checks"]["outbox"]["due"] == 1
    assert body["checks"]["outbox"]["oldest_age_seconds"] >= 0
    assert body["checks"]["webhooks"]["count"] == 0 and body["checks"]["webhooks"]["oldest_age_seconds"] is None
    assert body["checks"]["task_queue"]["ready"] >= 0  # the on-commit kick does not run inside a test transaction


@override_settings(READY_BACKLOG_MAX_AGE=600)
def test_readyz_is_503_naming_an_outbox_nothing_has_sent_for_too_long():
    email = _queue()
    OutboxEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=11), created_at=timezone.now() - timedelta(minutes=12)
    )
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["failing"] == ["outbox"]
    assert body["checks"]["outbox"]["oldest_due_age_seconds"] >= 660
    assert body["checks"]["outbox"]["oldest_age_seconds"] >= 720


def test_a_retry_waiting_for_its_time_is_not_a_problem():
    email = _queue()
    OutboxEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1), created_at=timezone.now() - timedelta(hours=2)
    )
    body = Client().get("/readyz").json()
    assert body["status"] == "ready" and body["checks"]["outbox"]["due"] == 0
    assert body["checks"]["outbox"]["oldest_age_seconds"] >= 7200


def test_readyz_is_503_naming_unapplied_migrations():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'notifications'")
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"]
    assert "notifications.0001_initial" in body["checks"]["migrations"]["unapplied"]


@override_settings(SCHEDULER_HEARTBEAT_MAX_AGE=120)
def test_readyz_is_503_naming_a_scheduler_whose_heartbeat_stopped():
    assert Client().get("/readyz").json()["checks"]["scheduler"]["ok"] is True
    Lease.objects.filter(name=SCHEDULER_LEASE).update(renewed_at=timezone.now() - timedelta(minutes=3))
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["scheduler"]
    assert response.json()["checks"]["scheduler"]["age_seconds"] >= 180
    Lease.objects.all().delete()
    body = Client().get("/readyz").json()
    assert body["failing"] == ["scheduler"] and body["checks"]["scheduler"]["reason"] == "no scheduler has ever run"


def test_readyz_accepts_no_post_and_sets_no_cookie():
    response = Client(enforce_csrf_checks=True).get("/readyz")
    assert not response.cookies and response["Cache-Control"] == "no-store"
    assert Client().post("/readyz").status_code == 404


READYZ_IN_A_PROCESS = (
    "import os, json, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'vouch.settings'; django.setup();"
    "from vouch.operations.health import check_task_queue; print(json.dumps(check_task_queue()))"
)


def test_with_the_queue_on_redis_readiness_pings_it(tmp_path):
    import json

    import redis

    from tests.vouch.probe import run_python

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/11").ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    up = run_python(tmp_path, READYZ_IN_A_PROCESS, TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:6379/11")
    assert up.returncode == 0, up.stderr
    seen = json.loads(up.stdout.splitlines()[-1])
    assert seen["ok"] is True and seen["backend"] == "django_tasks_rq.RQBackend" and seen["ready"] >= 0
    down = run_python(tmp_path, READYZ_IN_A_PROCESS, TASKS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:1/11")
    assert "ConnectionError" in down.stderr  # /readyz turns this into {"ok": false, "error": …} and a 503
