"""Background tasks that keep the request id of whoever started them (django.tasks).

Decorate a task function with `@task` then `@carries_request_id`, and enqueue it with `task_enqueue(task, ...)`:
the id bound at enqueue time (a request's, or the task's that enqueues the next pass) travels as the keyword
argument `request_id` and is bound again while the task runs, so the worker's log lines name the request that
caused them. A task enqueued without one (a scheduled job) runs under a new id.
"""

import functools

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
