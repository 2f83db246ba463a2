from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One state change: who did what to which object, with the values before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"


class Lease(models.Model):
    """A named lease that one process holds at a time (core.scheduling): taken with a conditional UPDATE when free
    or expired, renewed by its holder; `renewed_at` is the holder's heartbeat."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    acquired_at = models.DateTimeField()
    renewed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class ScheduledJobState(models.Model):
    """The last occurrence of a scheduled job that was acted on (enqueued, or skipped because the previous copy
    still waited in the queue): each occurrence is claimed once, with a conditional UPDATE."""

    name = models.CharField(max_length=100, primary_key=True)
    last_due_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_result_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (last due {self.last_due_at:%Y-%m-%d %H:%M:%S})"
