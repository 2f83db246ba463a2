"""The scheduler: one lease holder at a time, each occurrence of a job enqueued once, the heartbeat for /readyz.

Real concurrent transactions (one connection per thread) where two schedulers race: `transaction=True`.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import Lease, ScheduledJobState
from core.scheduling import (
    DatabaseLease,
    ScheduledJob,
    Scheduler,
    scheduled_jobs_enqueue_due,
    scheduler_heartbeat,
    scheduler_lease,
)
from vouch.schedule import SCHEDULE


@task
def sample_job(*, note: str = "") -> str:
    return note


JOB = ScheduledJob("sample", "0 * * * *", sample_job, "hourly sample", {"note": "hello"})
TASK_PATH = f"{__name__}.sample_job"


def at(hour, minute=0, second=0):
    return datetime(2027, 3, 1, hour, minute, second, tzinfo=UTC)


def _race(*actions) -> list:
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_table_is_valid_and_sweeps_run_at_least_every_30_seconds():
    names = [job.name for job in SCHEDULE]
    assert len(names) == len(set(names))
    sweeps = {job.name: job for job in SCHEDULE if job.name in ("send_outbox", "send_webhooks")}
    assert set(sweeps) == {"send_outbox", "send_webhooks"}
    for job in sweeps.values():
        start = at(10, 0, 1)
        first = job.next_occurrence(start)
        assert first - start <= timedelta(seconds=30)
        assert job.next_occurrence(first) - first == timedelta(seconds=30)
    expected = {
        "expire_applications",
        "renew_subscriptions",
        "send_legacy_discount_notices",
        "reverify_coupons",
        "prune_api_records",
        "prune_webhook_events",
        "prune_task_results",
        "clear_sessions",
    }
    assert expected <= set(names)


def test_an_invalid_cron_expression_is_refused():
    with pytest.raises(ValueError, match="invalid cron"):
        ScheduledJob("bad", "61 * * * *", sample_job, "never")


@pytest.mark.django_db
def test_a_new_job_waits_for_its_next_occurrence_then_runs_once_per_occurrence():
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(10, 30)) == []  # first sight: nothing
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(10, 59)) == []
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(11, 0, 2)) == ["sample"]
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(11, 0, 7)) == []
    [queued] = DBTaskResult.objects.filter(task_path=TASK_PATH)
    assert queued.args_kwargs["kwargs"] == {"note": "hello"}
    state = ScheduledJobState.objects.get(name="sample")
    assert state.last_due_at == at(11) and state.last_result_id == str(queued.pk)


@pytest.mark.django_db
def test_missed_occurrences_are_caught_up_once():
    scheduled_jobs_enqueue_due(jobs=[JOB], now=at(1, 30))
    DBTaskResult.objects.all().delete()
    # The scheduler was down from 01:30 to 06:10: five occurrences missed, one run.
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(6, 10)) == ["sample"]
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 1


@pytest.mark.django_db
def test_an_occurrence_is_skipped_while_the_previous_run_still_waits_in_the_queue():
    scheduled_jobs_enqueue_due(jobs=[JOB], now=at(9, 30))
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(10, 0, 1)) == ["sample"]
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(11, 0, 1)) == []  # the 10:00 copy has not run yet
    DBTaskResult.objects.filter(task_path=TASK_PATH).update(status="SUCCESSFUL", finished_at=timezone.now())
    assert scheduled_jobs_enqueue_due(jobs=[JOB], now=at(12, 0, 1)) == ["sample"]
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_acting_at_once_enqueue_an_occurrence_once():
    scheduled_jobs_enqueue_due(jobs=[JOB], now=at(9, 30))
    results = _race(*[lambda: scheduled_jobs_enqueue_due(jobs=[JOB], now=at(10, 0, 1))] * 4)
    assert sorted(map(repr, results)) == sorted(["['sample']"] + ["[]"] * 3)
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 1


@pytest.mark.django_db
def test_the_lease_has_one_holder_until_it_expires_or_is_released():
    first, second = DatabaseLease("test", holder="a"), DatabaseLease("test", holder="b")
    assert first.acquire() and not second.acquire()
    assert first.acquire()  # renewal
    Lease.objects.filter(name="test").update(expires_at=timezone.now() - timedelta(seconds=1))  # "a" died
    assert second.acquire() and not first.acquire()
    second.release()
    assert first.acquire()
    assert Lease.objects.get(name="test").holder == "a"


@pytest.mark.django_db(transaction=True)
def test_contenders_starting_together_get_one_lease():
    leases = [DatabaseLease("race", holder=f"h{i}") for i in range(4)]
    results = _race(*[lease.acquire for lease in leases])
    assert sorted(results, key=str) == [False, False, False, True]
    assert Lease.objects.get(name="race").holder == leases[results.index(True)].holder


@pytest.mark.django_db(transaction=True)
def test_standby_scheduler_takes_over_when_the_acting_one_dies_and_the_heartbeat_follows():
    assert scheduler_heartbeat() is None
    jobs = [ScheduledJob("every_second", "* * * * * *", sample_job, "test")]
    acting = Scheduler(jobs=jobs, lease=DatabaseLease("scheduler", holder="acting"))
    standby = Scheduler(jobs=jobs, lease=DatabaseLease("scheduler", holder="standby"))
    acting.step()
    first_beat = scheduler_heartbeat()
    assert acting.acting and first_beat is not None and timezone.now() - first_beat < timedelta(seconds=5)
    assert standby.step() == [] and not standby.acting
    # The acting one is killed: nobody renews; once the lease expires the standby acts and beats.
    Lease.objects.filter(name="scheduler").update(expires_at=timezone.now() - timedelta(seconds=1))
    standby.step()
    assert standby.acting and scheduler_heartbeat() > first_beat
    acting.step()
    assert not acting.acting


@pytest.mark.django_db(transaction=True)
def test_a_stopped_scheduler_releases_its_lease():
    scheduler = Scheduler(jobs=[JOB], lease=scheduler_lease(), tick=0.05)
    thread = threading.Thread(target=lambda: (scheduler.run(), connection.close()))
    thread.start()
    deadline = timezone.now() + timedelta(seconds=10)
    while not scheduler.acting and timezone.now() < deadline:
        threading.Event().wait(0.05)
    scheduler.stop()
    thread.join(10)
    assert scheduler.acting and DatabaseLease("scheduler", holder="next").acquire()


@pytest.fixture
def redis_url():
    import redis

    url = "redis://127.0.0.1:6379/12"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    return url


@pytest.mark.django_db
def test_the_redis_lease_has_one_holder_and_records_the_heartbeat(redis_url, settings):
    from django.utils.crypto import get_random_string

    from core.scheduling import RedisLease

    settings.REDIS_URL = redis_url
    assert isinstance(scheduler_lease(), RedisLease)
    name = f"test-{get_random_string(12)}"  # its own key: other test runs may share this Redis
    first = RedisLease(name, url=redis_url)
    second = RedisLease(name, url=redis_url, holder="other", ttl=timedelta(seconds=1))
    try:
        assert first.acquire() and not second.acquire() and first.acquire()
        assert Lease.objects.get(name=name).holder == first.holder
        first.release()
        assert second.acquire() and not first.acquire()
        threading.Event().wait(1.2)  # "other" died: its key expires
        assert first.acquire()
    finally:
        first.release()
