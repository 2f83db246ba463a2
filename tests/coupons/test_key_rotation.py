"""Rotating the secret does not void the coupons already emailed, as long as the old key stays in the fallbacks."""

import uuid

import pytest
from django.test import override_settings

from coupons.models import CouponState
from coupons.redemption import CouponNotFound, coupon_redeem
from coupons.services import coupon_issue
from tests.coupons.factories import make_organisation, make_program

OLD = "old-secret-" + "o" * 50
NEW = "new-secret-" + "n" * 50
EMAIL = "director@example.org"


def _redeem(code):
    return coupon_redeem(
        code=code, email=EMAIL, product_codes=["workplace-pro"], billing_cycle="annual", redemption_key=uuid.uuid4().hex
    )


@pytest.fixture
def code_issued_under_old_secret(db):
    program = make_program(eligible_products=["workplace-pro"])
    organisation = make_organisation("US-EIN-222222222")
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[], COUPON_HASH_KEY="", COUPON_HASH_KEY_FALLBACKS=[]):
        _coupon, code = coupon_issue(program=program, organisation=organisation, email=EMAIL, reference="VCH-ROT001")
    return code


def test_a_coupon_issued_under_the_old_secret_key_redeems_after_rotation(code_issued_under_old_secret):
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD], COUPON_HASH_KEY=""):
        coupon = _redeem(code_issued_under_old_secret)
    assert coupon.state == CouponState.REDEEMED


def test_without_the_old_key_in_the_fallbacks_the_coupon_is_not_found(code_issued_under_old_secret):
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[], COUPON_HASH_KEY=""), pytest.raises(CouponNotFound):
        _redeem(code_issued_under_old_secret)


def test_a_dedicated_coupon_key_rotates_with_its_own_fallbacks(db):
    program = make_program(eligible_products=["workplace-pro"])
    organisation = make_organisation("US-EIN-333333333")
    with override_settings(COUPON_HASH_KEY="coupon-key-one", COUPON_HASH_KEY_FALLBACKS=[]):
        _coupon, code = coupon_issue(program=program, organisation=organisation, email=EMAIL, reference="VCH-ROT002")
    # SECRET_KEY may change freely: coupon hashes do not depend on it once COUPON_HASH_KEY is set.
    with (
        override_settings(SECRET_KEY=NEW, COUPON_HASH_KEY="coupon-key-two", COUPON_HASH_KEY_FALLBACKS=[]),
        pytest.raises(CouponNotFound),
    ):
        _redeem(code)
    with override_settings(
        SECRET_KEY=NEW, COUPON_HASH_KEY="coupon-key-two", COUPON_HASH_KEY_FALLBACKS=["coupon-key-one"]
    ):
        assert _redeem(code).state == CouponState.REDEEMED


def test_moving_to_a_dedicated_coupon_key_keeps_the_coupons_hashed_with_the_secret_key(code_issued_under_old_secret):
    """docs/operator-guide.md: COUPON_HASH_KEY=new key, COUPON_HASH_KEY_FALLBACKS=the SECRET_KEY they were hashed with."""
    with override_settings(SECRET_KEY=OLD, COUPON_HASH_KEY="dedicated-coupon-key", COUPON_HASH_KEY_FALLBACKS=[OLD]):
        assert _redeem(code_issued_under_old_secret).state == CouponState.REDEEMED
