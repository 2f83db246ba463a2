from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CouponState(models.TextChoices):
    ACTIVE = "active", _("Active")
    REDEEMED = "redeemed", _("Redeemed")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Coupon(models.Model):
    """A single-use discount code. Only a keyed hash of the code is stored: a database leak reveals no usable code.

    "Active" means issued and not yet redeemed, revoked or past its redeem-by date; at most one per organisation
    and program (a database constraint, so two approvals racing cannot both issue one).
    """

    code_hash = models.CharField(max_length=64, unique=True)
    code_hint = models.CharField(max_length=8)  # last characters, to tell coupons apart in lists
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="coupons")
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="coupons"
    )
    # The verification reference it was issued under, quoted to support with the code. A coupon knows no more of
    # the application that earned it: verification points to its coupon (Application.coupon), not the reverse.
    reference = models.CharField(max_length=20, blank=True, db_index=True)
    organisation_key = models.CharField(max_length=80)  # org_id, or "manual:<application reference>"
    email = models.EmailField()
    state = models.CharField(max_length=10, choices=CouponState.choices, default=CouponState.ACTIVE)
    issued_at = models.DateTimeField(auto_now_add=True)
    redeem_by = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)  # the organisation left its register
    flag_reason = models.CharField(max_length=300, blank=True)
    # The store's idempotency key of the redemption that won: a retry with the same key gets the coupon back.
    redemption_key = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_key", "program"],
                condition=Q(state="active"),
                name="one_active_coupon_per_organisation_and_program",
            ),
        ]

    def __str__(self) -> str:
        return f"…{self.code_hint} ({self.state})"


class CouponAttempt(models.Model):
    """One coupon lookup by a client (an IP address, an account id…): what the guess rate limit counts.

    Only failed lookups (no coupon with that code) count against the limit; found ones are kept for the record.
    """

    client_key = models.CharField(max_length=200)
    at = models.DateTimeField()
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["client_key", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.client_key} at {self.at:%Y-%m-%d %H:%M} ({'found' if self.succeeded else 'not found'})"
