"""Revoking receipts when coupons say so (core.events; subscribed in VerificationConfig.ready):

- `CouponChanged` with action "revoked" (coupons.services.coupon_revoke): the coupon's application's receipt;
- `OrganisationCouponsReviewed` (the registry import flagged live coupons of an organisation that left its
  register): the receipts of the flagged coupons' applications.

Both run inside the transaction of the change. Flags set by `reverify_coupons` (verification itself) and anything
else are caught by `receipts_revoke_sync`, which also runs before the status list is served and before a receipt is
verified here, so no answer can miss a revocation."""

from coupons.events import COUPON_REVOKED, CouponChanged, OrganisationCouponsReviewed
from verification.receipts.issue import receipts_revoke


def coupon_changed(event: CouponChanged) -> int:
    if event.action != COUPON_REVOKED:
        return 0
    return receipts_revoke(coupon_ids=[event.coupon_id], reason="coupon revoked")


def organisation_coupons_reviewed(event: OrganisationCouponsReviewed) -> int:
    ids = [coupon["coupon_id"] for coupon in event.flagged_coupons if coupon.get("coupon_id")]
    if not ids:
        return 0
    return receipts_revoke(coupon_ids=ids, reason=f"monitoring flag: organisation {event.new_status} in its register")
