from django.contrib import admin

from billing.models import Price, Product, TaxRate


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Catalog configuration by vendor staff (changes are in the admin's log); prices are edited with the product."""

    list_display = ("name", "code", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [PriceInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # subscriptions and invoices will refer to products: retire one with is_active instead


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ("country", "region", "percent", "label")
    list_filter = ("country",)
    ordering = ("country", "region")
