"""Pruning old webhook events (their own module: webhooks.services enqueues the tasks that run this)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from webhooks.models import DeliveryStatus, WebhookEvent


def webhook_events_prune(*, older_than_days: int = 90, now: datetime | None = None) -> int:
    """Delete events older than `older_than_days` with their deliveries and attempts, except events with a delivery
    still pending (a redelivery may have restarted its window). Returns the number of events deleted."""
    if older_than_days < 2:
        raise InvalidInput(
            _("Keep webhook events at least 2 days: retries run for 24 hours."), code="prune_window_too_short"
        )
    now = now or timezone.now()
    old = WebhookEvent.objects.filter(created_at__lt=now - timedelta(days=older_than_days))
    return (
        old.exclude(deliveries__status=DeliveryStatus.PENDING).distinct().delete()[1].get(WebhookEvent._meta.label, 0)
    )
