"""Validating and redeeming coupons against the database: refusals, idempotency, rate limit, concurrency."""

import threading
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from core.errors import ApplicationError, InvalidInput
from core.models import AuditEntry
from coupons.models import Coupon, CouponAttempt, CouponState
from coupons.redemption import (
    RATE_LIMIT_FAILURES,
    RATE_LIMIT_WINDOW,
    CouponConflict,
    CouponNotFound,
    CouponRefused,
    TooManyCouponAttempts,
    coupon_attempts_prune,
    coupon_redeem,
    coupon_validate,
)
from coupons.services import coupon_revoke
from tests.coupons.factories import make_application, make_organisation, make_program
from verification.services.coupons import application_coupon_issue

EMAIL = "director@example.org"
PURCHASE = {"email": EMAIL, "product_codes": ["workplace-pro", "phone-system"], "billing_cycle": "annual"}


@pytest.fixture
def issued(db):
    program = make_program(
        vendor_name="Zoomly",
        support_contact="support@zoomly.example",
        discount_percent=Decimal("50"),
        eligible_products=["workplace-pro", "workplace-business", "webinars"],
    )
    application = make_application(program, make_organisation("US-EIN-111111111"), email=EMAIL, reference="VCH-RDM001")
    coupon, code = application_coupon_issue(application=application)
    return coupon, code


def test_validate_quotes_without_changing_anything(issued):
    coupon, code = issued
    quote = coupon_validate(code=code, **PURCHASE)
    assert quote.coupon == coupon and quote.reference == "VCH-RDM001"
    assert quote.discount_percent == Decimal("50") and isinstance(quote.discount_percent, Decimal)
    assert quote.eligible_products == ("workplace-pro",)
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE and coupon.redeemed_at is None
    assert not AuditEntry.objects.filter(action="coupon.redeemed").exists()


def test_codes_and_emails_as_typed(issued):
    coupon, code = issued
    typed = "  " + code.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    quote = coupon_validate(
        code=typed, email="  DIRECTOR@Example.ORG ", product_codes=[" Workplace-Pro"], billing_cycle="Annual"
    )
    assert quote.coupon == coupon
    assert (
        coupon_redeem(
            code=typed,
            email=" Director@EXAMPLE.org",
            product_codes=["workplace-pro"],
            billing_cycle="annual",
            redemption_key="k1",
        ).state
        == CouponState.REDEEMED
    )


def test_redeem_once_with_audit(issued):
    coupon, code = issued
    now = timezone.now()
    redeemed = coupon_redeem(code=code, now=now, redemption_key="checkout-1", **PURCHASE)
    assert redeemed.pk == coupon.pk and redeemed.state == CouponState.REDEEMED
    assert redeemed.redeemed_at == now and redeemed.redemption_key == "checkout-1"
    entry = AuditEntry.objects.get(action="coupon.redeemed", object_id=str(coupon.pk))
    assert entry.before["state"] == "active" and entry.after["state"] == "redeemed"
    assert entry.after["application_reference"] == "VCH-RDM001" and entry.after["products"] == ["workplace-pro"]
    assert code not in str(entry.after)

    with pytest.raises(CouponConflict) as again:
        coupon_redeem(code=code, redemption_key="checkout-2", **PURCHASE)
    assert again.value.code == "coupon_already_redeemed" and again.value.http_status == 409
    assert again.value.details["contact"]["party"] == "verifier"
    assert again.value.details["reference"] == "VCH-RDM001"
    with pytest.raises(CouponConflict) as validate_after:
        coupon_validate(code=code, **PURCHASE)
    assert validate_after.value.code == "coupon_already_redeemed"


def test_retry_with_the_same_key_returns_the_coupon(issued):
    _, code = issued
    first = coupon_redeem(code=code, redemption_key="checkout-1", **PURCHASE)
    retry = coupon_redeem(code=code, redemption_key=" checkout-1 ", **{**PURCHASE, "email": "DIRECTOR@example.org"})
    assert retry.pk == first.pk and retry.redeemed_at == first.redeemed_at
    assert AuditEntry.objects.filter(action="coupon.redeemed").count() == 1
    # Same key but another email is not the same request.
    with pytest.raises(CouponConflict) as other:
        coupon_redeem(code=code, redemption_key="checkout-1", **{**PURCHASE, "email": "x@example.org"})
    assert other.value.code == "coupon_already_redeemed"


def test_redemption_key_is_required(issued):
    _, code = issued
    for key in ("", "   ", "x" * 101):
        with pytest.raises(InvalidInput) as refused:
            coupon_redeem(code=code, redemption_key=key, **PURCHASE)
        assert refused.value.code == "redemption_key_required"
    assert Coupon.objects.get().state == CouponState.ACTIVE


def _refusal(code, **changes):
    with pytest.raises(ApplicationError) as error:
        coupon_validate(code=code, **{**PURCHASE, **changes})
    with translation.override("en"):
        return error.value, str(error.value.message)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"email": "someone@else.org"}, "coupon_email_mismatch"),
        ({"product_codes": ["phone-system"]}, "product_not_eligible"),
        ({"billing_cycle": "monthly"}, "billing_cycle_not_eligible"),
    ],
)
def test_purchase_refusals_name_the_vendor_support(issued, changes, expected):
    coupon, code = issued
    error, message = _refusal(code, **changes)
    assert isinstance(error, CouponRefused) and error.code == expected and error.http_status == 400
    # Another account's email typed the code: the holder's reference is not theirs to see (nor to quote).
    reference = "" if expected == "coupon_email_mismatch" else "VCH-RDM001"
    assert error.details == {
        "reference": reference,
        "contact": {"party": "vendor_support", "name": "Zoomly", "address": "support@zoomly.example"},
    }
    assert "Zoomly support" in message and expected in message
    assert ("VCH-RDM001" in message) is (expected != "coupon_email_mismatch")
    with pytest.raises(CouponRefused):
        coupon_redeem(code=code, redemption_key="k", **{**PURCHASE, **changes})
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE


def test_revoked(issued):
    coupon, code = issued
    coupon_revoke(coupon=coupon, actor=None, reason="Left the register")
    error, message = _refusal(code)
    assert isinstance(error, CouponConflict) and error.code == "coupon_revoked"
    assert "Zoomly support" in message and "coupon_revoked" in message and "VCH-RDM001" in message
    with pytest.raises(CouponConflict) as redeem:
        coupon_redeem(code=code, redemption_key="k", **PURCHASE)
    assert redeem.value.code == "coupon_revoked"


def test_expired_by_date_and_by_state(issued):
    coupon, code = issued
    later = coupon.redeem_by + timedelta(seconds=1)
    with pytest.raises(CouponConflict) as by_date:
        coupon_redeem(code=code, redemption_key="k", now=later, **PURCHASE)
    assert by_date.value.code == "coupon_expired"
    assert coupon_validate(code=code, now=coupon.redeem_by, **PURCHASE).coupon == coupon  # inclusive
    Coupon.objects.filter(pk=coupon.pk).update(state=CouponState.EXPIRED)
    error, message = _refusal(code)
    assert error.code == "coupon_expired" and "VCH-RDM001" in message


def test_a_revocation_between_validation_and_update_is_reported_precisely(issued, monkeypatch):
    """The conditional update loses (state changed after the read): the caller learns why."""
    coupon, code = issued
    from coupons import redemption

    real = redemption.coupon_refusal
    calls = []

    def revoke_after_first_check(**kwargs):
        result = real(**kwargs)
        if not calls:
            Coupon.objects.filter(pk=coupon.pk).update(state=CouponState.REVOKED)
        calls.append(result)
        return result

    monkeypatch.setattr(redemption, "coupon_refusal", revoke_after_first_check)
    with pytest.raises(CouponConflict) as error:
        coupon_redeem(code=code, redemption_key="k", **PURCHASE)
    assert error.value.code == "coupon_revoked"
    assert not AuditEntry.objects.filter(action="coupon.redeemed").exists()


@pytest.mark.parametrize("code", ["0000-0000-0000-0000", "not a code", "", "ZZZZ"])
def test_unknown_and_malformed_codes_look_the_same(issued, code):
    error, message = _refusal(code)
    _, reference_message = _refusal("0000-0000-0000-0000")
    assert isinstance(error, CouponNotFound) and error.code == "coupon_not_found" and error.http_status == 404
    assert error.details == {"reference": "", "contact": {"party": "vendor_support", "name": "", "address": ""}}
    assert message == reference_message and "coupon_not_found" in message
    with pytest.raises(CouponNotFound):
        coupon_redeem(code=code, redemption_key="k", **PURCHASE)


def test_rate_limit_after_ten_failed_lookups(issued):
    _, code = issued
    now = timezone.now()
    for _ in range(3):
        coupon_validate(code=code, client_key="203.0.113.9", now=now, **PURCHASE)  # found: does not count
    for i in range(RATE_LIMIT_FAILURES):
        with pytest.raises(CouponNotFound):
            coupon_validate(
                code=f"0000-0000-0000-000{i % 10}", client_key="203.0.113.9", now=now + timedelta(seconds=i), **PURCHASE
            )
    # The eleventh lookup is refused, even with the right code, and for redemption too.
    with pytest.raises(TooManyCouponAttempts) as limited:
        coupon_validate(code=code, client_key="203.0.113.9", now=now + timedelta(seconds=20), **PURCHASE)
    assert limited.value.code == "too_many_attempts" and limited.value.http_status == 429
    assert 0 < limited.value.details["retry_after"] <= RATE_LIMIT_WINDOW.total_seconds()
    with pytest.raises(TooManyCouponAttempts):
        coupon_redeem(
            code=code, client_key="203.0.113.9", redemption_key="k", now=now + timedelta(seconds=20), **PURCHASE
        )
    # Other clients, and callers without a client key, are not affected.
    assert coupon_validate(code=code, client_key="198.51.100.1", now=now + timedelta(seconds=20), **PURCHASE)
    assert coupon_validate(code=code, now=now + timedelta(seconds=20), **PURCHASE)
    # The window slides: once the oldest failure is more than ten minutes old, one more lookup is allowed.
    assert coupon_validate(
        code=code, client_key="203.0.113.9", now=now + RATE_LIMIT_WINDOW + timedelta(seconds=1), **PURCHASE
    )
    # A found code writes nothing (no row, no clean-up): the ten failures are still there.
    assert CouponAttempt.objects.filter(client_key="203.0.113.9", succeeded=False).count() == RATE_LIMIT_FAILURES
    # Rows that no longer count are dropped as the client makes a new one (failures at now and now+1s).
    with pytest.raises(CouponNotFound):
        coupon_validate(
            code="0000-0000-0000-0000",
            client_key="203.0.113.9",
            now=now + RATE_LIMIT_WINDOW + timedelta(seconds=1),
            **PURCHASE,
        )
    assert CouponAttempt.objects.filter(client_key="203.0.113.9", succeeded=False).count() == 9
    remaining = CouponAttempt.objects.count()
    assert remaining and coupon_attempts_prune(now=now + RATE_LIMIT_WINDOW * 3) == remaining
    assert CouponAttempt.objects.count() == 0


# --- Concurrency: exactly one redemption wins -------------------------------------------------------------------


def _race(threads: int, *, all_read_first: bool = False, monkeypatch=None):
    """`threads` redemptions of one coupon, started together by a barrier. With `all_read_first`, every thread
    has also read the coupon and passed the rules before any of them writes: the worst interleaving, forced, so
    the proof does not depend on the scheduler (SQLite serialises so much that a free race rarely overlaps)."""
    program = make_program(
        vendor_name="Zoomly", support_contact="support@zoomly.example", eligible_products=["workplace-pro"]
    )
    application = make_application(program, make_organisation(f"US-EIN-{uuid.uuid4().int % 10**9:09d}"), email=EMAIL)
    coupon, code = application_coupon_issue(application=application)
    barrier, outcomes, lock = threading.Barrier(threads), [], threading.Lock()
    if all_read_first:
        from coupons import redemption

        real, read_barrier, local = redemption.coupon_refusal, threading.Barrier(threads), threading.local()

        def refusal_then_wait(**kwargs):
            result = real(**kwargs)
            if not getattr(local, "waited", False):  # only the first check, before the conditional update
                local.waited = True
                read_barrier.wait(timeout=60)
            return result

        monkeypatch.setattr(redemption, "coupon_refusal", refusal_then_wait)

    def attempt(index: int):
        try:
            barrier.wait(timeout=30)
            result = coupon_redeem(code=code, redemption_key=f"checkout-{index}", **PURCHASE)
            outcome = ("redeemed", result.redemption_key)
        except ApplicationError as error:
            outcome = (error.code, None)
        except Exception as error:  # any other failure shows in the assertions below
            outcome = (f"error: {error!r}", None)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=attempt, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    codes = sorted(code for code, _ in outcomes)
    assert codes.count("redeemed") == 1, codes
    assert codes.count("coupon_already_redeemed") == threads - 1, codes
    winner_key = next(key for code, key in outcomes if code == "redeemed")
    coupon.refresh_from_db()
    assert coupon.state == CouponState.REDEEMED and coupon.redemption_key == winner_key
    assert AuditEntry.objects.filter(action="coupon.redeemed", object_id=str(coupon.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_redemptions_on_postgresql_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("the 50-thread proof runs on PostgreSQL; SQLite runs the 8-thread version")
    _race(50)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_redemptions_on_sqlite_one_wins():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite version of the race; PostgreSQL runs the 50-thread proof")
    _race(8)


@pytest.mark.django_db(transaction=True)
def test_redemptions_that_all_read_before_any_writes_still_give_one_winner(monkeypatch):
    """Both databases: all threads pass validation on the same "active" row, then race the conditional update."""
    _race(50 if connection.vendor == "postgresql" else 8, all_read_first=True, monkeypatch=monkeypatch)
