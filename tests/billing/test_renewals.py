"""Renewals over several years with a controlled clock: idempotent, discount while the coupon stays active."""

import threading
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from billing.checkout import subscription_buy
from billing.invoices import invoice_mark_paid
from billing.models import Invoice
from billing.subscriptions import (
    add_months,
    period_end_after,
    subscription_cancel,
    subscription_renew,
    subscriptions_renew_due,
)
from core.errors import ApplicationError, Conflict
from core.models import AuditEntry
from coupons.services import coupon_revoke
from registry.models import Organisation
from tests.billing.test_checkout_support import NOW, catalog, make_account, make_coupon, staff_user

pytestmark = pytest.mark.django_db

BASKET = {
    "plan_code": "workplace-pro",
    "quantity": 3,
    "add_ons": {"webinars": 1, "room-connector": 1},
    "billing_cycle": "annual",
}


def at(year, month=3, day=1, hour=1):
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _catalog(db):
    catalog()


def _buy(coupon_code=None, account=None, **change):
    return subscription_buy(
        account=account or make_account(), coupon_code=coupon_code, idempotency_key="k", now=NOW, **{**BASKET, **change}
    )


def _invoice_rows(subscription):
    return list(
        subscription.invoices.order_by("issued_at").values_list(
            "number", "period_start", "period_end", "subtotal_minor", "discount_minor", "tax_minor", "total_minor"
        )
    )


def test_period_arithmetic():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    anchor = date(2026, 1, 31)
    assert period_end_after(anchor=anchor, period_start=date(2026, 2, 28), billing_cycle="monthly") == date(
        2026, 3, 31
    )  # from the anchor: no drift to the 28th
    assert period_end_after(anchor=date(2028, 2, 29), period_start=date(2029, 2, 28), billing_cycle="annual") == date(
        2030, 2, 28
    )


def test_discounted_subscription_renews_each_year_with_the_discount():
    _coupon, code = make_coupon()
    sub = _buy(code)
    for year in (2027, 2028, 2029):
        result = subscriptions_renew_due(now=at(year))
        assert (result["renewed"], result["ended"]) == (1, 0)
        assert subscriptions_renew_due(now=at(year, hour=5)) == {
            "due": 0,
            "renewed": 0,
            "ended": 0,
            "invoices": [],
            "failed": [],
        }
    sub.refresh_from_db()
    assert (sub.current_period_start, sub.current_period_end) == (date(2029, 3, 1), date(2030, 3, 1))
    rows = _invoice_rows(sub)
    assert [r[0] for r in rows] == ["INV-2026-000001", "INV-2027-000001", "INV-2028-000001", "INV-2029-000001"]
    assert {r[3:] for r in rows} == {(172970, 61985, 4439, 115424)}  # the same discounted amounts every year
    assert [(r[1], r[2]) for r in rows[1:]] == [
        (date(2027, 3, 1), date(2028, 3, 1)),
        (date(2028, 3, 1), date(2029, 3, 1)),
        (date(2029, 3, 1), date(2030, 3, 1)),
    ]
    assert AuditEntry.objects.filter(action="subscription.renewed", object_id=str(sub.pk)).count() == 3


def test_a_job_that_did_not_run_catches_up_one_invoice_per_period():
    sub = _buy()
    result = subscriptions_renew_due(now=at(2029, 3, 5))
    assert (result["due"], result["renewed"]) == (1, 3)
    assert len(_invoice_rows(sub)) == 4
    assert subscriptions_renew_due(now=at(2029, 3, 5))["renewed"] == 0


def test_nothing_is_due_before_the_period_end():
    _buy()
    assert subscriptions_renew_due(now=at(2027, 2, 28, 23))["renewed"] == 0


def test_revoked_coupon_ends_the_discount_at_renewal_and_says_why():
    coupon, code = make_coupon()
    sub = _buy(code)
    subscriptions_renew_due(now=at(2027))
    coupon.refresh_from_db()
    assert coupon.state == "redeemed"
    coupon_revoke(coupon=coupon, actor=None, reason="The organisation left its register")  # the verifier's action
    subscriptions_renew_due(now=at(2028))
    sub.refresh_from_db()
    assert sub.discount_percent == 0 and not sub.is_discounted
    invoice = sub.invoices.get(number="INV-2028-000001")
    assert (invoice.subtotal_minor, invoice.discount_minor) == (172970, 0)
    explanations = dict(invoice.lines.filter(kind="charge").values_list("product__code", "explanation"))
    assert explanations == {
        "workplace-pro": "discount_ended_coupon_revoked",
        "webinars": "discount_ended_coupon_revoked",
        "room-connector": "no_coupon",
    }
    # the earlier invoices are untouched
    assert sub.invoices.get(number="INV-2027-000001").discount_minor == 61985


def test_organisation_leaving_the_registry_ends_the_discount():
    coupon, code = make_coupon()
    sub = _buy(code)
    Organisation.objects.filter(pk=coupon.organisation_id).update(status="removed")
    subscriptions_renew_due(now=at(2027))
    invoice = sub.invoices.get(number="INV-2027-000001")
    assert invoice.discount_minor == 0
    assert invoice.lines.get(kind="charge", product__code="workplace-pro").explanation == (
        "discount_ended_organisation_inactive"
    )
    # back in the registry: the coupon is active again, so the discount applies again at the next renewal
    Organisation.objects.filter(pk=coupon.organisation_id).update(status="active")
    subscriptions_renew_due(now=at(2028))
    assert sub.invoices.get(number="INV-2028-000001").discount_minor == 61985


def test_hand_added_organisation_keeps_the_discount_while_not_revoked():
    _coupon, code = make_coupon(registry=False)
    sub = _buy(code)
    subscriptions_renew_due(now=at(2027))
    assert sub.invoices.get(number="INV-2027-000001").discount_minor == 61985


def test_cancelled_subscription_ends_at_period_end_without_refund():
    sub = _buy()
    subscription_cancel(subscription=sub, now=at(2026, 6, 1))
    subscription_cancel(subscription=sub, now=at(2026, 6, 2))  # twice: nothing more
    assert AuditEntry.objects.filter(action="subscription.cancel_requested").count() == 1
    sub.refresh_from_db()
    assert sub.status == "active" and sub.cancel_at_period_end  # runs to the end of the paid term
    result = subscriptions_renew_due(now=at(2027))
    assert (result["renewed"], result["ended"]) == (0, 1)
    sub.refresh_from_db()
    assert sub.status == "ended" and sub.invoices.count() == 1
    assert subscriptions_renew_due(now=at(2028))["due"] == 0
    with pytest.raises(Conflict):
        subscription_cancel(subscription=sub, now=at(2028))


def test_an_explicit_renewal_lifts_the_cancellation():
    sub = _buy()
    subscription_cancel(subscription=sub, now=at(2026, 6, 1))
    sub = subscription_renew(subscription=sub, now=at(2027))
    assert (sub.status, sub.cancel_at_period_end, sub.current_period_end) == ("active", False, date(2028, 3, 1))
    assert sub.invoices.count() == 2


def test_one_failing_renewal_does_not_stop_the_others_and_is_retried():
    from billing.models import Price

    pro = _buy()
    business = _buy(account=make_account(email="b@example.org"), plan_code="workplace-business", add_ons={})
    Price.objects.filter(product__code="workplace-pro", currency="USD", billing_cycle="annual").delete()
    result = subscriptions_renew_due(now=at(2027))
    assert (result["renewed"], result["failed"]) == (1, [{"subscription": pro.pk, "code": "price_not_found"}])
    pro.refresh_from_db()
    assert pro.current_period_end == date(2027, 3, 1) and pro.invoices.count() == 1  # nothing half-done
    assert business.invoices.count() == 2
    catalog()  # the price is back: the next run renews it
    assert subscriptions_renew_due(now=at(2027, hour=6))["renewed"] == 1


def test_the_command_refuses_a_malformed_now():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("renew_subscriptions", "--now", "next tuesday")


def test_not_auto_renewing_subscription_ends():
    sub = _buy()
    type(sub).objects.filter(pk=sub.pk).update(auto_renew=False)
    assert subscriptions_renew_due(now=at(2027))["ended"] == 1


def test_monthly_subscription_renews_without_drift():
    account = make_account()
    sub = subscription_buy(
        account=account,
        idempotency_key="m",
        now=datetime(2026, 1, 31, 9, tzinfo=UTC),
        plan_code="workplace-business",
        quantity=1,
        add_ons={},
        billing_cycle="monthly",
    )
    for day in (date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)):
        subscriptions_renew_due(now=datetime(day.year, day.month, day.day, 1, tzinfo=UTC))
    sub.refresh_from_db()
    assert (sub.current_period_start, sub.current_period_end) == (date(2026, 4, 30), date(2026, 5, 31))
    assert [r[1] for r in _invoice_rows(sub)] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_coupon_applied_at_renewal_discounts_from_then_on_and_credits_nothing_before():
    account = make_account()
    sub = _buy(account=account)
    first = sub.invoices.get()
    invoice_mark_paid(invoice=first, actor=staff_user())
    before = _invoice_rows(sub)
    coupon, code = make_coupon(now=at(2027, 2, 1))
    with pytest.raises(Conflict) as error:
        subscription_renew(subscription=sub, coupon_code=code, now=at(2027, 2, 1))
    assert error.value.code == "renewal_not_due"
    sub = subscription_renew(subscription=sub, coupon_code=code, now=at(2027))
    assert sub.coupon_id == coupon.pk and sub.discount_percent == 50
    assert _invoice_rows(sub)[:1] == before  # no credit, no change to the earlier (paid) invoice
    first.refresh_from_db()
    assert first.status == "paid" and first.discount_minor == 0 and first.lines.filter(kind="discount").count() == 0
    assert sub.invoices.get(number="INV-2027-000001").discount_minor == 61985
    subscriptions_renew_due(now=at(2028))
    assert sub.invoices.get(number="INV-2028-000001").discount_minor == 61985  # and at later renewals


def test_coupon_errors_at_renewal_propagate_and_nothing_renews():
    sub = _buy(billing_cycle="monthly")
    _coupon, code = make_coupon()
    with pytest.raises(ApplicationError) as error:
        subscription_renew(subscription=sub, coupon_code=code, now=at(2026, 4, 1))
    assert error.value.code == "billing_cycle_not_eligible"
    sub.refresh_from_db()
    assert sub.current_period_end == date(2026, 4, 1) and sub.invoices.count() == 1


def test_the_command_prints_counts_and_renews_nothing_twice():
    _buy()
    out = StringIO()
    call_command("renew_subscriptions", "--now", "2027-03-01T02:00:00+00:00", stdout=out)
    assert out.getvalue().strip() == "due=1 renewed=1 ended=0 invoices=1 failed=0"
    out = StringIO()
    call_command("renew_subscriptions", "--now", "2027-03-01T03:00:00", stdout=out)
    assert out.getvalue().strip() == "due=0 renewed=0 ended=0 invoices=0 failed=0"
    assert Invoice.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_renewal_jobs_renew_each_period_once():
    catalog()
    subs = [_buy(account=make_account(email=f"r{i}@example.org")) for i in range(5)]
    threads = 8 if connection.vendor == "postgresql" else 4
    barrier, errors, lock = threading.Barrier(threads), [], threading.Lock()

    def job():
        try:
            barrier.wait(timeout=30)
            subscriptions_renew_due(now=at(2028, 3, 2))
        except Exception as error:
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    workers = [threading.Thread(target=job) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert errors == []
    for sub in subs:
        assert sub.invoices.count() == 3  # the purchase, 2027 and 2028: once each
    numbers = sorted(Invoice.objects.filter(number__startswith="INV-2028").values_list("number", flat=True))
    # both missed periods are invoiced on the day the job runs: ten invoices, numbered without gaps
    assert numbers == [f"INV-2028-{n:06d}" for n in range(1, 11)]
