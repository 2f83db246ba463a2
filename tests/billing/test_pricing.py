"""The arithmetic and its one rounding rule: half-up, once, on the line total."""

from datetime import date
from decimal import Decimal

import pytest

from billing.pricing import discount_amount, line_amount, prorate, round_half_up, tax_amount


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.5"), 1),
        (Decimal("1.5"), 2),
        (Decimal("2.5"), 3),  # ties go up, not to even
        (Decimal("0.4999"), 0),
        (Decimal("0.5001"), 1),
        (Decimal(0), 0),
        (Decimal("-0.5"), -1),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected


def test_line_amount_is_exact():
    assert line_amount(1499, 3) == 4497
    assert line_amount(0, 10) == 0
    assert line_amount(1499, 0) == 0
    assert line_amount(99_999_999_99, 1_000_000) == 99_999_999_99 * 1_000_000  # no float, no overflow


@pytest.mark.parametrize(("unit", "quantity"), [(-1, 1), (1, -1), (1.5, 1), (1, 1.0), (True, 1)])
def test_line_amount_refuses_bad_input(unit, quantity):
    with pytest.raises(ValueError):
        line_amount(unit, quantity)


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        (14990, Decimal(50), 7495),
        (1499, Decimal(50), 750),  # 749.5 -> 750: the tie rounds up
        (1, Decimal(50), 1),  # 0.5 -> 1
        (3, Decimal("33.333"), 1),  # 0.99999 -> 1
        (0, Decimal(50), 0),
        (12345, Decimal(0), 0),
        (12345, Decimal(100), 12345),
        (10**15 + 1, Decimal(50), 5 * 10**14 + 1),  # large amounts keep every digit
    ],
)
def test_discount_amount(amount, percent, expected):
    assert discount_amount(amount, percent) == expected


def test_discount_accepts_strings_and_ints_as_percent():
    assert discount_amount(1000, "12.5") == 125
    assert discount_amount(1000, 25) == 250


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        (7495, Decimal("7.25"), 543),  # 543.3875
        (1000, Decimal("6.25"), 63),  # 62.5 -> 63
        (7495, Decimal(20), 1499),
        (10, Decimal(4), 0),  # 0.4
        (13, Decimal(4), 1),  # 0.52
        (0, Decimal(20), 0),
    ],
)
def test_tax_amount(amount, percent, expected):
    assert tax_amount(amount, percent) == expected


@pytest.mark.parametrize("percent", [Decimal(-1), Decimal("100.01")])
def test_percentages_are_between_0_and_100(percent):
    with pytest.raises(ValueError):
        discount_amount(100, percent)
    with pytest.raises(ValueError):
        tax_amount(100, percent)


def test_rounding_is_on_the_line_total_not_per_licence():
    # 3 licences at 1.01 with 50% off: per licence 0.505 -> 0.51 would give 1.53; on the line total 1.515 -> 1.52.
    assert discount_amount(line_amount(101, 3), Decimal(50)) == 152


class TestProrate:
    def test_common_year_has_365_days(self):
        # 2027-03-01 to 2028-01-01: 306 days of 365 left.
        assert prorate(36500, date(2027, 1, 1), date(2028, 1, 1), date(2027, 3, 1)) == 30600

    def test_leap_year_has_366_days(self):
        # 2028-03-01 to 2029-01-01: 306 days of 366 left (29 February is in the period).
        assert prorate(36600, date(2028, 1, 1), date(2029, 1, 1), date(2028, 3, 1)) == 30600
        assert prorate(36500, date(2028, 1, 1), date(2029, 1, 1), date(2028, 3, 1)) == 30516  # 30516.39

    def test_term_straddling_29_february(self):
        # A yearly term from 2027-06-15 to 2028-06-15 has 366 days.
        assert prorate(36600, date(2027, 6, 15), date(2028, 6, 15), date(2028, 6, 14)) == 100

    def test_rounds_half_up_once(self):
        # 1 * 1/2 = 0.5 -> 1; 3 * 1/2 = 1.5 -> 2
        assert prorate(1, date(2027, 1, 1), date(2027, 1, 3), date(2027, 1, 2)) == 1
        assert prorate(3, date(2027, 1, 1), date(2027, 1, 3), date(2027, 1, 2)) == 2
        # 179900 * 200 / 365 = 98575.34...
        assert prorate(179900, date(2027, 1, 1), date(2028, 1, 1), date(2027, 6, 15)) == 98575

    def test_ends_of_the_period(self):
        start, end = date(2027, 1, 1), date(2028, 1, 1)
        assert prorate(14990, start, end, start) == 14990
        assert prorate(14990, start, end, end) == 0
        assert prorate(0, start, end, date(2027, 7, 1)) == 0

    def test_monthly_period(self):
        # February 2027 has 28 days; 14 left of 28.
        assert prorate(1499, date(2027, 2, 1), date(2027, 3, 1), date(2027, 2, 15)) == 750  # 749.5

    @pytest.mark.parametrize(
        ("start", "end", "change"),
        [
            (date(2027, 1, 1), date(2027, 1, 1), date(2027, 1, 1)),  # empty period
            (date(2027, 1, 2), date(2027, 1, 1), date(2027, 1, 1)),  # backwards
            (date(2027, 1, 1), date(2028, 1, 1), date(2026, 12, 31)),  # before
            (date(2027, 1, 1), date(2028, 1, 1), date(2028, 1, 2)),  # after
        ],
    )
    def test_refuses_impossible_periods(self, start, end, change):
        with pytest.raises(ValueError):
            prorate(100, start, end, change)
