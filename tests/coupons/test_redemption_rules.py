"""The pure coupon rules: no database."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from coupons.redemption import (
    VENDOR_SUPPORT,
    VERIFIER,
    CouponFacts,
    coupon_refusal,
    eligible_subset,
    email_key,
)
from programs.models import DEFAULT_PRODUCTS

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FACTS = CouponFacts(
    state="active",
    redeem_by=NOW + timedelta(days=30),
    email="Director@Example.org",
    reference="VCH-ABC123",
    vendor_name="Zoomly",
    support_contact="support@zoomly.example",
)
GOOD = {
    "email": "Director@example.org",
    "product_codes": ["workplace-pro"],
    "billing_cycle": "annual",
    "now": NOW,
    "program_products": DEFAULT_PRODUCTS,
}


def refusal(facts=FACTS, **changes):
    return coupon_refusal(coupon_facts=facts, **{**GOOD, **changes})


def test_a_good_purchase_is_not_refused():
    assert refusal() is None


@pytest.mark.parametrize(
    ("facts", "changes", "code"),
    [
        (None, {}, "coupon_not_found"),
        (replace(FACTS, state="revoked"), {}, "coupon_revoked"),
        (replace(FACTS, state="redeemed"), {}, "coupon_already_redeemed"),
        (replace(FACTS, state="expired"), {}, "coupon_expired"),
        (FACTS, {"now": FACTS.redeem_by + timedelta(seconds=1)}, "coupon_expired"),
        (replace(FACTS, flagged=True), {}, "coupon_suspended"),
        (FACTS, {"email": "someone.else@example.org"}, "coupon_email_mismatch"),
        (FACTS, {"product_codes": ["phone-system"]}, "product_not_eligible"),
        (FACTS, {"product_codes": []}, "product_not_eligible"),
        (FACTS, {"billing_cycle": "monthly"}, "billing_cycle_not_eligible"),
    ],
)
def test_each_refusal_has_its_code(facts, changes, code):
    assert refusal(facts, **changes).code == code


def test_redeem_by_is_inclusive():
    assert refusal(now=FACTS.redeem_by) is None


def test_order_of_checks():
    """Each problem hides the ones after it: revoked > redeemed-state > expired > email > product > cycle."""
    everything_wrong = {
        "email": "other@example.org",
        "product_codes": ["phone-system"],
        "billing_cycle": "monthly",
        "now": FACTS.redeem_by + timedelta(days=1),
    }
    assert refusal(None, **everything_wrong).code == "coupon_not_found"
    assert refusal(replace(FACTS, state="revoked"), **everything_wrong).code == "coupon_revoked"
    assert refusal(replace(FACTS, state="redeemed"), **everything_wrong).code == "coupon_already_redeemed"
    assert refusal(FACTS, **everything_wrong).code == "coupon_expired"
    everything_wrong.pop("now")
    assert refusal(FACTS, **everything_wrong).code == "coupon_email_mismatch"
    everything_wrong.pop("email")
    assert refusal(FACTS, **everything_wrong).code == "product_not_eligible"
    everything_wrong.pop("product_codes")
    assert refusal(FACTS, **everything_wrong).code == "billing_cycle_not_eligible"


def test_already_redeemed_points_to_the_verifier_with_the_reference(settings):
    settings.VERIFIER_SUPPORT_CONTACT = "help@vouch.example"
    with translation.override("en"):
        found = refusal(replace(FACTS, state="redeemed"))
        message = str(found.message)
    assert found.contact == VERIFIER and found.http_status == 409
    assert "Vouch" in message and "VCH-ABC123" in message and "help@vouch.example" in message
    assert "Zoomly" not in message
    details = found.details(FACTS)
    assert details["reference"] == "VCH-ABC123"
    assert details["contact"] == {"party": "verifier", "name": "Vouch", "address": "help@vouch.example"}


@pytest.mark.parametrize(
    ("facts", "changes", "code"),
    [
        (replace(FACTS, state="revoked"), {}, "coupon_revoked"),
        (replace(FACTS, state="expired"), {}, "coupon_expired"),
        (FACTS, {"product_codes": ["phone-system"]}, "product_not_eligible"),
        (FACTS, {"billing_cycle": "monthly"}, "billing_cycle_not_eligible"),
    ],
)
def test_other_problems_point_to_the_vendor_support_with_code_and_reference(facts, changes, code):
    with translation.override("en"):
        found = refusal(facts, **changes)
        message = str(found.message)
    assert found.contact == VENDOR_SUPPORT
    assert "Zoomly support" in message and "support@zoomly.example" in message
    assert code in message and "VCH-ABC123" in message
    assert found.details(facts) == {
        "reference": "VCH-ABC123",
        "contact": {"party": "vendor_support", "name": "Zoomly", "address": "support@zoomly.example"},
    }


def test_vendor_without_support_address_still_gets_code_and_reference():
    with translation.override("en"):
        message = str(refusal(replace(FACTS, support_contact=""), billing_cycle="monthly").message)
    assert "Zoomly support" in message and "billing_cycle_not_eligible" in message and "VCH-ABC123" in message


def test_unknown_code_message_names_the_error_code_and_reveals_nothing():
    with translation.override("en"):
        found = refusal(None)
        message = str(found.message)
    assert found.http_status == 404 and found.contact == VENDOR_SUPPORT
    assert "coupon_not_found" in message
    assert found.details(None) == {"reference": "", "contact": {"party": "vendor_support", "name": "", "address": ""}}


@pytest.mark.parametrize("typed", ["director@example.org", "  DIRECTOR@EXAMPLE.ORG ", "Director@Example.Org"])
def test_emails_compare_case_and_whitespace_insensitively(typed):
    assert refusal(email=typed) is None
    assert email_key(typed) == email_key("director@example.org")


def test_unparseable_email_does_not_match_and_does_not_crash():
    assert refusal(email="not an email").code == "coupon_email_mismatch"
    assert refusal(email="").code == "coupon_email_mismatch"


def test_products_and_cycle_are_normalised():
    assert refusal(product_codes=[" Workplace-Pro "], billing_cycle=" Annual ") is None
    assert eligible_subset(["phone-system", "webinars", "WEBINARS", "workplace-pro"], DEFAULT_PRODUCTS) == (
        "webinars",
        "workplace-pro",
    )
    assert refusal(product_codes=["phone-system", "webinars"]) is None  # one eligible product is enough
    assert refusal(program_products=[]).code == "product_not_eligible"


def test_another_accounts_email_does_not_see_the_holders_reference():
    """coupon_email_mismatch answers someone who is not the coupon's holder: no verification reference of the
    holder, nothing called "your reference"."""
    message = str(refusal(email="someone.else@example.org").message)
    assert FACTS.reference not in message and "reference" not in message
    found = refusal(email="someone.else@example.org")
    assert found.contact == VENDOR_SUPPORT and "coupon_email_mismatch" in message
    assert found.details(FACTS)["reference"] == ""
    # The holder's own problems still name the reference to quote.
    assert FACTS.reference in str(refusal(product_codes=["phone-system"]).message)
