"""Programs: a vendor's nonprofit discount program, every rule of it as data a program admin edits."""

from decimal import Decimal

from django.db import models

DEFAULT_EXCLUSIONS = ["school", "higher_education", "government", "political"]
DEFAULT_PRODUCTS = ["workplace-pro", "workplace-business", "large-meetings", "webinars", "cloud-storage"]


class Program(models.Model):
    """A vendor's nonprofit discount program: every rule the page states, as data a program admin edits."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    vendor_name = models.CharField(max_length=200)
    budget_cap_minor = models.BigIntegerField(default=10_000_000 * 100)  # inclusive
    budget_currency = models.CharField(max_length=3, default="USD")
    # Units of the budget currency per unit of another currency, e.g. {"GBP": "1.27", "EUR": "1.08"}.
    exchange_rates = models.JSONField(default=dict, blank=True)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("50"))
    eligible_products = models.JSONField(default=list)
    supported_countries = models.JSONField(default=list)  # ISO codes; empty = every country with a register
    exclusions = models.JSONField(default=list)  # category slugs (registry.categories.Category)
    sanctioned_countries = models.JSONField(default=list)
    # Documents accepted where no imported register settles the organisation, by country ("*": any other), as
    # DocumentKind codes; empty: programs.documents' defaults.
    country_documents = models.JSONField(default=dict, blank=True)
    terms_version = models.CharField(max_length=40)
    terms_text = models.TextField()
    privacy_version = models.CharField(max_length=40)
    privacy_text = models.TextField()
    review_sla_business_days = models.PositiveSmallIntegerField(default=3)
    application_expiry_days = models.PositiveSmallIntegerField(default=30)
    coupon_redeem_days = models.PositiveSmallIntegerField(default=90)
    education_program_url = models.URLField(blank=True)
    sales_contact_url = models.URLField(blank=True)
    support_contact = models.CharField(max_length=200, blank=True)  # the vendor's support, for coupon problems
    is_active = models.BooleanField(default=True)

    class Meta:
        # The table kept its first name when the model moved from verification (no data migration needed).
        db_table = "verification_program"

    def __str__(self) -> str:
        return self.name
