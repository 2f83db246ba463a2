from django.contrib import admin

from coupons.models import Coupon


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    """Coupons are issued and changed by services only (with an audit entry): the admin shows them."""

    list_display = ("code_hint", "organisation_key", "program", "email", "state", "issued_at", "redeem_by")
    list_filter = ("state", "program")
    search_fields = ("organisation_key", "email", "code_hint")
    readonly_fields = [f.name for f in Coupon._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
