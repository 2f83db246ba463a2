"""Webhooks: emit events (an outbox written in the caller's transaction), manage subscriptions, redeliver.

    with transaction.atomic():
        transition(...)   # the change; verification announces a PartnerEvent (core.events)
        # -> webhook_event_record(event), subscribed in WebhooksConfig.ready: one outbox row per subscription

If the transaction rolls back, no event and no delivery exist. If it commits, the worker is asked for a delivery
pass (webhooks.tasks.deliver_webhooks), and the `send_webhooks` command sweeps behind it. See docs/webhooks.md.
"""

import logging
import secrets
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit import audit_record
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.tasks import task_enqueue
from partners.models import Partner
from verification.events import PartnerEvent
from webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEvent, WebhookSubscription
from webhooks.rules import RETRY_WINDOW, allow_http_localhost, url_problem
from webhooks.selectors import partners_reached, subscriptions_for_event
from webhooks.tasks import deliver_webhooks

logger = logging.getLogger(__name__)

MAX_ACTIVE_SUBSCRIPTIONS = 20
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
URL_MESSAGES = {
    "url_invalid": gettext_lazy("Give a valid URL of at most 500 characters."),
    "url_credentials_forbidden": gettext_lazy("The URL must not contain a user name or password."),
    "url_https_required": gettext_lazy("The URL must use https."),
    "url_local_forbidden": gettext_lazy("The URL must not point to this machine or a private network."),
}


# ---------------------------------------------------------------------------------------------------------------
# Events


def webhook_event_emit(
    *,
    event_type: str,
    data: dict,
    program_ids=(),
    partner_ids=(),
    application_id: int | None = None,
    coupon_id: int | None = None,
    org_id: str = "",
) -> list[WebhookDelivery]:
    """Record an event and one delivery per active subscription that should receive it (selectors: the routing
    rule). Call it inside the transaction of the change. An event no subscription wants is not stored."""
    if event_type not in EventType.values:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    partners = partners_reached(program_ids=program_ids, partner_ids=partner_ids)
    subscriptions = subscriptions_for_event(event_type=event_type, partners=partners)
    if not subscriptions:
        return []
    now = timezone.now()
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            type=event_type,
            data=data,
            created_at=now,
            application_id=application_id,
            coupon_id=coupon_id,
            org_id=org_id or "",
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    event=event, subscription=subscription, next_attempt_at=now, retry_until=now + RETRY_WINDOW
                )
                for subscription in subscriptions
            ]
        )
    _kick_on_commit()
    return deliveries


def webhook_event_record(event: PartnerEvent) -> list[WebhookDelivery]:
    """The handler of verification's PartnerEvent (subscribed in WebhooksConfig.ready)."""
    return webhook_event_emit(
        event_type=event.type,
        data=event.data,
        program_ids=event.program_ids,
        partner_ids=event.partner_ids,
        application_id=event.application_id,
        coupon_id=event.coupon_id,
        org_id=event.org_id,
    )


def _kick_on_commit() -> None:
    """One delivery pass per transaction, however many events it emitted."""
    pending = getattr(connection, "run_on_commit", None) or []
    if not (connection.in_atomic_block and any(entry[1] is webhooks_kick for entry in pending)):
        transaction.on_commit(webhooks_kick, robust=True)


def webhooks_kick() -> None:
    """Ask the background worker for a delivery pass. If the task backend is down the deliveries still wait in
    the database: the next pass, or the `send_webhooks` cron sweep, sends them."""
    try:
        task_enqueue(deliver_webhooks)
    except Exception:
        logger.exception("could not enqueue the webhook task; cron `send_webhooks` will deliver")


# ---------------------------------------------------------------------------------------------------------------
# Subscriptions


def _event_types(event_types) -> list[str]:
    chosen = sorted(set(event_types or []))
    unknown = [value for value in chosen if value not in EventType.values]
    if unknown:
        raise InvalidInput(
            _("Unknown event types: %(types)s.") % {"types": ", ".join(unknown)},
            code="event_type_invalid",
            details={"unknown": unknown, "known": list(EventType.values)},
        )
    return chosen


def webhook_subscription_create(
    *, partner: Partner, url: str, event_types=None, description: str = ""
) -> WebhookSubscription:
    """A new subscription; its `secret` is shown to the partner in the response to this call only."""
    url = (url or "").strip()
    problem = url_problem(url, allow_http_localhost=allow_http_localhost())
    if problem:
        raise InvalidInput(URL_MESSAGES[problem], code=problem, details={"url": url[:500]})
    chosen = _event_types(event_types)
    if WebhookSubscription.objects.filter(partner=partner, is_active=True).count() >= MAX_ACTIVE_SUBSCRIPTIONS:
        raise Conflict(
            _("A partner may have at most %(count)d active subscriptions; delete one first.")
            % {"count": MAX_ACTIVE_SUBSCRIPTIONS},
            code="subscription_limit_reached",
        )
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            partner=partner,
            url=url,
            event_types=chosen,
            description=(description or "").strip()[:200],
            secret=SECRET_PREFIX + secrets.token_urlsafe(32),
        )
        audit_record(
            action="webhook_subscription.created",
            object_type="webhook_subscription",
            object_id=subscription.pk,
            actor_label=f"partner:{partner.pk}",
            after={"partner": partner.pk, "url": url, "event_types": chosen},
        )
    return subscription


def webhook_subscription_deactivate(
    *, subscription: WebhookSubscription, actor=None, actor_label: str = "", now: datetime | None = None
) -> WebhookSubscription:
    """Stop sending to the subscription. Deliveries still waiting stop as `failed`; the log is kept."""
    now = now or timezone.now()
    with transaction.atomic():
        if WebhookSubscription.objects.filter(pk=subscription.pk, is_active=True).update(
            is_active=False, deactivated_at=now
        ):
            stopped = subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.FAILED, last_error="subscription deactivated"
            )
            audit_record(
                action="webhook_subscription.deactivated",
                object_type="webhook_subscription",
                object_id=subscription.pk,
                actor=actor,
                actor_label=actor_label or f"partner:{subscription.partner_id}",
                before={"is_active": True},
                after={"is_active": False, "deliveries_stopped": stopped},
            )
    subscription.refresh_from_db()
    return subscription


# ---------------------------------------------------------------------------------------------------------------
# Redelivery


def webhook_delivery_redeliver(*, delivery: WebhookDelivery, actor, now: datetime | None = None) -> WebhookDelivery:
    """Staff: send the delivery again now, with a fresh 24-hour retry window. Same event, same id: a receiver
    that already processed it drops the copy."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_staff):
        raise PermissionDenied(_("Only staff can redeliver webhooks."), code="staff_only")
    subscription = delivery.subscription
    if not (subscription.is_active and subscription.partner.is_active):
        raise Conflict(
            _("This subscription or its partner is deactivated: nothing can be sent to it."),
            code="subscription_inactive",
        )
    now = now or timezone.now()
    before = {"status": delivery.status, "attempts": delivery.attempts}
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, retry_until=now + RETRY_WINDOW
        )
        delivery.refresh_from_db()
        audit_record(
            action="webhook_delivery.redelivered",
            object_type="webhook_delivery",
            object_id=delivery.pk,
            actor=actor,
            before=before,
            after={"status": delivery.status, "event": delivery.event.public_id, "subscription": subscription.pk},
        )
        _kick_on_commit()
    return delivery
