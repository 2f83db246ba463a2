"""Periodic jobs: a table of cron-style schedules whose tasks one scheduler process enqueues (django.tasks).

- The schedule is data: a sequence of `ScheduledJob` (the project's table is vouch/schedule.py, named by the
  SCHEDULE setting so that this lowest layer imports no app). A job names a `django.tasks` task; the scheduler only
  enqueues it, the worker runs it, so every job is a task that can also be enqueued by hand or run at once.
- Exactly one scheduler acts at a time: it holds a lease (`DatabaseLease`, or `RedisLease` when REDIS_URL is set;
  both behind the same two methods). Others started beside it wait on standby and take over when its lease expires
  (it died) or is released (it stopped). The holder renews the lease on each tick; the renewal time is the
  heartbeat that `scheduler_heartbeat()` reports (for /readyz).
- Each occurrence of a job is claimed once with a conditional UPDATE on its `ScheduledJobState`, in the same
  transaction as the enqueue, so even two schedulers acting at once (a lease that expired under a stalled holder)
  enqueue it once. An occurrence missed while no scheduler ran is caught up once (not once per missed occurrence).
  When the previous copy of a job still waits in the queue (the worker is busy or down), the occurrence is skipped
  rather than piling up copies.
"""

import logging
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from croniter import croniter
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.tasks import Task, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from core.models import Lease, ScheduledJobState

logger = logging.getLogger(__name__)

SCHEDULER_LEASE = "scheduler"
LEASE_TTL = timedelta(seconds=30)  # a holder silent this long is taken to be dead
TICK_SECONDS = 5.0  # how often the holder renews its lease and looks for due jobs


@dataclass(frozen=True)
class ScheduledJob:
    """`cron`: five fields (minute hour day month weekday, in TIME_ZONE), or six where the sixth is the second."""

    name: str
    cron: str
    task: Task
    description: str
    kwargs: dict = field(default_factory=dict)

    def __post_init__(self):
        if not croniter.is_valid(self.cron):
            raise ValueError(f"scheduled job {self.name}: invalid cron expression {self.cron!r}")

    def latest_occurrence(self, now: datetime) -> datetime:
        """The last time at or before `now` when the job was due."""
        local = timezone.localtime(now)
        return croniter(self.cron, local + timedelta(microseconds=1)).get_prev(datetime)

    def next_occurrence(self, now: datetime) -> datetime:
        return croniter(self.cron, timezone.localtime(now)).get_next(datetime)


class LeaseProtocol(Protocol):
    holder: str

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, or renew it if held; True while this process holds it."""

    def release(self) -> None:
        """Give the lease up now (a clean stop) so that a standby takes over at once."""


class DatabaseLease:
    """A lease row taken with `UPDATE … WHERE holder = me OR expires_at < now`: one winner whatever the number of
    contenders, on SQLite and PostgreSQL alike."""

    def __init__(self, name: str, *, ttl: timedelta = LEASE_TTL, holder: str | None = None):
        self.name = name
        self.ttl = ttl
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{get_random_string(6)}"

    def acquire(self) -> bool:
        now = timezone.now()
        values = {"holder": self.holder, "renewed_at": now, "expires_at": now + self.ttl}
        with transaction.atomic():
            if Lease.objects.filter(name=self.name, holder=self.holder).update(**values):
                return True
            if Lease.objects.filter(name=self.name, expires_at__lt=now).update(acquired_at=now, **values):
                return True
        try:
            with transaction.atomic():
                Lease.objects.create(name=self.name, acquired_at=now, **values)
        except IntegrityError:
            return False  # someone else holds it
        return True

    def release(self) -> None:
        Lease.objects.filter(name=self.name, holder=self.holder).update(expires_at=timezone.now() - self.ttl)


@contextmanager
def lease_held(name: str, *, ttl: timedelta) -> Iterator[bool]:
    """Run a job alone: yields True when this process took the lease `job:<name>` (released at the end), False when
    another copy holds it. For jobs whose concurrent copies could act twice; `ttl` must outlast a run (a killed
    run's lease frees itself when it expires)."""
    lease = DatabaseLease(f"job:{name}", ttl=ttl)
    held = lease.acquire()
    try:
        yield held
    finally:
        if held:
            lease.release()


class RedisLease:
    """The same lease as a Redis key (`SET NX PX`, renewed and released only by its holder, atomically in Lua), for
    installations that run Redis. The holder also records its heartbeat in the database row `scheduler_heartbeat()`
    reads (Redis decides who holds the lease, so the row is only written by the holder)."""

    RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
    RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    def __init__(self, name: str, *, url: str, ttl: timedelta = LEASE_TTL, holder: str | None = None):
        import redis

        self.name = name
        self.key = f"vouch:lease:{name}"
        self.ttl = ttl
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{get_random_string(6)}"
        self.client = redis.Redis.from_url(url)

    def acquire(self) -> bool:
        milliseconds = int(self.ttl.total_seconds() * 1000)
        held = bool(
            self.client.set(self.key, self.holder, nx=True, px=milliseconds)
            or self.client.eval(self.RENEW, 1, self.key, self.holder, milliseconds)
        )
        if held:
            now = timezone.now()
            Lease.objects.update_or_create(
                name=self.name,
                defaults={"holder": self.holder, "renewed_at": now, "expires_at": now + self.ttl, "acquired_at": now},
            )
        return held

    def release(self) -> None:
        self.client.eval(self.RELEASE, 1, self.key, self.holder)


def scheduler_lease() -> LeaseProtocol:
    """The lock that keeps one scheduler acting: a Redis key when REDIS_URL is set, else a database row."""
    redis_url = getattr(settings, "REDIS_URL", "")
    return RedisLease(SCHEDULER_LEASE, url=redis_url) if redis_url else DatabaseLease(SCHEDULER_LEASE)


def scheduler_heartbeat() -> datetime | None:
    """When the acting scheduler last renewed its lease (None: no scheduler has ever run)."""
    return Lease.objects.filter(name=SCHEDULER_LEASE).values_list("renewed_at", flat=True).first()


def schedule() -> Sequence[ScheduledJob]:
    """The project's table (settings.SCHEDULE names it)."""
    return import_string(settings.SCHEDULE)


def _still_queued(job: ScheduledJob, result_id: str) -> bool:
    if not result_id:
        return False
    try:
        return job.task.get_result(result_id).status == TaskResultStatus.READY
    except (TaskResultDoesNotExist, ValueError):
        return False


def scheduled_jobs_enqueue_due(*, jobs: Sequence[ScheduledJob], now: datetime | None = None) -> list[str]:
    """Enqueue each job whose latest occurrence has not been acted on yet. Returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs:
        due = job.latest_occurrence(now)
        state, created = ScheduledJobState.objects.get_or_create(name=job.name, defaults={"last_due_at": due})
        if created or state.last_due_at >= due:
            continue  # a new job waits for its next occurrence; this one was acted on
        with transaction.atomic():
            claimed = ScheduledJobState.objects.filter(name=job.name, last_due_at=state.last_due_at).update(
                last_due_at=due
            )
            if not claimed:
                continue  # another scheduler took this occurrence
            if _still_queued(job, state.last_result_id):
                logger.warning(
                    "scheduled job %s due at %s skipped: its previous run still waits in the queue",
                    job.name,
                    due.isoformat(),
                )
                continue
            result = job.task.enqueue(**job.kwargs)
            ScheduledJobState.objects.filter(name=job.name).update(last_enqueued_at=now, last_result_id=result.id)
        logger.info("scheduled job %s due at %s enqueued (task %s)", job.name, due.isoformat(), result.id)
        enqueued.append(job.name)
    return enqueued


class Scheduler:
    """The loop `manage.py run_scheduler` runs: renew (or wait for) the lease, enqueue what is due, sleep."""

    def __init__(self, *, jobs: Sequence[ScheduledJob], lease: LeaseProtocol, tick: float = TICK_SECONDS):
        self.jobs = jobs
        self.lease = lease
        self.tick = tick
        self.stopping = threading.Event()
        self.acting = False

    def step(self) -> list[str]:
        """One tick. Returns the jobs enqueued (none while on standby)."""
        try:
            holds = self.lease.acquire()
        except DatabaseError:
            logger.exception("scheduler could not reach the database to renew its lease")
            return []
        if holds != self.acting:
            self.acting = holds
            logger.info("scheduler %s is %s", self.lease.holder, "acting" if holds else "on standby")
        if not holds:
            return []
        try:
            return scheduled_jobs_enqueue_due(jobs=self.jobs)
        except DatabaseError:
            logger.exception("scheduler tick failed; the next tick retries")
            return []

    def run(self) -> None:
        logger.info("scheduler %s started with %d jobs", self.lease.holder, len(self.jobs))
        try:
            while not self.stopping.is_set():
                self.step()
                self.stopping.wait(self.tick)
        finally:
            if self.acting:
                try:
                    self.lease.release()
                except DatabaseError:
                    logger.exception("could not release the scheduler lease; it expires by itself")
            logger.info("scheduler %s stopped", self.lease.holder)

    def stop(self) -> None:
        self.stopping.set()
