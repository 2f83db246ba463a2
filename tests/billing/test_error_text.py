"""A routed error names its code and the verification reference once, never twice (billing.forms_store)."""

from datetime import UTC, datetime, timedelta

from django.test import override_settings
from django.utils import translation

from billing.forms_store import service_error_text
from core.errors import ApplicationError
from coupons.redemption import CouponFacts, _error, coupon_refusal

NOW = datetime(2026, 3, 1, tzinfo=UTC)
FACTS = CouponFacts(
    state="active",
    redeem_by=NOW + timedelta(days=30),
    email="a@example.org",
    reference="VR-ABC123",
    vendor_name="Zoomly",
    support_contact="support@zoomly.example",
)


def _text(facts, **kwargs):
    refusal = coupon_refusal(
        coupon_facts=facts,
        email=kwargs.get("email", "a@example.org"),
        product_codes=["workplace-pro"],
        billing_cycle="annual",
        now=NOW,
        program_products=["workplace-pro"],
    )
    return service_error_text(_error(refusal, facts))


def test_vendor_refusal_names_code_and_reference_once():
    with translation.override("en"):
        text = _text(CouponFacts(**{**FACTS.__dict__, "redeem_by": NOW - timedelta(days=1)}))
    assert text.count("coupon_expired") == 1 and text.count("VR-ABC123") == 1
    assert "support@zoomly.example" in text


def test_an_email_mismatch_names_no_reference_of_another_account():
    with translation.override("en"):
        text = _text(FACTS, email="someone@else.example")
    assert text.count("coupon_email_mismatch") == 1 and "VR-ABC123" not in text


@override_settings(VERIFIER_SUPPORT_CONTACT="help@vouch.example")
def test_verifier_refusal_gets_its_code_once_and_the_verifiers_contact():
    with translation.override("fr"):
        text = _text(CouponFacts(**{**FACTS.__dict__, "state": "redeemed"}))
    assert text.count("coupon_already_redeemed") == 1 and text.count("VR-ABC123") == 1
    assert text.count("help@vouch.example") == 1 and "Zoomly" not in text


def test_plain_errors_still_get_their_code():
    assert service_error_text(ApplicationError("Nope.", code="x_y")) == "Nope. (error code: x_y)"
    text = service_error_text(ApplicationError("Nope.", code="x_y", details={"reference": "VR-1"}))
    assert text == "Nope. (error code: x_y, reference: VR-1)"
