"""Reads: who receives an event (the routing rule), and the delivery log.

Routing rule (docs/webhooks.md, "Who receives what"): verification's PartnerEvent names its audience.
- an application or coupon event: the application's program and the partner that brought the application;
- organisation.status_changed: every program holding an application or a coupon for that organisation, and the
  partners that brought one of its applications;
- the active partners that see every application of one of those programs (`sees_all_applications`, the
  program's vendor) and the active partners named, then each active subscription of theirs whose event types
  include the event's (none listed: all).
"""

from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from notifications.selectors import backlog_figures
from partners.models import Partner
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription


def partners_reached(*, program_ids=(), partner_ids=()) -> QuerySet[Partner]:
    reach = Q(program_id__in=list(program_ids), sees_all_applications=True) | Q(pk__in=list(partner_ids))
    return Partner.objects.filter(reach, is_active=True)


def subscriptions_for_event(*, event_type: str, partners: QuerySet[Partner]) -> list[WebhookSubscription]:
    # event_types is filtered here rather than in SQL: JSON containment is not portable to SQLite.
    candidates = WebhookSubscription.objects.filter(partner__in=partners, is_active=True).order_by("pk")
    return [subscription for subscription in candidates if subscription.wants(event_type)]


def partner_subscriptions(*, partner: Partner) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(partner=partner)


def partner_subscription_get(*, partner: Partner, subscription_id: int) -> WebhookSubscription | None:
    """The partner's subscription, or None (another partner's subscription is as absent as a missing one)."""
    return WebhookSubscription.objects.filter(partner=partner, pk=subscription_id).first()


def subscription_deliveries(*, subscription: WebhookSubscription, limit: int = 50) -> list[WebhookDelivery]:
    return list(subscription.deliveries.select_related("event").order_by("-created_at", "-pk")[:limit])


def delivery_log(*, partner_id: int | None = None, status: str | None = None) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.select_related(
        "event", "subscription", "subscription__partner"
    ).prefetch_related("attempt_log")
    if partner_id:
        deliveries = deliveries.filter(subscription__partner_id=partner_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


def webhook_backlog(*, now: datetime | None = None) -> dict:
    """Deliveries still to make (pending: first attempts and retries): how many, how many are due now, and how long
    the oldest has waited (notifications.selectors.backlog_figures)."""
    now = now or timezone.now()
    due = Q(next_attempt_at__lte=now)
    row = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).aggregate(
        count=Count("pk"),
        due=Count("pk", filter=due),
        oldest=Min("created_at"),
        oldest_due=Min("next_attempt_at", filter=due),
    )
    return backlog_figures(row, now=now)
