from django.contrib import admin

from verification.models import Program, TrustedIssuer


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """Programs are configuration data: program admins (staff with the change_program permission) edit them here."""

    list_display = ("name", "slug", "vendor_name", "budget_cap_minor", "budget_currency", "discount_percent",
                    "is_active")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ("name", "slug", "vendor_name", "is_active")}),
        ("Eligibility", {"fields": ("budget_cap_minor", "budget_currency", "exchange_rates", "supported_countries",
                                    "exclusions", "sanctioned_countries")}),
        ("Discount", {"fields": ("discount_percent", "eligible_products", "coupon_redeem_days")}),
        ("Process", {"fields": ("review_sla_business_days", "application_expiry_days", "education_program_url",
                                "sales_contact_url", "support_contact")}),
        ("Terms", {"fields": ("terms_version", "terms_text", "privacy_version", "privacy_text")}),
    ]


@admin.register(TrustedIssuer)
class TrustedIssuerAdmin(admin.ModelAdmin):
    """Federation: the issuers whose receipts a program accepts, and the checks they may settle."""

    list_display = ("name", "base_url", "program", "is_active", "jwks_fetched_at")
    list_filter = ("is_active", "program")
    readonly_fields = ("jwks", "jwks_fetched_at")
