"""Validating and redeeming through the partner API: the store's services (coupons.redemption), limited to the
partner's program.

A coupon of another program is refused exactly as an unknown code (`coupon_not_found`), and counted as a failed
lookup for the attempt limit: a partner cannot use the API to learn which codes exist elsewhere.
"""

import hashlib
from datetime import datetime

from django.utils import timezone

from coupons.models import Coupon, CouponAttempt
from coupons.redemption import (
    MAX_REDEMPTION_KEY_CHARS,
    CouponNotFound,
    CouponQuote,
    coupon_attempts_check,
    coupon_redeem,
    coupon_refusal,
    coupon_validate,
)
from coupons.services import coupon_find


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


def _refuse_other_programs(*, program, code: str, client_key: str, now: datetime) -> None:
    coupon_attempts_check(client_key=client_key, now=now)
    coupon = coupon_find(code=code)
    if coupon is None or coupon.program_id == program.pk:
        return  # the service looks it up again, records the attempt and answers
    CouponAttempt.objects.create(client_key=client_key, at=now, succeeded=False)
    refusal = coupon_refusal(
        coupon_facts=None, email="", product_codes=(), billing_cycle="", now=now, program_products=()
    )
    assert refusal is not None  # an unknown code is always refused
    raise CouponNotFound(refusal.message, code=refusal.code, details=refusal.details(None))


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
    now = now or timezone.now()
    client_key = partner_client_key(api_key)
    _refuse_other_programs(program=partner.program, code=code, client_key=client_key, now=now)
    return coupon_validate(
        code=code, email=email, product_codes=product_codes, billing_cycle=billing_cycle, now=now, client_key=client_key
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
    now = now or timezone.now()
    client_key = partner_client_key(api_key)
    _refuse_other_programs(program=partner.program, code=code, client_key=client_key, now=now)
    return coupon_redeem(
        code=code,
        email=email,
        product_codes=product_codes,
        billing_cycle=billing_cycle,
        now=now,
        client_key=client_key,
        redemption_key=partner_redemption_key(partner=partner, key=redemption_key),
        actor=None,
    )
