"""Sending the outbox over real SMTP (an in-process aiosmtpd server): outages delay mail, never lose or repeat it."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notifications.models import OutboxEmail, OutboxState
from notifications.sender import LEASE, MAX_ATTEMPTS, outbox_backoff, outbox_send_due
from notifications.services import email_queue
from notifications.tasks import send_pending_emails
from tests.notifications.test_queue import CONTEXTS


def queue(key="approved:VCH-7K3M", to="director@example.org", template="application_approved", language="en"):
    return email_queue(to=to, template=template, context=CONTEXTS[template], language=language, dedupe_key=key)


def make_due(*emails):
    """Let the backoff pass, as if time had gone by."""
    OutboxEmail.objects.filter(pk__in=[e.pk for e in emails]).update(next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_the_task_sends_the_email_over_smtp(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Vouch <no-reply@mail.vouch.test>"
    email = queue(language="fr")
    counts = send_pending_emails.call()
    assert counts == {"sent": 1, "retrying": 0, "failed": 0, "still_due": 0}

    [message] = smtp_server.messages_to("director@example.org")
    email.refresh_from_db()
    assert email.state == OutboxState.SENT and email.sent_at and email.attempts == 1 and not email.last_error
    assert message["Message-ID"] == email.message_id
    assert message["Subject"] == email.subject and message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == "Vouch <no-reply@mail.vouch.test>"
    assert "7KQ2-XM4D-9RTB-HC31" in smtp_server.text(message) and "4 mars 2026" in smtp_server.text(message)
    assert 'lang="fr"' in smtp_server.html(message)
    # Nothing is sent twice.
    assert send_pending_emails.call()["sent"] == 0 and len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_an_smtp_outage_delays_the_email_and_never_repeats_it(smtp_server):
    email = queue()
    smtp_server.stop()
    before = timezone.now()
    counts = send_pending_emails.call()
    assert counts["retrying"] == 1 and counts["sent"] == 0

    email.refresh_from_db()
    assert email.state == OutboxState.PENDING and email.attempts == 1
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()
    assert before + timedelta(minutes=1) <= email.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    # The retry is scheduled as a deferred task.
    deferred = DBTaskResult.objects.filter(
        task_path="notifications.tasks.send_pending_emails", run_after__isnull=False
    ).get()
    assert deferred.run_after == email.next_attempt_at

    # Not due yet: a pass in the meantime leaves it alone.
    assert send_pending_emails.call() == {"sent": 0, "retrying": 0, "failed": 0, "still_due": 0}

    make_due(email)
    send_pending_emails.call()  # still down: second attempt, longer wait
    email.refresh_from_db()
    assert email.state == OutboxState.PENDING and email.attempts == 2
    assert email.next_attempt_at >= timezone.now() + timedelta(minutes=1, seconds=50)

    smtp_server.start()
    make_due(email)
    assert send_pending_emails.call()["sent"] == 1
    email.refresh_from_db()
    assert email.state == OutboxState.SENT and email.attempts == 3
    [message] = smtp_server.messages
    assert message["Message-ID"] == email.message_id
    make_due(email)
    send_pending_emails.call()
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_during_an_outage_each_due_email_waits_its_turn(smtp_server):
    emails = [queue(key=f"k{i}", to=f"user{i}@example.org") for i in range(3)]
    smtp_server.stop()
    assert outbox_send_due()["retrying"] == 3
    assert all(e.state == OutboxState.PENDING and e.attempts == 1 for e in OutboxEmail.objects.all())
    smtp_server.start()
    make_due(*emails)
    assert outbox_send_due()["sent"] == 3
    assert sorted(m["To"] for m in smtp_server.messages) == [f"user{i}@example.org" for i in range(3)]


def test_backoff_doubles_up_to_an_hour():
    assert [outbox_backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert outbox_backoff(7) == timedelta(hours=1) and outbox_backoff(40) == timedelta(hours=1)


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt(smtp_server):
    email = queue()
    smtp_server.stop()
    OutboxEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert outbox_send_due()["failed"] == 1
    email.refresh_from_db()
    assert email.state == OutboxState.FAILED and email.attempts == MAX_ATTEMPTS and email.last_error
    smtp_server.start()
    make_due(email)
    assert outbox_send_due()["sent"] == 0 and not smtp_server.messages


@pytest.mark.django_db
def test_a_permanent_refusal_fails_at_once(smtp_server):
    smtp_server.refuse("nobody@example.org")
    refused = queue(key="a", to="nobody@example.org")
    fine = queue(key="b", to="director@example.org")
    counts = outbox_send_due()
    assert counts["failed"] == 1 and counts["sent"] == 1
    refused.refresh_from_db()
    fine.refresh_from_db()
    assert refused.state == OutboxState.FAILED and "550" in refused.last_error and refused.attempts == 1
    assert fine.state == OutboxState.SENT


@pytest.mark.django_db
def test_an_email_left_sending_by_a_crashed_worker_is_retried(smtp_server):
    stale, fresh = queue(key="stale"), queue(key="fresh", to="other@example.org")
    now = timezone.now()
    OutboxEmail.objects.filter(pk=stale.pk).update(
        state=OutboxState.SENDING, attempts=1, next_attempt_at=now - timedelta(seconds=1)
    )
    # Another worker is sending this one right now (its lease has not run out).
    OutboxEmail.objects.filter(pk=fresh.pk).update(
        state=OutboxState.SENDING, attempts=1, next_attempt_at=now + LEASE - timedelta(minutes=1)
    )
    assert outbox_send_due()["sent"] == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.state == OutboxState.SENT and stale.attempts == 2
    assert fresh.state == OutboxState.SENDING
    assert [m["To"] for m in smtp_server.messages] == ["director@example.org"]


@pytest.mark.django_db
def test_an_email_that_kills_every_worker_ends_failed(smtp_server):
    email = queue()
    OutboxEmail.objects.filter(pk=email.pk).update(
        state=OutboxState.SENDING, attempts=MAX_ATTEMPTS, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_send_due()["failed"] == 1
    email.refresh_from_db()
    assert email.state == OutboxState.FAILED and not smtp_server.messages


@pytest.mark.django_db(transaction=True)
def test_workers_running_at_once_send_each_email_once(smtp_server):
    for i in range(30):
        queue(key=f"k{i}", to=f"user{i}@example.org")
    barrier, totals = threading.Barrier(3), []

    def worker():
        try:
            barrier.wait()
            totals.append(outbox_send_due()["sent"])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(totals) == 30
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(f"user{i}@example.org" for i in range(30))
    assert OutboxEmail.objects.filter(state=OutboxState.SENT).count() == 30


@pytest.mark.django_db
def test_a_pass_is_bounded_and_the_rest_is_scheduled(smtp_server):
    for i in range(3):
        queue(key=f"k{i}", to=f"user{i}@example.org")
    assert outbox_send_due(limit=2) == {"sent": 2, "retrying": 0, "failed": 0, "still_due": 1}
    assert send_pending_emails.call()["sent"] == 1
