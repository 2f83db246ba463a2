"""The previous partner's discount applied (issue 4 §4): it covers invoices of the term that was current when it was
imported, for a subscription that existed then; a purchase after the import and every renewal never get it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.test import Client
from django.utils import timezone

from billing.checkout import subscription_buy
from billing.legacy import LEGACY_PARTNER_DISCOUNT, legacy_discount_percent, legacy_discounts_import
from billing.models import InvoiceLineKind, Subscription
from billing.pricing import discount_amount
from billing.subscriptions import subscription_add_licences, subscription_renew
from tests.billing.test_checkout_support import EMAIL, NOW, catalog, make_account, make_coupon

pytestmark = pytest.mark.django_db

# The subscription is bought on NOW (2026-03-01, term until 2027-03-01) and its created_at is set to NOW; the import
# is stamped the next day, so every date here is on the controlled clock.


@pytest.fixture(autouse=True)
def _catalog():
    catalog()


def _buy(account, key="k1", coupon_code=None):
    subscription = subscription_buy(
        account=account,
        plan_code="workplace-pro",
        quantity=2,
        add_ons={},
        billing_cycle="annual",
        coupon_code=coupon_code,
        idempotency_key=key,
        now=NOW,
    )
    Subscription.objects.filter(pk=subscription.pk).update(created_at=NOW)
    subscription.refresh_from_db()
    return subscription


def _import(percent="30", when=None):
    legacy_discounts_import(
        lines=StringIO(f"account email,percent,partner\n{EMAIL},{percent},OldPartner\n"),
        now=when or NOW + timedelta(days=1),
    )


MID_TERM = datetime(2026, 9, 1, 12, tzinfo=UTC)


def test_added_licences_get_the_legacy_percent_in_the_term_current_at_import():
    account = make_account()
    subscription = _buy(account)
    _import()
    assert legacy_discount_percent(subscription, today=MID_TERM.date()) == Decimal("30")
    invoice = subscription_add_licences(subscription=subscription, quantity=1, now=MID_TERM)
    charge = invoice.lines.get(kind=InvoiceLineKind.PRORATION)
    discount = invoice.lines.get(kind=InvoiceLineKind.DISCOUNT)
    assert charge.explanation == LEGACY_PARTNER_DISCOUNT
    assert -discount.amount_minor == discount_amount(charge.amount_minor, Decimal("30"))
    assert invoice.discount_minor == -discount.amount_minor > 0


def test_the_subscription_page_explains_the_legacy_discount():
    account = make_account()
    subscription = _buy(account)
    _import()
    client = Client()
    client.force_login(account.user)
    html = client.get(f"/en/store/subscriptions/{subscription.pk}/").content.decode()
    # The page reads the real clock: the legacy discount shows only while that date is inside the imported term.
    if timezone.localdate() < subscription.current_period_end:
        assert "30% discount from the previous verification partner" in html
    else:
        assert "No discount" in html


def test_a_purchase_after_the_import_does_not_get_it():
    account = make_account()
    _import(when=datetime(2020, 1, 1, tzinfo=UTC))
    subscription = _buy(account)
    assert legacy_discount_percent(subscription, today=date(2026, 6, 1)) is None
    first = subscription.invoices.get()
    assert first.discount_minor == 0
    invoice = subscription_add_licences(subscription=subscription, quantity=1, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert invoice.discount_minor == 0


def test_renewal_drops_it_and_a_new_coupon_brings_a_discount_back():
    account = make_account()
    subscription = _buy(account)
    _import()
    renewal_day = datetime(2027, 3, 1, 12, tzinfo=UTC)
    renewed = subscription_renew(subscription=subscription, now=renewal_day)
    renewal_invoice = renewed.invoices.order_by("-number").first()
    assert renewal_invoice.discount_minor == 0
    assert legacy_discount_percent(renewed, today=date(2027, 6, 1)) is None
    later = subscription_add_licences(subscription=renewed, quantity=1, now=datetime(2027, 6, 1, tzinfo=UTC))
    assert later.discount_minor == 0

    # The next renewal with a program coupon: the nonprofit discount, not the legacy one.
    _coupon, code = make_coupon(now=datetime(2028, 2, 1, tzinfo=UTC))
    again = subscription_renew(subscription=renewed, coupon_code=code, now=datetime(2028, 3, 1, 12, tzinfo=UTC))
    assert again.discount_percent == Decimal("50")
    invoice = again.invoices.order_by("-number").first()
    assert invoice.discount_minor > 0
    assert not invoice.lines.filter(explanation=LEGACY_PARTNER_DISCOUNT).exists()


def test_a_coupon_discount_wins_over_the_legacy_percent():
    account = make_account()
    _coupon, code = make_coupon()
    subscription = _buy(account, key="k2", coupon_code=code)
    _import(percent="10")
    invoice = subscription_add_licences(subscription=subscription, quantity=1, now=MID_TERM)
    assert not invoice.lines.filter(explanation=LEGACY_PARTNER_DISCOUNT).exists()
    charge = invoice.lines.get(kind=InvoiceLineKind.PRORATION)
    assert invoice.discount_minor == discount_amount(charge.amount_minor, Decimal("50"))
