"""Background tasks (the django.tasks API; `manage.py db_worker` runs them with the default database backend)."""

import logging

from django.tasks import task

from core.tasks import carries_request_id, task_enqueue
from notifications.sender import outbox_next_attempt_at, outbox_send_due

logger = logging.getLogger(__name__)


@task
@carries_request_id
def send_pending_emails() -> dict[str, int]:
    """Send every due email of the outbox, then, if some must be retried later, schedule the pass that will.

    Queued after each commit that wrote an email (notifications.services.email_queue). Safe to run any number of
    times at once: emails are claimed one by one with conditional updates.
    """
    counts = outbox_send_due()
    if counts["retrying"] or counts["still_due"]:
        _schedule_next_pass()
    return counts


def _schedule_next_pass() -> None:
    """Only a pass that left retries behind schedules the next one, so one chain of deferred passes follows an
    outage instead of one per email. Without deferred tasks (or if enqueueing fails) the cron sweep
    (`manage.py send_outbox`) picks the emails up."""
    run_after = outbox_next_attempt_at()
    if run_after is None:
        return
    try:
        if send_pending_emails.get_backend().supports_defer:
            task_enqueue(send_pending_emails.using(run_after=run_after))
    except Exception:
        logger.exception("could not schedule the next outbox pass; cron `send_outbox` will retry")
