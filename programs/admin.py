from django.contrib import admin

from programs.models import Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """Programs are configuration data: program admins (staff with the change_program permission) edit them here."""

    list_display = (
        "name",
        "slug",
        "vendor_name",
        "budget_cap_minor",
        "budget_currency",
        "discount_percent",
        "is_active",
    )
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ("name", "slug", "vendor_name", "is_active")}),
        (
            "Eligibility",
            {
                "fields": (
                    "budget_cap_minor",
                    "budget_currency",
                    "exchange_rates",
                    "supported_countries",
                    "exclusions",
                    "sanctioned_countries",
                )
            },
        ),
        ("Discount", {"fields": ("discount_percent", "eligible_products", "coupon_redeem_days")}),
        (
            "Process",
            {
                "fields": (
                    "review_sla_business_days",
                    "application_expiry_days",
                    "education_program_url",
                    "sales_contact_url",
                    "support_contact",
                )
            },
        ),
        ("Terms", {"fields": ("terms_version", "terms_text", "privacy_version", "privacy_text")}),
    ]
