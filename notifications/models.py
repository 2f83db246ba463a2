from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # gave up after the last retry; a person must look


class OutboxEmail(models.Model):
    """An email to send. Written in the same transaction as the change it reports, sent later by the worker:
    an SMTP outage delays mail but never loses it, and the dedupe key stops the same email being queued twice."""

    dedupe_key = models.CharField(max_length=200, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The bodies with every secret (one-time code, coupon code, reset, verification and status links) replaced:
    # they take the bodies' place once the email is sent, so a sent email keeps nothing usable. Empty when the
    # email holds no secret, and after the swap.
    redacted_text = models.TextField(blank=True)
    redacted_html = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="en")
    template = models.CharField(max_length=100)
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200)  # stable across retries, so receivers can drop a duplicate

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.state})"

    @property
    def safe_text(self) -> str:
        """The text body as people may read it (the admin): without its secrets, sent or not."""
        return self.redacted_text or self.body_text
