from django.contrib import admin

from verification.models import TrustedIssuer


@admin.register(TrustedIssuer)
class TrustedIssuerAdmin(admin.ModelAdmin):
    """Federation: the issuers whose receipts a program accepts, and the checks they may settle."""

    list_display = ("name", "base_url", "program", "is_active", "jwks_fetched_at")
    list_filter = ("is_active", "program")
    readonly_fields = ("jwks", "jwks_fetched_at")
