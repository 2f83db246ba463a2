"""The queue on Redis (TASKS_BACKEND=rq): real RQ worker processes send the outbox, and a flushed Redis loses
nothing because the outbox rows, not the queue, are the source of truth."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.db import connection

from notifications.models import OutboxEmail
from notifications.services import email_queue

ROOT = Path(__file__).resolve().parents[2]


def _redis_db() -> int:
    """A database of the machine's Redis for this run alone (runs on SQLite and PostgreSQL, or by several people,
    may overlap: each flushes only its own)."""
    run = f"{connection.vendor}:{connection.settings_dict['NAME']}"
    return 8 + sum(run.encode()) % 8


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def redis_url():
    url = f"redis://127.0.0.1:6379/{_redis_db()}"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    client.flushdb()
    yield url
    client.flushdb()


def _manage(redis_url: str, smtp_server, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "TASKS_BACKEND": "rq",
        "REDIS_URL": redis_url,
        "DATABASE_URL": _database_url(),
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _queue(n: int) -> None:
    for index in range(n):
        email_queue(
            to=f"person{index}@example.org",
            template="verification_code",
            language="en",
            dedupe_key=f"rq-test:{index}",
            context={"code": "123456", "minutes_valid": 15, "reference": f"VCH-RQ{index:05d}"},
        )


ENQUEUE = "from notifications.tasks import send_pending_emails; send_pending_emails.enqueue()"


@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_sends_each_queued_email_once(redis_url, smtp_server):
    _queue(3)
    _manage(redis_url, smtp_server, "shell", "-c", ENQUEUE)
    assert redis.Redis.from_url(redis_url).keys("rq:queue:*")  # the wake-up is in Redis
    _manage(redis_url, smtp_server, "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job")
    assert sorted(message["To"] for message in smtp_server.messages) == [
        "person0@example.org",
        "person1@example.org",
        "person2@example.org",
    ]
    assert set(OutboxEmail.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_a_flushed_redis_loses_no_email(redis_url, smtp_server):
    _queue(2)
    _manage(redis_url, smtp_server, "shell", "-c", ENQUEUE)
    redis.Redis.from_url(redis_url).flushdb()  # the queue is gone, the outbox rows are not
    _manage(redis_url, smtp_server, "rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job")
    assert smtp_server.messages == []  # nothing woke the worker
    _manage(redis_url, smtp_server, "send_outbox")  # the sweep (scheduled) finds them in the database
    assert sorted(message["To"] for message in smtp_server.messages) == ["person0@example.org", "person1@example.org"]
    _manage(redis_url, smtp_server, "send_outbox")  # and never sends one twice
    assert len(smtp_server.messages) == 2
