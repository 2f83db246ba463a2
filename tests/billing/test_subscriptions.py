"""Adding licences with proration, plan changes through the policy table, cancellation; no refunds."""

from datetime import UTC, date, datetime

import pytest

from billing.checkout import subscription_buy
from billing.models import Subscription
from billing.subscriptions import (
    subscription_add_licences,
    subscription_cancel,
    subscription_change_plan,
    subscriptions_renew_due,
)
from core.errors import ApplicationError, Conflict, InvalidInput
from core.models import AuditEntry
from coupons.models import Coupon
from tests.billing.test_checkout_support import NOW, catalog, make_account, make_coupon

pytestmark = pytest.mark.django_db

MID_TERM = datetime(2026, 9, 1, 10, tzinfo=UTC)  # 181 of the term's 365 days left


@pytest.fixture(autouse=True)
def _catalog(db):
    catalog()


def _buy(*, coupon=False, plan="workplace-pro", quantity=3, cycle="annual"):
    code = make_coupon()[1] if coupon else None
    return subscription_buy(
        account=make_account(),
        plan_code=plan,
        quantity=quantity,
        add_ons={},
        billing_cycle=cycle,
        coupon_code=code,
        idempotency_key="k",
        now=NOW,
    )


def _lines(invoice):
    return [(line.kind, line.amount_minor, line.explanation) for line in invoice.lines.all()]


def test_added_licences_keep_the_discount_prorated_to_the_term_end():
    sub = _buy(coupon=True)
    invoice = subscription_add_licences(subscription=sub, quantity=2, now=MID_TERM)
    sub.refresh_from_db()
    assert sub.quantity == 5
    # 2 x 149.90 = 299.80 for a year; 181/365 of it = 148.67; half off = 74.34 (74.335 rounded up); tax on 74.33
    assert _lines(invoice) == [
        ("proration", 14867, "discounted"),
        ("discount", -7434, "discounted"),
        ("tax", 297, "taxed"),
    ]
    assert (invoice.period_start, invoice.period_end) == (date(2026, 9, 1), date(2027, 3, 1))
    line = invoice.lines.get(kind="proration")
    assert (line.quantity, line.unit_amount_minor, line.product.code) == (2, 14990, "workplace-pro")
    assert invoice.total_minor == 7730
    entry = AuditEntry.objects.get(action="subscription.licences_added")
    assert entry.before["quantity"] == 3 and entry.after["quantity"] == 5
    assert entry.after["policy"] == "nonprofit_add_licences"
    # and the renewal bills the five licences, discounted
    subscriptions_renew_due(now=datetime(2027, 3, 1, 1, tzinfo=UTC))
    renewal = sub.invoices.get(number="INV-2027-000001")
    assert (renewal.subtotal_minor, renewal.discount_minor) == (5 * 14990, 5 * 14990 // 2)


def test_licences_added_after_the_coupon_was_revoked_are_full_price_and_say_why():
    sub = _buy(coupon=True)
    Coupon.objects.filter(pk=sub.coupon_id).update(state="revoked")
    invoice = subscription_add_licences(subscription=sub, quantity=2, now=MID_TERM)
    assert _lines(invoice) == [("proration", 14867, "discount_ended_coupon_revoked"), ("tax", 595, "taxed")]


def test_added_licences_without_a_coupon_are_full_price():
    sub = _buy()
    invoice = subscription_add_licences(subscription=sub, quantity=2, now=MID_TERM)
    assert _lines(invoice) == [("proration", 14867, "no_coupon"), ("tax", 595, "taxed")]


def test_adding_on_the_first_day_costs_the_full_period():
    sub = _buy()
    invoice = subscription_add_licences(subscription=sub, quantity=1, now=NOW)
    assert invoice.subtotal_minor == 14990


@pytest.mark.parametrize("quantity", [0, -1, True])
def test_adding_needs_at_least_one_licence(quantity):
    with pytest.raises(InvalidInput):
        subscription_add_licences(subscription=_buy(), quantity=quantity, now=MID_TERM)


@pytest.mark.parametrize(
    ("to_plan", "to_quantity", "reason"),
    [
        ("workplace-pro", 2, "nonprofit_remove_licences"),
        ("workplace-business", 3, "nonprofit_pro_to_business"),
        ("workplace-business", 5, "nonprofit_pro_to_business"),
    ],
)
def test_under_the_discount_only_adding_licences_is_allowed(to_plan, to_quantity, reason):
    sub = _buy(coupon=True)
    with pytest.raises(ApplicationError) as error:
        subscription_change_plan(subscription=sub, to_plan=to_plan, to_quantity=to_quantity, now=MID_TERM)
    assert error.value.code == "plan_change_not_allowed"
    assert error.value.details["reason"] == reason
    assert "nonprofit discount" in str(error.value.message)
    sub.refresh_from_db()
    assert (sub.plan.code, sub.quantity, sub.pending_plan, sub.invoices.count()) == ("workplace-pro", 3, None, 1)


def test_under_the_discount_change_plan_adding_licences_is_allowed_now():
    sub = _buy(coupon=True)
    result = subscription_change_plan(subscription=sub, to_plan="workplace-pro", to_quantity=5, now=MID_TERM)
    assert result.outcome == "allowed_now" and result.reason == "nonprofit_add_licences"
    assert result.invoice.discount_minor == 7434


def test_after_the_discount_ended_the_standard_policy_applies():
    sub = _buy(coupon=True)
    Coupon.objects.filter(pk=sub.coupon_id).update(state="revoked")
    subscriptions_renew_due(now=datetime(2027, 3, 1, 1, tzinfo=UTC))
    sub.refresh_from_db()
    result = subscription_change_plan(
        subscription=sub, to_plan="workplace-business", to_quantity=3, now=datetime(2027, 3, 1, 2, tzinfo=UTC)
    )
    assert result.outcome == "allowed_now" and result.reason == "upgrade"


def test_standard_upgrade_now_charges_the_prorated_difference():
    sub = _buy()
    result = subscription_change_plan(subscription=sub, to_plan="workplace-business", to_quantity=3, now=MID_TERM)
    sub.refresh_from_db()
    assert (sub.plan.code, sub.quantity) == ("workplace-business", 3)
    # 3 x (219.90 - 149.90) = 210.00 a year; 181/365 of it = 104.14; NY tax 4.17
    assert _lines(result.invoice) == [("proration", 10414, "no_coupon"), ("tax", 417, "taxed")]


@pytest.mark.parametrize(
    ("to_plan", "to_quantity", "reason"),
    [
        ("workplace-pro", 1, "remove_licences"),
        ("workplace-business", 2, "upgrade_with_fewer_licences"),
    ],
)
def test_standard_changes_that_remove_licences_wait_for_the_renewal(to_plan, to_quantity, reason):
    sub = _buy()
    result = subscription_change_plan(subscription=sub, to_plan=to_plan, to_quantity=to_quantity, now=MID_TERM)
    assert (result.outcome, result.reason, result.invoice) == ("at_term_end", reason, None)
    sub.refresh_from_db()
    assert (sub.plan.code, sub.quantity, sub.pending_plan.code, sub.pending_quantity) == (
        "workplace-pro",
        3,
        to_plan,
        to_quantity,
    )
    assert sub.invoices.count() == 1  # nothing refunded, nothing charged
    subscriptions_renew_due(now=datetime(2027, 3, 1, 1, tzinfo=UTC))
    sub.refresh_from_db()
    assert (sub.plan.code, sub.quantity, sub.pending_plan, sub.pending_quantity) == (to_plan, to_quantity, None, None)
    renewal = sub.invoices.get(number="INV-2027-000001")
    assert renewal.lines.get(kind="charge").product.code == to_plan
    assert renewal.lines.get(kind="charge").quantity == to_quantity


def test_standard_downgrade_waits_for_the_term_end():
    sub = _buy(plan="workplace-business")
    result = subscription_change_plan(subscription=sub, to_plan="workplace-pro", to_quantity=3, now=MID_TERM)
    assert (result.outcome, result.reason) == ("at_term_end", "downgrade")


def test_nothing_to_change_and_unknown_plans_are_refused():
    sub = _buy()
    with pytest.raises(ApplicationError) as error:
        subscription_change_plan(subscription=sub, to_plan="workplace-pro", to_quantity=3, now=MID_TERM)
    assert error.value.code == "plan_change_nothing_to_change"
    with pytest.raises(ApplicationError) as error:
        subscription_change_plan(subscription=sub, to_plan="webinars", to_quantity=3, now=MID_TERM)
    assert (error.value.code, error.value.details["reason"]) == ("plan_change_not_allowed", "not_in_policy")


def test_an_ended_subscription_cannot_change():
    sub = _buy()
    subscription_cancel(subscription=sub, now=MID_TERM)
    subscriptions_renew_due(now=datetime(2027, 3, 1, 1, tzinfo=UTC))
    assert Subscription.objects.get(pk=sub.pk).status == "ended"
    with pytest.raises(Conflict) as error:
        subscription_add_licences(subscription=sub, quantity=1, now=datetime(2027, 3, 2, tzinfo=UTC))
    assert error.value.code == "subscription_not_current"
