from django.contrib import admin

from programs.models import Program, ProgramRulesVersion, ProgramText
from programs.selectors import program_rules_version_current
from programs.services import program_rules_publish


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    """Programs are configuration data: program admins (staff with the change_program permission) edit them here.
    Every typed field is validated (programs.validation); saving a change to the rules publishes a new rules
    version (programs.services.program_rules_publish)."""

    list_display = (
        "name",
        "slug",
        "vendor_name",
        "budget_cap_minor",
        "budget_currency",
        "discount_percent",
        "rules_version",
        "is_active",
    )
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("rules_version",)
    fieldsets = [
        (
            None,
            {"fields": ("name", "name_fr", "slug", "vendor_name", "description", "description_fr", "is_active")},
        ),
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
                    "country_documents",
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
        ("Terms (texts: Program texts)", {"fields": ("terms_version", "privacy_version")}),
        ("Published rules", {"fields": ("rules_version",)}),
    ]

    @admin.display(description="rules version")
    def rules_version(self, program: Program) -> str:
        version = program_rules_version_current(program) if program.pk else None
        return f"{version.number} ({version.created_at:%Y-%m-%d %H:%M})" if version else "-"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        program_rules_publish(program=obj, actor=request.user)


@admin.register(ProgramText)
class ProgramTextAdmin(admin.ModelAdmin):
    """Terms and privacy texts: added, never edited (a new version is a new row); the program's terms_version and
    privacy_version then name the version in force."""

    list_display = ("program", "kind", "version", "language", "created_at")
    list_filter = ("program", "kind", "language")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProgramRulesVersion)
class ProgramRulesVersionAdmin(admin.ModelAdmin):
    """Published rules versions: read only (written when a program's rules change)."""

    list_display = ("program", "number", "created_at", "engine_version")
    list_filter = ("program",)
    readonly_fields = ("program", "number", "created_at", "snapshot", "engine_version")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
