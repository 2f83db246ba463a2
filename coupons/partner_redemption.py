"""Validating and redeeming through the partner API: the store's services (coupons.redemption), limited to the
partner's program.

A coupon of another program is refused exactly as an unknown code (`coupon_not_found`), and counted as a failed
lookup for the attempt limit: a partner cannot use the API to learn which codes exist elsewhere.
"""

import hashlib
from datetime import datetime

from django.utils import timezone

from coupons.models import Coupon
from coupons.redemption import MAX_REDEMPTION_KEY_CHARS, CouponQuote, coupon_redeem, coupon_validate


def partner_client_key(api_key) -> str:
    """Whom the attempt limit counts: the API key (one partner's store may serve many shoppers, but a key that
    guesses codes is what must be slowed down)."""
    return f"api-key:{api_key.pk}"


def partner_redemption_key(*, partner, key: str) -> str:
    """The service's redemption key: namespaced per partner, hashed when the partner's own key is too long."""
    prefix = f"api:{partner.pk}:"
    if len(prefix) + len(key) > MAX_REDEMPTION_KEY_CHARS or not key.isprintable():
        key = hashlib.sha256(key.encode()).hexdigest()
    return prefix + key


def partner_coupon_validate(
    *,
    partner,
    api_key,
    code: str,
    email: str,
    product_codes: list[str],
    billing_cycle: str,
    now: datetime | None = None,
) -> CouponQuote:
    return coupon_validate(
        code=code,
        email=email,
        product_codes=product_codes,
        billing_cycle=billing_cycle,
        now=now or timezone.now(),
        client_key=partner_client_key(api_key),
        program_id=partner.program_id,
    )


def partner_coupon_redeem(
    *,
    partner,
    api_key,
    code: str,
    email: str,
    product_codes: list[str],
    billing_cycle: str,
    redemption_key: str,
    now: datetime | None = None,
) -> Coupon:
    return coupon_redeem(
        code=code,
        email=email,
        product_codes=product_codes,
        billing_cycle=billing_cycle,
        now=now or timezone.now(),
        client_key=partner_client_key(api_key),
        redemption_key=partner_redemption_key(partner=partner, key=redemption_key),
        actor=None,
        program_id=partner.program_id,
    )
