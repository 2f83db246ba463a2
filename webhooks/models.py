"""Signed webhooks to partners: subscriptions, the events Vouch emits, and one delivery (with its attempts) per
event and subscription. Events and deliveries are written in the transaction of the change they report (an
outbox): a change that rolls back leaves nothing to send. See docs/webhooks.md."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    APPLICATION_SUBMITTED = "application.submitted", _("Application submitted")
    APPLICATION_APPROVED = "application.approved", _("Application approved")
    APPLICATION_REJECTED = "application.rejected", _("Application rejected")
    APPLICATION_NEEDS_INFORMATION = "application.needs_information", _("Application needs information")
    APPLICATION_EXPIRED = "application.expired", _("Application expired")
    COUPON_ISSUED = "coupon.issued", _("Coupon issued")
    COUPON_REDEEMED = "coupon.redeemed", _("Coupon redeemed")
    COUPON_REVOKED = "coupon.revoked", _("Coupon revoked")
    ORGANISATION_STATUS_CHANGED = "organisation.status_changed", _("Organisation status changed")


class WebhookSubscription(models.Model):
    """Where a partner wants events POSTed. The secret signs every request; it is shown once, at creation, and kept
    in clear because signing needs it (it is a shared secret, not a password)."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, blank=True)  # empty: every event type
    secret = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.partner_id}: {self.url}"

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookEvent(models.Model):
    """Something that happened, as partners receive it. Every delivery of it (retries, redeliveries) sends the
    same id, so receivers drop copies."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=40, choices=EventType.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)
    # What the event is about, for the delivery log.
    application = models.ForeignKey(
        "verification.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coupon = models.ForeignKey("coupons.Coupon", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    org_id = models.CharField(max_length=80, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.type}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.uuid.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # an attempt is due at next_attempt_at (the first one, or a retry)
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")  # stopped: the subscription or its partner was deactivated, or the URL refused
    ABANDONED = "abandoned", _("Abandoned")  # no 2xx answer within the retry window (24 hours)


class WebhookDelivery(models.Model):
    """One event to one subscription. Claimed by a worker with a lease (next_attempt_at moved forward), so a
    worker that dies mid-request leaves it due again; see webhooks/delivery.py."""

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    retry_until = models.DateTimeField()  # the event's time + 24 hours; a redelivery restarts it
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="one_delivery_per_event_and_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: what came back, or why nothing did."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error[:40]}"
