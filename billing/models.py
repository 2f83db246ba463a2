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
    AUD = "AUD", _("Australian dollar")  # Australian organisations (ACNC) buy in their own currency


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
            models.UniqueConstraint(
                fields=["product", "currency", "billing_cycle"], name="billing_one_price_per_product_currency_cycle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} {self.currency} {self.billing_cycle} {self.unit_amount_minor}"


class TaxRate(models.Model):
    """A sales-tax or VAT rate. An empty region is the rate for the whole country; a region's own row wins over it
    (see billing.catalog.tax_rate_find)."""

    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. US."))
    region = models.CharField(
        _("region"),
        max_length=3,
        blank=True,
        help_text=_("ISO 3166-2 subdivision code without the country, e.g. NY; empty for the whole country."),
    )
    percent = models.DecimalField(_("percent"), max_digits=6, decimal_places=3)
    label = models.CharField(_("label"), max_length=60, help_text=_("Shown on invoices, e.g. 'VAT' or 'NY sales tax'."))

    class Meta:
        ordering = ["country", "region"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        constraints = [
            models.UniqueConstraint(fields=["country", "region"], name="billing_one_tax_rate_per_country_region"),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="billing_tax_rate_percent_between_0_and_100"
            ),
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
    # The language the customer signed up in: emails sent later, by jobs without a request, are written in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    # The buyer on invoices (billing.invoice_documents): empty fields fall back to the coupon's organisation.
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    billing_address = models.TextField(_("billing address"), max_length=500, blank=True)
    tax_id = models.CharField(_("tax identifier"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


# ---------------------------------------------------------------------------------------------------------------
# Subscriptions, invoices and checkout idempotency (issue 4). Services: billing.checkout, billing.subscriptions,
# billing.invoices, billing.payments. Money in integer minor units; dates of a period are [start, end).


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
    ENDED = "ended", _("Ended")


class Subscription(models.Model):
    """A base plan (Workplace Pro or Business) with licences, plus add-ons (SubscriptionItem), billed per period.

    `coupon` is the nonprofit coupon applied (at purchase or at a renewal); `discount_percent` is the discount that
    applied to the current period (0 when none). `pending_plan`/`pending_quantity` hold a change the plan-change
    policy scheduled for the end of the term (applied at renewal).
    """

    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
    quantity = models.PositiveIntegerField(_("licences"))
    billing_cycle = models.CharField(_("billing cycle"), max_length=10, choices=BillingCycle.choices)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    billing_anchor = models.DateField(_("first day of the first period"))
    current_period_start = models.DateField(_("current period start"))
    current_period_end = models.DateField(_("current period end (exclusive)"))
    auto_renew = models.BooleanField(_("renews automatically"), default=True)
    cancel_at_period_end = models.BooleanField(_("ends at the end of the period"), default=False)
    coupon = models.ForeignKey(
        "coupons.Coupon", null=True, blank=True, on_delete=models.PROTECT, related_name="subscriptions"
    )
    discount_percent = models.DecimalField(_("discount percent"), max_digits=5, decimal_places=2, default=0)
    pending_plan = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pending_quantity = models.PositiveIntegerField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="billing_subscription_at_least_one_licence"),
            models.CheckConstraint(
                condition=Q(current_period_end__gt=models.F("current_period_start")),
                name="billing_subscription_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="billing_subscription_discount_between_0_and_100",
            ),
        ]
        indexes = [models.Index(fields=["status", "current_period_end"], name="billing_sub_due")]

    def __str__(self) -> str:
        return f"{self.plan.code} x{self.quantity} ({self.billing_cycle}, {self.status})"

    @property
    def is_discounted(self) -> bool:
        return self.coupon_id is not None and self.discount_percent > 0


class SubscriptionItem(models.Model):
    """An add-on (or another product outside the plans) on a subscription, with its own number of licences."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("licences"))

    class Meta:
        ordering = ["product__code"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "product"], name="billing_one_item_per_product"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="billing_item_at_least_one_licence"),
        ]

    def __str__(self) -> str:
        return f"{self.product.code} x{self.quantity}"


class InvoiceSequence(models.Model):
    """The counter of invoice numbers for one year. Locked (SELECT … FOR UPDATE) inside the transaction that creates
    the invoice, so numbers are sequential and a rolled-back invoice gives its number back: no gaps."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class Invoice(models.Model):
    """An invoice: the sum of its lines (charge and proration lines positive, discount lines negative, tax lines).
    Issued once, never edited afterwards except to record its payment."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="invoices")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("number"), max_length=20, unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    issued_at = models.DateTimeField(_("issued at"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (exclusive)"))
    subtotal_minor = models.BigIntegerField(_("subtotal"))  # the gross of the charge and proration lines
    discount_minor = models.BigIntegerField(_("discount"))  # positive: what the discount lines take off
    tax_minor = models.BigIntegerField(_("tax"))
    total_minor = models.BigIntegerField(_("total"))  # subtotal - discount + tax
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)  # e.g. the bank's
    tax_exempt = models.BooleanField(default=False)
    # Voided by the billing back-office (billing.invoices.invoice_void): why, when, by whom; its credit note points
    # back here through credit_note_for.
    void_reason = models.TextField(_("reason for voiding"), blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_note_for = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_note"
    )

    class Meta:
        ordering = ["-issued_at", "-number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        permissions = [
            ("mark_invoice_paid", "Can record an invoice's payment"),
            ("void_invoice", "Can void an invoice with a credit note"),
            ("export_billing", "Can export billing lists as CSV"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    total_minor=models.F("subtotal_minor") - models.F("discount_minor") + models.F("tax_minor")
                ),
                name="billing_invoice_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLineKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PRORATION = "proration", _("Prorated charge")
    DISCOUNT = "discount", _("Discount")
    TAX = "tax", _("Tax")


class InvoiceLine(models.Model):
    """One line of an invoice. `amount_minor` is signed (discount lines are negative); `explanation` is a stable
    code saying why (e.g. discounted, product_not_eligible, discount_ended_coupon_revoked, taxed, no_tax_rate)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=InvoiceLineKind.choices)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    unit_amount_minor = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    explanation = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="billing_invoice_line_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.description} {self.amount_minor}"


class CheckoutRequest(models.Model):
    """A checkout's idempotency key: the same key with the same request gets the first result back; the same key
    with another request is refused (`idempotency_key_reused`)."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="checkout_requests")
    idempotency_key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    subscription = models.ForeignKey(Subscription, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "idempotency_key"], name="billing_one_checkout_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.idempotency_key}"


class LegacyDiscount(models.Model):
    """A discount from the previous verification partner, imported from its CSV (billing.legacy). It holds until the
    end of the account's current term; `notice_sent_for_period_end` is the term end the "your discount ends" email
    was sent for, so the job sends one email per term however often it runs."""

    email = models.EmailField(_("account email"), unique=True)  # normalised like CustomerAccount.email
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2)
    partner = models.CharField(_("partner"), max_length=120)
    imported_at = models.DateTimeField(_("imported at"))
    notice_sent_for_period_end = models.DateField(_("notice sent for the term ending"), null=True, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("legacy partner discount")
        verbose_name_plural = _("legacy partner discounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="billing_legacy_discount_percent_between_0_and_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.percent}% ({self.partner})"


# ---------------------------------------------------------------------------------------------------------------
# Sales-tax exemption (issue 4 §6), a process separate from the nonprofit discount. Services:
# billing.tax_exemptions. The certificate is stored like verification documents (verification.documents): random
# name under settings.DOCUMENTS_DIR, content type from the magic bytes.


class TaxCertificateType(models.TextChoices):
    STATE_EXEMPTION_CERTIFICATE = "state_exemption_certificate", _("State exemption certificate")
    RESALE_CERTIFICATE = "resale_certificate", _("Resale certificate")
    DIRECT_PAY_PERMIT = "direct_pay_permit", _("Direct-pay permit")
    NONPROFIT_DETERMINATION_LETTER = (
        "nonprofit_determination_letter",
        _("Nonprofit determination letter (e.g. IRS 501(c)(3))"),
    )
    OTHER = "other", _("Other exemption document")


class TaxExemptionStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    EXEMPT = "exempt", _("Exempt")
    REJECTED = "rejected", _("Rejected")


class TaxExemption(models.Model):
    """A customer's request to be exempt from sales tax in one jurisdiction (country + region; an empty region is
    the whole country). Reviewed by staff: pending -> exempt or rejected. At most one pending-or-exempt request per
    account and jurisdiction."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="tax_exemptions")
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=3, blank=True)
    certificate_type = models.CharField(_("certificate type"), max_length=40, choices=TaxCertificateType.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    signature = models.CharField(_("signature (typed full name)"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"))
    document_stored_name = models.CharField(max_length=40)  # random, see verification.documents
    document_original_name = models.CharField(max_length=255)  # cleaned, display only
    document_content_type = models.CharField(max_length=40)  # from the magic bytes
    document_size = models.PositiveIntegerField()
    document_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=TaxExemptionStatus.choices, default=TaxExemptionStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_code = models.CharField(max_length=60, blank=True)
    decision_message = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("tax exemption")
        verbose_name_plural = _("tax exemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "country", "region"],
                condition=Q(status__in=["pending", "exempt"]),
                name="billing_one_open_tax_exemption_per_jurisdiction",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="billing_taxex_status")]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else self.country
        return f"{self.account_id} {where} {self.status}"

    @property
    def jurisdiction(self) -> str:
        return f"{self.country}-{self.region}" if self.region else self.country


class TaxExemptionCredit(models.Model):
    """The credit note (an Invoice with negative tax lines) that gives back the tax of `invoice` after `exemption`
    was approved. One credit per original invoice, ever (unique)."""

    exemption = models.ForeignKey(TaxExemption, on_delete=models.PROTECT, related_name="credits")
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="tax_exemption_credit")
    credit_invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="credits_tax_of")

    def __str__(self) -> str:
        return f"{self.credit_invoice_id} credits tax of {self.invoice_id}"
