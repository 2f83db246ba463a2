from django.contrib import admin

from webhooks.models import WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Read-only: partners manage subscriptions through the API; the secret is never shown after creation. The
    delivery log is in the back-office (/<lang>/review/webhooks/)."""

    list_display = ("partner", "url", "is_active", "created_at", "deactivated_at")
    list_filter = ("is_active", "partner")
    search_fields = ("url", "partner__name")
    fields = ("partner", "url", "description", "event_types", "is_active", "created_at", "deactivated_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
