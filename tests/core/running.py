"""A scheduler and a real worker (django_tasks_db's) in threads, for tests that need them to run by themselves."""

import threading
import time

from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker

from core.scheduling import DatabaseLease, ScheduledJob, Scheduler


class Running:
    """A scheduler and a worker in threads, as `run_scheduler` and `db_worker` run them."""

    def __init__(self, job: ScheduledJob):
        self.scheduler = Scheduler(jobs=[job], lease=DatabaseLease("scheduler"), tick=0.2)
        self.worker = Worker(
            queue_names=["default"],
            interval=0.1,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        )
        self.threads = [
            threading.Thread(target=self._run, args=(target,)) for target in (self.scheduler.run, self.worker.run)
        ]

    @staticmethod
    def _run(target):
        try:
            target()
        finally:
            connection.close()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.scheduler.stop()
        self.worker.running = False
        for thread in self.threads:
            thread.join(20)


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError("timed out")
