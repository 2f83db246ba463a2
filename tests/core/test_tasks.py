"""Housekeeping tasks: expired sessions and old task results go, the rest stays."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.tasks import clear_expired_sessions, prune_task_results
from partners.tasks import prune_api_records


@pytest.mark.django_db
def test_expired_sessions_are_cleared():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + timedelta(days=1))
    clear_expired_sessions.call()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


@pytest.mark.django_db
def test_finished_task_results_older_than_the_age_are_pruned():
    old, recent, queued = (prune_task_results.enqueue() for _ in range(3))
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.id).update(status="SUCCESSFUL", finished_at=now - timedelta(days=8))
    DBTaskResult.objects.filter(pk=recent.id).update(status="FAILED", finished_at=now - timedelta(days=2))
    assert prune_task_results.call(min_age_days=7) == 1
    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {recent.id, queued.id}


@pytest.mark.django_db
def test_prune_api_records_reports_both_counts():
    assert prune_api_records.call() == {"idempotency_records": 0, "rate_limit_windows": 0}
