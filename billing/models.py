"""The vendor's catalog: products, their per-licence prices, and the sales-tax rate table.

Deliberately small: subscriptions, invoices and tax exemptions are built on these later. Money is an integer of minor
units plus an ISO currency (core.money); percentages are Decimals. Arithmetic lives in billing.pricing (pure), never
here. Which products the nonprofit discount covers is program configuration (verification.Program.eligible_products,
a list of Product.code values), not a flag on the product.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    BASE_PLAN = "base_plan", _("Base plan")
    ADD_ON = "add_on", _("Add-on")
    OTHER = "other", _("Other product")


class Currency(models.TextChoices):
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
    GBP = "GBP", _("Pound sterling")


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class Product(models.Model):
    """Something a customer subscribes to, priced per licence. `code` is the stable slug programs refer to."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ProductKind.choices)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name


class Price(models.Model):
    """The price of one licence for one billing period (a month or a year), in one currency."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="prices", verbose_name=_("product"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    billing_cycle = models.CharField(_("billing cycle"), max_length=10, choices=BillingCycle.choices)
    unit_amount_minor = models.PositiveBigIntegerField(_("price per licence per period (minor units)"))

    class Meta:
        ordering = ["product", "currency", "billing_cycle"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["product", "currency", "billing_cycle"],
                                    name="billing_one_price_per_product_currency_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.currency} {self.billing_cycle} {self.unit_amount_minor}"


class TaxRate(models.Model):
    """A sales-tax or VAT rate. An empty region is the rate for the whole country; a region's own row wins over it
    (see billing.catalog.tax_rate_find)."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. US."))
    region = models.CharField(_("region"), max_length=3, blank=True,
                              help_text=_("ISO 3166-2 subdivision code without the country, e.g. NY; empty for the "
                                          "whole country."))
    percent = models.DecimalField(_("percent"), max_digits=6, decimal_places=3)
    label = models.CharField(_("label"), max_length=60, help_text=_("Shown on invoices, e.g. 'VAT' or 'NY sales tax'."))

    class Meta:
        ordering = ["country", "region"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        constraints = [
            models.UniqueConstraint(fields=["country", "region"], name="billing_one_tax_rate_per_country_region"),
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100),
                                   name="billing_tax_rate_percent_between_0_and_100"),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{where} {self.label} {self.percent}%"


class CustomerAccount(models.Model):
    """A customer of the vendor's store. Its email is the one a nonprofit coupon is bound to (compared after
    normalising: email_validator's form, lower case), so it must be verified before a coupon is accepted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_account")
    email = models.EmailField(_("email"), unique=True)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2)
    billing_region = models.CharField(_("billing region"), max_length=10, blank=True)  # e.g. a US state: NY
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None
