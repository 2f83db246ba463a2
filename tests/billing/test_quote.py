"""Quotes: which lines the coupon discounts and why, tax after the discount, totals from the lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from billing.pricing import (
    BILLING_CYCLE_NOT_ELIGIBLE,
    DISCOUNTED,
    NO_COUPON,
    NO_TAX_RATE,
    PRODUCT_NOT_ELIGIBLE,
    TAX_EXEMPT,
    TAXED,
    Proration,
    QuoteLine,
    quote,
)
from programs.models import DEFAULT_PRODUCTS

ELIGIBLE = DEFAULT_PRODUCTS
FIFTY = Decimal(50)


def annual(code, unit, quantity=1, **kwargs):
    return QuoteLine(
        product_code=code, billing_cycle="annual", currency="USD", unit_minor=unit, quantity=quantity, **kwargs
    )


def test_nonprofit_annual_basket():
    lines = [annual("workplace-pro", 14990, 10), annual("webinars", 79000), annual("room-connector", 49000, 2)]
    q = quote(lines, FIFTY, ELIGIBLE, Decimal("7.25"), exempt=False)
    pro, webinars, connector = q.lines
    assert (pro.gross_minor, pro.discount_minor, pro.net_minor, pro.tax_minor) == (149900, 74950, 74950, 5434)
    assert pro.total_minor == 74950 + 5434  # 5433.875 -> 5434
    assert (webinars.discount_minor, webinars.net_minor, webinars.tax_minor) == (39500, 39500, 2864)  # 2863.75
    assert (connector.discount_minor, connector.net_minor, connector.tax_minor) == (0, 98000, 7105)  # 7105.0
    assert [line.discount_reason for line in q.lines] == [DISCOUNTED, DISCOUNTED, PRODUCT_NOT_ELIGIBLE]
    assert all(line.tax_reason == TAXED for line in q.lines)
    assert q.currency == "USD"
    assert q.gross_minor == 149900 + 79000 + 98000
    assert q.discount_minor == 74950 + 39500
    assert q.net_minor == q.gross_minor - q.discount_minor
    assert q.tax_minor == 5434 + 2864 + 7105
    assert q.total_minor == sum(line.total_minor for line in q.lines) == q.net_minor + q.tax_minor


def test_monthly_lines_are_not_discounted_and_say_why():
    line = QuoteLine("workplace-pro", "monthly", "USD", 1499, 3)
    (quoted,) = quote([line], FIFTY, ELIGIBLE, None, exempt=False).lines
    assert (quoted.discount_minor, quoted.net_minor, quoted.tax_minor) == (0, 4497, 0)
    assert quoted.discount_reason == BILLING_CYCLE_NOT_ELIGIBLE
    assert "annual" in str(quoted.discount_message)
    assert quoted.tax_reason == NO_TAX_RATE


def test_without_coupon_nothing_is_discounted():
    q = quote([annual("workplace-pro", 14990, 2)], None, ELIGIBLE, Decimal(20), exempt=False)
    assert q.discount_minor == 0
    assert q.lines[0].discount_reason == NO_COUPON
    assert q.tax_minor == 5996


def test_the_eligible_products_are_configuration():
    q = quote(
        [annual("workplace-pro", 14990), annual("room-connector", 49000)], FIFTY, ["room-connector"], None, exempt=False
    )
    assert [line.discount_reason for line in q.lines] == [PRODUCT_NOT_ELIGIBLE, DISCOUNTED]


def test_exempt_customer_pays_no_tax():
    q = quote([annual("workplace-pro", 14990)], FIFTY, ELIGIBLE, Decimal(20), exempt=True)
    assert q.tax_minor == 0
    assert q.total_minor == 7495
    assert q.lines[0].tax_reason == TAX_EXEMPT


def test_licences_added_mid_term_are_prorated_then_discounted():
    term = Proration(date(2028, 1, 1), date(2029, 1, 1), date(2028, 7, 1))  # 184 of 366 days left
    q = quote([annual("workplace-business", 21990, 5, proration=term)], FIFTY, ELIGIBLE, Decimal(4), exempt=False)
    line = q.lines[0]
    assert line.gross_minor == 55275  # 109950 * 184 / 366 = 55275.41
    assert line.discount_minor == 27638  # 27637.5 -> 27638: the tie goes to the customer
    assert line.net_minor == 27637
    assert line.tax_minor == 1105  # 1105.48


def test_messages_explain_with_the_percentage_and_translate_lazily():
    q = quote([annual("workplace-pro", 14990)], FIFTY, ELIGIBLE, Decimal("7.250"), exempt=False)
    with translation.override("en"):
        assert str(q.lines[0].discount_message) == "Nonprofit discount of 50% on an eligible product billed annually."
        assert str(q.lines[0].tax_message) == "Tax of 7.25% on the amount after discount."


def test_a_quote_is_in_one_currency():
    eur = QuoteLine("webinars", "annual", "EUR", 73000, 1)
    with pytest.raises(ValueError):
        quote([annual("workplace-pro", 14990), eur], FIFTY, ELIGIBLE, None, exempt=False)
    with pytest.raises(ValueError):
        quote([], FIFTY, ELIGIBLE, None, exempt=False)


def test_zero_percent_coupon_is_no_discount():
    q = quote([annual("workplace-pro", 14990)], Decimal(0), ELIGIBLE, None, exempt=False)
    assert q.discount_minor == 0
    assert q.lines[0].discount_reason == NO_COUPON
