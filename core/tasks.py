"""Background tasks: the request id that travels with them, and housekeeping of the framework's own tables
(scheduled in vouch/schedule.py).

Request ids: decorate a task function with `@task` then `@carries_request_id`, and enqueue it with
`task_enqueue(task, ...)`: the id bound at enqueue time (a request's, or the task's that enqueues the next pass)
travels as the keyword argument `request_id` and is bound again while the task runs, so the worker's log lines name
the request that caused them. A task enqueued without one (a scheduled job) runs under a new id.
"""

import functools
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.request_id import request_id_bound, request_id_current


def carries_request_id(func):
    """Let the task function accept `request_id` and bind it (or a new id) while it runs."""

    @functools.wraps(func)
    def run(*args, request_id: str | None = None, **kwargs):
        with request_id_bound(request_id):
            return func(*args, **kwargs)

    return run


def task_enqueue(task, *args, **kwargs):
    """`task.enqueue(...)` passing the current request id along."""
    return task.enqueue(*args, request_id=request_id_current(), **kwargs)


@task
def clear_expired_sessions() -> None:
    """What `manage.py clearsessions` does: drop the sessions past their expiry."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@task
def prune_task_results(*, min_age_days: int = 7) -> int:
    """What `manage.py prune_db_task_results --min-age-days N` does: drop finished task results older than N days
    (each scheduled run leaves one). Returns the number deleted."""
    cutoff = timezone.now() - timedelta(days=min_age_days)
    return DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()[0]
