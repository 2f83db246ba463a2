from django.contrib import admin, messages

from notifications.models import OutboxEmail
from notifications.sender import outbox_retry_failed


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: emails are written by services and sent by the worker."""

    list_display = ("created_at", "template", "to", "state", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("state", "template", "language")
    search_fields = ("to", "subject", "dedupe_key")
    # The bodies are shown without their secrets (codes, links): body_text/body_html never appear.
    fields = (
        "created_at",
        "template",
        "to",
        "subject",
        "language",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "message_id",
        "dedupe_key",
        "safe_text",
    )
    readonly_fields = fields
    actions = ["retry_failed"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Give failed emails a fresh set of attempts")
    def retry_failed(self, request, queryset):
        count = outbox_retry_failed(pks=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)
