"""Price computation: pure functions over plain data (no database), each quote line explaining itself.

Money is an int of minor units plus an ISO currency; percentages are Decimals (50 means 50%).

THE ROUNDING RULE (docs/billing.md): every amount derived by a percentage or a fraction (a proration, a discount, a
tax) is computed exactly in Decimal from the *line total* and rounded once, half-up (ties away from zero), to the
minor unit. Never per unit or per licence, never on a subtotal: quote totals are plain sums of the rounded line
amounts, so each line adds up on its own and the invoice adds up from its lines.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)

# Why a line was or was not discounted: stable codes (the coupon errors of the checkout reuse the last two).
DISCOUNTED = "discounted"
NO_COUPON = "no_coupon"
PRODUCT_NOT_ELIGIBLE = "product_not_eligible"
BILLING_CYCLE_NOT_ELIGIBLE = "billing_cycle_not_eligible"
DISCOUNT_MESSAGES = {
    DISCOUNTED: _("Nonprofit discount of %(percent)s%% on an eligible product billed annually."),
    NO_COUPON: _("No discount applies."),
    PRODUCT_NOT_ELIGIBLE: _("Full price: this product is not covered by the nonprofit discount."),
    BILLING_CYCLE_NOT_ELIGIBLE: _("Full price: the nonprofit discount applies only to annual billing."),
}
# Why a line was or was not taxed.
TAXED = "taxed"
TAX_EXEMPT = "tax_exempt"
NO_TAX_RATE = "no_tax_rate"
TAX_MESSAGES = {
    TAXED: _("Tax of %(percent)s%% on the amount after discount."),
    TAX_EXEMPT: _("No tax: the customer holds an approved tax exemption for this jurisdiction."),
    NO_TAX_RATE: _("No tax: no tax rate applies to this billing address."),
}


def round_half_up(value: Decimal) -> int:
    """The one rounding step: to a whole number of minor units, ties away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _check_amount(amount_minor: int) -> None:
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool) or amount_minor < 0:
        raise ValueError(f"an amount is a non-negative int of minor units, not {amount_minor!r}")


def _check_percent(percent: Decimal) -> Decimal:
    percent = Decimal(str(percent))
    if not Decimal(0) <= percent <= HUNDRED:
        raise ValueError(f"a percentage is between 0 and 100, not {percent}")
    return percent


def line_amount(unit_minor: int, quantity: int) -> int:
    """Unit price * licences: exact, no rounding needed."""
    _check_amount(unit_minor)
    if not isinstance(quantity, int) or quantity < 0:
        raise ValueError(f"a quantity is a non-negative int, not {quantity!r}")
    return unit_minor * quantity


def discount_amount(amount_minor: int, percent: Decimal) -> int:
    """The discount on a line total, rounded half-up once."""
    _check_amount(amount_minor)
    return round_half_up(Decimal(amount_minor) * _check_percent(percent) / HUNDRED)


def tax_amount(amount_minor: int, percent: Decimal) -> int:
    """The tax on a line's net amount, rounded half-up once."""
    _check_amount(amount_minor)
    return round_half_up(Decimal(amount_minor) * _check_percent(percent) / HUNDRED)


def prorate(amount_minor: int, period_start: date, period_end: date, change_date: date) -> int:
    """The share of a full-period amount for the days left: amount * days remaining / days in the period.

    The period is [period_start, period_end): period_end is the first day of the next period, so a year from
    2027-01-01 to 2028-01-01 has 365 days and one from 2028-01-01 to 2029-01-01 has 366. A change on period_start
    costs the full amount, one on period_end nothing.
    """
    _check_amount(amount_minor)
    total_days = (period_end - period_start).days
    if total_days <= 0:
        raise ValueError("a period ends after it starts")
    if not period_start <= change_date <= period_end:
        raise ValueError("the change date is inside the period")
    remaining = (period_end - change_date).days
    return round_half_up(Decimal(amount_minor) * remaining / total_days)


@dataclass(frozen=True)
class Proration:
    """Charge a line only for the rest of a period (e.g. licences added mid-term)."""

    period_start: date
    period_end: date
    change_date: date


@dataclass(frozen=True)
class QuoteLine:
    product_code: str
    billing_cycle: str  # "monthly" | "annual" (billing.models.BillingCycle values)
    currency: str
    unit_minor: int  # price of one licence for one full period
    quantity: int
    proration: Proration | None = None


@dataclass(frozen=True)
class QuotedLine:
    line: QuoteLine
    gross_minor: int  # unit * quantity, prorated when the line says so
    discount_minor: int
    net_minor: int  # gross - discount
    tax_minor: int
    total_minor: int  # net + tax
    discount_reason: str
    discount_message: Promise
    tax_reason: str
    tax_message: Promise


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: tuple[QuotedLine, ...]
    gross_minor: int
    discount_minor: int
    net_minor: int
    tax_minor: int
    total_minor: int


def _discount_reason(line: QuoteLine, discount_percent: Decimal | None, eligible: frozenset[str]) -> str:
    if discount_percent is None or discount_percent == 0:
        return NO_COUPON
    if line.product_code not in eligible:
        return PRODUCT_NOT_ELIGIBLE
    if line.billing_cycle != "annual":
        return BILLING_CYCLE_NOT_ELIGIBLE
    return DISCOUNTED


def quote_line(
    line: QuoteLine,
    *,
    discount_percent: Decimal | None,
    eligible_product_codes: Iterable[str],
    tax_percent: Decimal | None,
    exempt: bool,
) -> QuotedLine:
    """One line: gross (prorated if asked), the coupon's discount when it applies, then tax on the net."""
    gross = line_amount(line.unit_minor, line.quantity)
    if line.proration:
        p = line.proration
        gross = prorate(gross, p.period_start, p.period_end, p.change_date)
    percent = None if discount_percent is None else _check_percent(discount_percent)
    reason = _discount_reason(line, percent, frozenset(eligible_product_codes))
    discount = discount_amount(gross, percent) if reason == DISCOUNTED else 0
    net = gross - discount
    if exempt:
        tax_reason, tax = TAX_EXEMPT, 0
    elif not tax_percent:
        tax_reason, tax = NO_TAX_RATE, 0
    else:
        tax_reason, tax = TAXED, tax_amount(net, tax_percent)
    return QuotedLine(
        line=line,
        gross_minor=gross,
        discount_minor=discount,
        net_minor=net,
        tax_minor=tax,
        total_minor=net + tax,
        discount_reason=reason,
        discount_message=_format(DISCOUNT_MESSAGES[reason], percent),
        tax_reason=tax_reason,
        tax_message=_format(TAX_MESSAGES[tax_reason], tax_percent),
    )


def quote(
    lines: list[QuoteLine],
    discount_percent: Decimal | None,
    eligible_product_codes: Iterable[str],
    tax_percent: Decimal | None,
    exempt: bool,
) -> Quote:
    """Price a list of lines in one currency. `discount_percent` is None when no coupon applies."""
    if not lines:
        raise ValueError("a quote has at least one line")
    currencies = {line.currency for line in lines}
    if len(currencies) != 1:
        raise ValueError(f"a quote is in one currency, not {sorted(currencies)}")
    eligible = frozenset(eligible_product_codes)
    quoted = tuple(
        quote_line(
            line,
            discount_percent=discount_percent,
            eligible_product_codes=eligible,
            tax_percent=tax_percent,
            exempt=exempt,
        )
        for line in lines
    )
    return Quote(
        currency=lines[0].currency,
        lines=quoted,
        gross_minor=sum(q.gross_minor for q in quoted),
        discount_minor=sum(q.discount_minor for q in quoted),
        net_minor=sum(q.net_minor for q in quoted),
        tax_minor=sum(q.tax_minor for q in quoted),
        total_minor=sum(q.total_minor for q in quoted),
    )


def _render(text: Promise, percent: str) -> str:
    return str(text) % {"percent": percent}


_lazy_render = lazy(_render, str)


def _format(message: Promise, percent: Decimal | None) -> Promise:
    """Fill in the percentage when the message is shown, translated in the language active then."""
    return _lazy_render(message, format(Decimal(percent).normalize(), "f") if percent is not None else "")
