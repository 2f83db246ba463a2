"""What coupons announce to the layers above (core.events): verification adds the application to it, and the
webhooks app tells partners."""

from dataclasses import dataclass
from datetime import date

COUPON_ISSUED = "issued"
COUPON_REDEEMED = "redeemed"
COUPON_REVOKED = "revoked"


@dataclass(frozen=True)
class CouponChanged:
    """A coupon was issued, redeemed or revoked (published inside the transaction of the change)."""

    coupon_id: int
    action: str  # COUPON_ISSUED, COUPON_REDEEMED or COUPON_REVOKED
    reference: str  # the verification reference the coupon was issued under


@dataclass(frozen=True)
class OrganisationCouponsReviewed:
    """An organisation's registry status changed and its live coupons were flagged where it left its register.

    `flagged_coupons` describes each coupon this change flagged (never its code or its application's reference:
    partners of other applications for the organisation hear about it too)."""

    organisation_id: int
    org_id: str
    name: str
    old_status: str
    new_status: str
    removal_reason: str
    changed_on: date | None
    flagged_coupons: tuple[dict, ...]
