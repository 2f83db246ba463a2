from django.contrib import admin

from registry.models import ImportRun, Organisation, RejectedRow, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "country", "licence", "last_imported_at")


class RejectedRowInline(admin.TabularInline):
    model = RejectedRow
    extra = 0
    can_delete = False
    readonly_fields = ("file", "line", "reason", "raw")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "source",
        "status",
        "started_at",
        "read",
        "created",
        "updated",
        "unchanged",
        "removed",
        "rejected",
        "seconds",
    )
    list_filter = ("source", "status")
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    inlines = [RejectedRowInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    # Organisations are written by imports only: the admin shows them, it does not edit them.
    list_display = ("org_id", "name", "status", "city", "country", "source")
    list_filter = ("country", "status", "source")
    search_fields = ("org_id", "name", "registry_number")
    readonly_fields = [f.name for f in Organisation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
