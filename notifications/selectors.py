"""Reads about the outbox: its backlog, for /readyz and /metrics."""

from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone

from notifications.models import OutboxEmail, OutboxState


def outbox_backlog(*, now: datetime | None = None) -> dict:
    """Emails not yet sent (pending, or being sent): how many, how many are due now, and how long the oldest has
    waited since it was queued and since it became due (seconds, None when there is none)."""
    now = now or timezone.now()
    waiting = OutboxEmail.objects.filter(state__in=[OutboxState.PENDING, OutboxState.SENDING])
    due = Q(next_attempt_at__lte=now)
    row = waiting.aggregate(
        count=Count("pk"),
        due=Count("pk", filter=due),
        oldest=Min("created_at"),
        oldest_due=Min("next_attempt_at", filter=due),
    )
    return backlog_figures(row, now=now)


def backlog_figures(row: dict, *, now: datetime) -> dict:
    """The shape both backlogs (email, webhooks) are reported in."""

    def age(moment):
        return None if moment is None else max(0.0, round((now - moment).total_seconds(), 1))

    return {
        "count": row["count"],
        "due": row["due"],
        "oldest_age_seconds": age(row["oldest"]),
        "oldest_due_age_seconds": age(row["oldest_due"]),
    }
