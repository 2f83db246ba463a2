"""Retries never wait for unrelated traffic: with no other activity, the scheduler's sweep and a real worker
(django_tasks_db's, in threads) send an email or a webhook whose retry time has come, and take over what a killed
worker left leased once its lease expires. The sweep runs every second here; the production table's sweeps run
every 30 seconds (tests/core/test_scheduling.py), which bounds the wait under a minute."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.scheduling import ScheduledJob
from notifications.models import OutboxEmail, OutboxState
from notifications.tasks import send_pending_emails
from tests.core.running import Running, wait_for
from tests.notifications.test_sending import queue


@pytest.mark.django_db(transaction=True)
def test_a_due_retry_and_an_email_left_by_a_killed_worker_are_sent_without_other_traffic(smtp_server):
    retry, orphan = queue(key="retry"), queue(key="orphan", to="other@example.org")
    now = timezone.now()
    # A retry that becomes due in 2 seconds, and an email a killed worker leased (its lease ends in 3 seconds).
    OutboxEmail.objects.filter(pk=retry.pk).update(attempts=1, next_attempt_at=now + timedelta(seconds=2))
    OutboxEmail.objects.filter(pk=orphan.pk).update(
        state=OutboxState.SENDING, attempts=1, next_attempt_at=now + timedelta(seconds=3)
    )
    DBTaskResult.objects.all().delete()  # no pass queued by anything else: only the schedule can send them
    job = ScheduledJob("send_outbox", "* * * * * *", send_pending_emails, "sweep")
    with Running(job):
        wait_for(lambda: OutboxEmail.objects.filter(state=OutboxState.SENT).count() == 2)
    for email, due in ((retry, now + timedelta(seconds=2)), (orphan, now + timedelta(seconds=3))):
        email.refresh_from_db()
        assert due <= email.sent_at < due + timedelta(seconds=5)  # within seconds of becoming due
    assert sorted(m["To"] for m in smtp_server.messages) == ["director@example.org", "other@example.org"]
    assert OutboxEmail.objects.get(pk=orphan.pk).attempts == 2
