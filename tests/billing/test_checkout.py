"""Buying a subscription: first invoice, coupon redemption, idempotency, and the coupon's errors unchanged."""

import threading
from datetime import date

import pytest
from django.db import connection

from billing.checkout import subscription_buy
from billing.models import CheckoutRequest, Invoice, InvoiceSequence, Subscription
from core.errors import ApplicationError, InvalidInput, NotFound
from core.models import AuditEntry
from coupons.models import Coupon, CouponState
from tests.billing.test_checkout_support import NOW, catalog, make_account, make_coupon

pytestmark = pytest.mark.django_db

BASKET = {
    "plan_code": "workplace-pro",
    "quantity": 3,
    "add_ons": {"webinars": 1, "room-connector": 1},
    "billing_cycle": "annual",
}


@pytest.fixture(autouse=True)
def _catalog(db):
    catalog()


def _lines(invoice):
    return [
        (line.kind, line.product.code if line.product else None, line.amount_minor, line.explanation)
        for line in invoice.lines.select_related("product")
    ]


def test_buy_monthly_without_coupon_issues_the_first_invoice():
    account = make_account()
    sub = subscription_buy(
        account=account,
        plan_code="workplace-pro",
        quantity=3,
        add_ons={},
        billing_cycle="monthly",
        idempotency_key="k1",
        now=NOW,
    )
    assert (sub.status, sub.quantity, sub.currency, sub.discount_percent, sub.coupon) == ("active", 3, "USD", 0, None)
    assert (sub.current_period_start, sub.current_period_end) == (date(2026, 3, 1), date(2026, 4, 1))
    invoice = Invoice.objects.get(subscription=sub)
    assert invoice.number == "INV-2026-000001"
    # 3 x 14.99 = 44.97; NY 4 % = 1.7988 -> 1.80
    assert (invoice.subtotal_minor, invoice.discount_minor, invoice.tax_minor, invoice.total_minor) == (
        4497,
        0,
        180,
        4677,
    )
    assert _lines(invoice) == [("charge", "workplace-pro", 4497, "no_coupon"), ("tax", "workplace-pro", 180, "taxed")]
    assert invoice.status == "open"
    assert AuditEntry.objects.filter(action="subscription.created", object_id=str(sub.pk)).count() == 1
    assert AuditEntry.objects.filter(action="invoice.issued", object_id=str(invoice.pk)).count() == 1


def test_buy_annual_with_coupon_discounts_eligible_products_only():
    account = make_account()
    coupon, code = make_coupon()
    sub = subscription_buy(account=account, coupon_code=code, idempotency_key="k1", now=NOW, **BASKET)
    coupon.refresh_from_db()
    assert coupon.state == CouponState.REDEEMED and coupon.redemption_key == f"checkout:{account.pk}:k1"
    assert sub.coupon == coupon and sub.discount_percent == 50 and sub.is_discounted
    assert (sub.current_period_start, sub.current_period_end) == (date(2026, 3, 1), date(2027, 3, 1))
    invoice = Invoice.objects.get(subscription=sub)
    assert _lines(invoice) == [
        ("charge", "workplace-pro", 44970, "discounted"),
        ("discount", "workplace-pro", -22485, "discounted"),
        ("tax", "workplace-pro", 899, "taxed"),  # 4 % of 224.85 = 8.994
        ("charge", "room-connector", 49000, "product_not_eligible"),
        ("tax", "room-connector", 1960, "taxed"),
        ("charge", "webinars", 79000, "discounted"),
        ("discount", "webinars", -39500, "discounted"),
        ("tax", "webinars", 1580, "taxed"),
    ]
    assert (invoice.subtotal_minor, invoice.discount_minor, invoice.tax_minor, invoice.total_minor) == (
        172970,
        61985,
        4439,
        115424,
    )
    assert sum(line.amount_minor for line in invoice.lines.all()) == invoice.total_minor
    assert sorted(sub.items.values_list("product__code", "quantity")) == [("room-connector", 1), ("webinars", 1)]


def test_no_tax_line_where_no_rate_applies():
    account = make_account(country="DE", region="", currency="EUR")
    sub = subscription_buy(
        account=account,
        plan_code="workplace-business",
        quantity=2,
        add_ons={},
        billing_cycle="annual",
        idempotency_key="k",
        now=NOW,
    )
    invoice = sub.invoices.get()
    assert invoice.currency == "EUR" and invoice.tax_minor == 0 and invoice.total_minor == 2 * 19990
    assert [line.kind for line in invoice.lines.all()] == ["charge"]


def test_same_key_same_request_returns_the_first_purchase():
    account = make_account()
    _coupon, code = make_coupon()
    first = subscription_buy(account=account, coupon_code=code, idempotency_key="retry", now=NOW, **BASKET)
    again = subscription_buy(
        account=account,
        coupon_code=f" {code.lower()} ",
        idempotency_key="retry",
        now=NOW,
        **{**BASKET, "add_ons": {"room-connector": 1, "webinars": 1}},
    )
    assert again.pk == first.pk
    assert Subscription.objects.count() == 1 and Invoice.objects.count() == 1
    assert AuditEntry.objects.filter(action="coupon.redeemed").count() == 1


def test_same_key_different_request_is_refused():
    account = make_account()
    subscription_buy(account=account, idempotency_key="k", now=NOW, **BASKET)
    with pytest.raises(ApplicationError) as error:
        subscription_buy(account=account, idempotency_key="k", now=NOW, **{**BASKET, "quantity": 4})
    assert error.value.code == "idempotency_key_reused" and error.value.http_status == 409
    assert Subscription.objects.count() == 1


def test_the_same_key_on_another_account_is_another_purchase():
    subscription_buy(account=make_account(), idempotency_key="k", now=NOW, **BASKET)
    subscription_buy(account=make_account(email="other@example.org"), idempotency_key="k", now=NOW, **BASKET)
    assert Subscription.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"billing_cycle": "monthly"}, "billing_cycle_not_eligible"),
        ({"plan_code": "workplace-pro", "add_ons": {}, "coupon_code": "NOPE-NOPE"}, "coupon_not_found"),
    ],
)
def test_coupon_errors_propagate_and_nothing_is_bought(change, code):
    account = make_account()
    coupon, real_code = make_coupon()
    kwargs = {**BASKET, "coupon_code": real_code, **change}
    with pytest.raises(ApplicationError) as error:
        subscription_buy(account=account, idempotency_key="k", now=NOW, **kwargs)
    assert error.value.code == code
    assert "reference" in error.value.details  # the page shows whom to contact
    assert not Subscription.objects.exists() and not Invoice.objects.exists()
    assert not CheckoutRequest.objects.exists() and not InvoiceSequence.objects.filter(last_number__gt=0).exists()
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE
    # the key was not consumed: the corrected request goes through
    sub = subscription_buy(account=account, idempotency_key="k", now=NOW, **BASKET)
    assert sub.invoices.get().number == "INV-2026-000001"


def test_coupon_of_another_email_and_already_used_coupon():
    _coupon, code = make_coupon()
    with pytest.raises(ApplicationError) as error:
        subscription_buy(
            account=make_account(email="someone@else.org"), coupon_code=code, idempotency_key="a", now=NOW, **BASKET
        )
    assert error.value.code == "coupon_email_mismatch"
    account = make_account()
    subscription_buy(account=account, coupon_code=code, idempotency_key="a", now=NOW, **BASKET)
    with pytest.raises(ApplicationError) as error:
        subscription_buy(account=account, coupon_code=code, idempotency_key="b", now=NOW, **BASKET)
    assert error.value.code == "coupon_already_redeemed"
    assert error.value.details["contact"]["party"] == "verifier"
    assert Subscription.objects.count() == 1


def test_coupon_needs_a_verified_account_email():
    coupon, code = make_coupon()
    with pytest.raises(ApplicationError) as error:
        subscription_buy(account=make_account(verified=False), coupon_code=code, idempotency_key="a", now=NOW, **BASKET)
    assert error.value.code == "email_not_verified"
    assert Coupon.objects.get(pk=coupon.pk).state == CouponState.ACTIVE


@pytest.mark.parametrize(
    ("change", "error_class", "code"),
    [
        ({"plan_code": "webinars"}, InvalidInput, "plan_not_found"),
        ({"add_ons": {"nothing": 1}}, InvalidInput, "add_on_not_found"),
        ({"quantity": 0}, InvalidInput, "invalid_quantity"),
        ({"add_ons": {"webinars": 0}}, InvalidInput, "invalid_quantity"),
        ({"billing_cycle": "weekly"}, InvalidInput, "invalid_billing_cycle"),
    ],
)
def test_malformed_requests(change, error_class, code):
    with pytest.raises(error_class) as error:
        subscription_buy(account=make_account(), idempotency_key="k", now=NOW, **{**BASKET, **change})
    assert error.value.code == code


def test_missing_price_is_not_found():
    from billing.models import Price

    Price.objects.filter(product__code="webinars", currency="USD", billing_cycle="annual").delete()
    with pytest.raises(NotFound) as error:
        subscription_buy(account=make_account(), idempotency_key="k", now=NOW, **BASKET)
    assert error.value.code == "price_not_found"


def test_key_is_required():
    with pytest.raises(InvalidInput) as error:
        subscription_buy(account=make_account(), idempotency_key=" ", now=NOW, **BASKET)
    assert error.value.code == "idempotency_key_required"


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_checkout_buy_once():
    catalog()
    account = make_account()
    _coupon, code = make_coupon()
    threads = 20 if connection.vendor == "postgresql" else 6
    barrier, results, lock = threading.Barrier(threads), [], threading.Lock()

    def attempt():
        try:
            barrier.wait(timeout=30)
            outcome = subscription_buy(account=account, coupon_code=code, idempotency_key="race", now=NOW, **BASKET).pk
        except Exception as error:  # shows in the assertion
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert Subscription.objects.count() == 1, results
    assert results == [Subscription.objects.get().pk] * threads
    assert Invoice.objects.count() == 1
