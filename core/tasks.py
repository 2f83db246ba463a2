"""Housekeeping tasks of the framework's own tables (scheduled in vouch/schedule.py)."""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


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
