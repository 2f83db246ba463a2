"""Liveness (/healthz: the process answers) and readiness (/readyz: what serving needs is there).

/readyz checks, each reported by name with its figures: the database answers; every migration on disk is applied;
the task queue answers (and how many tasks wait, the oldest's age); the periodic-job scheduler's heartbeat is
recent (when the scheduler is installed); the email outbox and the webhook deliveries, with the age of their oldest
items. 200 when all hold, 503 naming those that do not. A backlog counts as failing when an item has been due for
longer than READY_BACKLOG_MAX_AGE seconds (nothing is sending it), not merely because retries wait.
"""

import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.utils import timezone

from core.scheduling import scheduler_heartbeat
from notifications.selectors import outbox_backlog
from webhooks.selectors import webhook_backlog

logger = logging.getLogger(__name__)
_migrations_on_disk: set[tuple[str, str]] | None = None


def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "alive"})


def readyz(request) -> JsonResponse:
    started = time.monotonic()
    checks = {}
    for name, check in CHECKS:
        try:
            checks[name] = check()
        except Exception as exc:  # a check that cannot run is a check that fails, said in one line
            logger.warning("readiness check %s failed: %s", name, exc)
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        if name == "database" and not checks[name]["ok"]:
            break  # everything else reads the database
    failing = [name for name, result in checks.items() if not result["ok"]]
    body = {
        "status": "not ready" if failing else "ready",
        "failing": failing,
        "checks": checks,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=503 if failing else 200)


def check_database() -> dict:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_migrations() -> dict:
    """Every migration the code has is recorded as applied (the disk side is read once per process)."""
    global _migrations_on_disk
    connection = connections[DEFAULT_DB_ALIAS]
    if _migrations_on_disk is None:
        _migrations_on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {tuple(row) for row in cursor.fetchall()}
    missing = sorted(f"{app}.{name}" for app, name in _migrations_on_disk - applied)
    return {"ok": not missing, "unapplied": missing[:20], "unapplied_count": len(missing)}


def check_task_queue() -> dict:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == "django_tasks_rq.RQBackend":
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return {"ok": True, "backend": backend, "ready": client.llen("rq:queue:default")}
    if backend != "django_tasks_db.DatabaseBackend":
        return {"ok": True, "backend": backend, "checked": False}
    from django.db.models import Count, Min
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    row = DBTaskResult.objects.ready().aggregate(ready=Count("pk"), oldest=Min("enqueued_at"))
    oldest = None if row["oldest"] is None else round((now - row["oldest"]).total_seconds(), 1)
    return {"ok": True, "backend": backend, "ready": row["ready"], "oldest_ready_age_seconds": oldest}


def check_scheduler() -> dict:
    """The periodic-job scheduler renewed its lease recently (core.scheduling), when the scheduler is part of this
    installation: no heartbeat for SCHEDULER_HEARTBEAT_MAX_AGE seconds means no scheduler acts, and promises with a
    date (expiry, renewals, reminders, retries) are not kept."""
    beat = scheduler_heartbeat()
    limit = settings.SCHEDULER_HEARTBEAT_MAX_AGE
    if beat is None:
        return {"ok": False, "last_heartbeat": None, "reason": "no scheduler has ever run", "max_age_seconds": limit}
    age = round((timezone.now() - beat).total_seconds(), 1)
    return {"ok": age <= limit, "last_heartbeat": beat.isoformat(), "age_seconds": age, "max_age_seconds": limit}


def _backlog(figures: dict) -> dict:
    limit = settings.READY_BACKLOG_MAX_AGE
    stuck = figures["oldest_due_age_seconds"] is not None and figures["oldest_due_age_seconds"] > limit
    return {"ok": not stuck, **figures, "max_due_age_seconds": limit}


def check_outbox() -> dict:

    return _backlog(outbox_backlog())


def check_webhooks() -> dict:

    return _backlog(webhook_backlog())


CHECKS = [
    ("database", check_database),
    ("migrations", check_migrations),
    ("task_queue", check_task_queue),
    ("scheduler", check_scheduler),
    ("outbox", check_outbox),
    ("webhooks", check_webhooks),
]
