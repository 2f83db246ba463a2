"""Coupons for vendors whose store is elsewhere: validate and redeem with the built-in store's rules and refusal
codes (coupons/redemption.py), limited to the partner's program (coupons/partner_redemption.py).

A refusal answers with the service's code (coupon_not_found 404; coupon_already_redeemed, coupon_revoked,
coupon_expired, coupon_suspended 409; coupon_email_mismatch, product_not_eligible, billing_cycle_not_eligible 400;
too_many_attempts 429) and `details` = {"reference", "contact"}: whom the customer should contact, as the store
shows it."""

from datetime import datetime
from decimal import Decimal

from ninja import Field, Router, Schema

from api.auth import request_partner, scoped
from api.idempotency import HEADER, idempotent_response
from api.schemas import AUTH_ERRORS
from coupons.partner_redemption import partner_coupon_redeem, partner_coupon_validate
from coupons.redemption import eligible_subset

router = Router(tags=["coupons"], auth=scoped("coupons:redeem"))


class CouponCheckIn(Schema):
    code: str = Field(..., max_length=100, description="As the customer typed it (case, dashes and spaces ignored)")
    email: str = Field(..., max_length=254, description="The customer's account email: the coupon is bound to it")
    product_codes: list[str] = Field(..., max_length=50, description="Products being bought, e.g. workplace-pro")
    billing_cycle: str = Field(..., max_length=20, description="annual or monthly (only annual is eligible)")


class CouponRedeemIn(CouponCheckIn):
    order_reference: str = Field(
        ...,
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="The store's order id; also the redemption's idempotency key when no "
        "Idempotency-Key header is sent",
    )


class CouponQuoteOut(Schema):
    valid: bool
    reference: str = Field(..., description="The verification reference (quote it to support)")
    discount_percent: Decimal
    eligible_products: list[str] = Field(..., description="The products of the request the discount applies to")
    redeem_by: datetime


class CouponRedeemedOut(Schema):
    redeemed: bool
    reference: str
    discount_percent: Decimal
    eligible_products: list[str]
    redeemed_at: datetime
    order_reference: str


@router.post(
    "/coupons/validate",
    response={200: CouponQuoteOut, **AUTH_ERRORS},
    summary="What a coupon would give this purchase, without using it",
)
def coupons_validate(request, payload: CouponCheckIn):
    quote = partner_coupon_validate(
        partner=request_partner(request),
        api_key=request.auth,
        code=payload.code,
        email=payload.email,
        product_codes=payload.product_codes,
        billing_cycle=payload.billing_cycle,
    )
    return {
        "valid": True,
        "reference": quote.reference,
        "discount_percent": quote.discount_percent,
        "eligible_products": list(quote.eligible_products),
        "redeem_by": quote.coupon.redeem_by,
    }


@router.post(
    "/coupons/redeem",
    response={200: CouponRedeemedOut, **AUTH_ERRORS},
    summary="Use a coupon for an order: exactly once, however many requests race",
)
def coupons_redeem(request, payload: CouponRedeemIn):
    """With an Idempotency-Key, a retry of the same request replays the first answer. The service also knows the
    order: a retry with the same key (or, without one, the same order_reference), coupon and email gets the same
    200 even after the key's record is pruned; another order gets `coupon_already_redeemed`."""
    partner = request_partner(request)
    key = (request.headers.get(HEADER) or "").strip() or payload.order_reference

    def work():
        coupon = partner_coupon_redeem(
            partner=partner,
            api_key=request.auth,
            code=payload.code,
            email=payload.email,
            product_codes=payload.product_codes,
            billing_cycle=payload.billing_cycle,
            redemption_key=key,
        )
        program = coupon.program
        return 200, CouponRedeemedOut(
            redeemed=True,
            reference=coupon.reference,
            discount_percent=Decimal(program.discount_percent),
            eligible_products=list(eligible_subset(payload.product_codes, program.eligible_products)),
            redeemed_at=coupon.redeemed_at,
            order_reference=payload.order_reference,
        )

    return idempotent_response(request, work)
