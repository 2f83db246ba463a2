"""The webhook delivery task (django.tasks; `manage.py db_worker` runs it with the database backend)."""

import logging

from django.tasks import task

from core.tasks import carries_request_id, task_enqueue
from webhooks.delivery import webhook_deliveries_send, webhook_next_attempt_at
from webhooks.pruning import webhook_events_prune

logger = logging.getLogger(__name__)


@task
@carries_request_id
def deliver_webhooks() -> dict[str, int]:
    """Send every due delivery, then, if retries wait, schedule the pass that will send them.

    Enqueued after each commit that emitted an event (webhooks.services.webhook_event_emit) or asked for a
    redelivery. Safe to run any number of times at once: deliveries are claimed one by one (webhooks.delivery).
    """
    counts = webhook_deliveries_send()
    if counts["retrying"] or counts["still_due"]:
        _schedule_next_pass()
    return counts


def _schedule_next_pass() -> None:
    """Only a pass that left retries behind schedules the next one, so an outage is followed by one chain of
    deferred passes. Without deferred tasks (or if enqueueing fails) the `send_webhooks` cron sweep takes over."""
    run_after = webhook_next_attempt_at()
    if run_after is None:
        return
    try:
        if deliver_webhooks.get_backend().supports_defer:
            task_enqueue(deliver_webhooks.using(run_after=run_after))
    except Exception:
        logger.exception("could not schedule the next webhook pass; cron `send_webhooks` will deliver")


@task
def prune_webhook_events(*, older_than_days: int = 90) -> int:
    """Old events and their delivery log, never one with a delivery still pending. Returns the number deleted."""
    return webhook_events_prune(older_than_days=older_than_days)
