"""What a checkout would cost, before anything is bought: the priced summary of the "Review order" step.

`checkout_quote` reads the same catalog, tax rate, tax exemption and coupon rules as `billing.checkout.subscription_buy`
(the coupon through `coupons.redemption.coupon_validate`, so the codes are the ones the purchase would give), and
prices the lines with `billing.pricing.quote` (the one rounding rule). Nothing is written except the coupon
lookup's rate-limit record. A coupon the purchase would refuse does not stop the summary: the lines are priced at
full price and `coupon_error` says why, next to the coupon field.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.catalog import price_find, tax_rate_find
from billing.forms_store import service_error_text
from billing.models import CustomerAccount, Product, ProductKind
from billing.pricing import Quote, QuoteLine, quote
from billing.selectors import account_tax_exempt
from billing.subscriptions import coupon_discount_state, subscription_products
from core.errors import ApplicationError, InvalidInput
from coupons.redemption import coupon_validate

# Refusals the customer fixes in the form: the page says how instead of sending them to support.
USER_FIXES = {
    "billing_cycle_not_eligible": _(
        "The nonprofit coupon applies to annual billing only: choose annual billing to "
        "use it, or remove the coupon to pay monthly at full price."
    ),
    "product_not_eligible": _(
        "The nonprofit coupon covers Workplace plans and their add-ons, not the products "
        "chosen: add a covered product, or remove the coupon."
    ),
    "email_not_verified": _(
        "Confirm your account email (use the link we sent you) before using a coupon: the "
        "coupon is bound to that email."
    ),
}


@dataclass(frozen=True)
class SummaryLine:
    product: Product
    quantity: int
    unit_minor: int
    gross_minor: int
    discount_minor: int
    tax_minor: int
    discount_message: str
    tax_message: str


@dataclass(frozen=True)
class CheckoutSummary:
    currency: str
    billing_cycle: str
    lines: tuple[SummaryLine, ...]
    quote: Quote
    discount_percent: Decimal | None  # the coupon's, when it applies
    coupon_error: ApplicationError | None
    tax_label: str
    tax_exempt: bool

    @property
    def coupon_applies(self) -> bool:
        return self.discount_percent is not None and self.coupon_error is None


def coupon_error_text(error: ApplicationError) -> str:
    """A coupon refusal as the checkout shows it: how to fix it when the customer can, the service's text (with its
    code and reference once) otherwise."""

    fix = USER_FIXES.get(error.code)
    return str(fix) if fix else service_error_text(error)


def _summary_lines(products, priced) -> tuple[SummaryLine, ...]:
    """The summary's rows: each (product, quantity) beside its priced line, messages as text."""
    return tuple(
        SummaryLine(
            product=product,
            quantity=count,
            unit_minor=line.line.unit_minor,
            gross_minor=line.gross_minor,
            discount_minor=line.discount_minor,
            tax_minor=line.tax_minor,
            discount_message=str(line.discount_message),
            tax_message=str(line.tax_message),
        )
        for (product, count), line in zip(products, priced.lines, strict=True)
    )


def checkout_quote(
    *,
    account: CustomerAccount,
    plan_code: str,
    quantity: int,
    add_ons: dict[str, int],
    billing_cycle: str,
    coupon_code: str | None = None,
    client_key: str | None = None,
    now: datetime | None = None,
) -> CheckoutSummary:
    """Price a purchase as `subscription_buy` would. Raises InvalidInput (`plan_not_found`, `add_on_not_found`) and
    NotFound `price_not_found` like the purchase; a coupon refusal is returned in `coupon_error`, not raised."""
    now = now or timezone.now()
    plan_code = (plan_code or "").strip().lower()
    plan = Product.objects.filter(code=plan_code, kind=ProductKind.BASE_PLAN, is_active=True).first()
    if plan is None:
        raise InvalidInput(
            _("Choose Workplace Pro or Workplace Business."), code="plan_not_found", details={"plan": plan_code}
        )
    extras = {
        p.code: p for p in Product.objects.filter(code__in=add_ons, is_active=True).exclude(kind=ProductKind.BASE_PLAN)
    }
    if unknown := sorted(set(add_ons) - set(extras)):
        raise InvalidInput(_("Some add-ons are not on sale."), code="add_on_not_found", details={"add_ons": unknown})
    products = [(plan, quantity), *((extras[code], count) for code, count in sorted(add_ons.items()))]
    lines = [
        QuoteLine(
            product_code=product.code,
            billing_cycle=billing_cycle,
            currency=account.currency,
            unit_minor=price_find(
                product_code=product.code, currency=account.currency, billing_cycle=billing_cycle
            ).unit_amount_minor,
            quantity=count,
        )
        for product, count in products
    ]

    percent, eligible, coupon_error = None, (), None
    if coupon_code:
        try:
            if not account.is_verified:
                raise ApplicationError(
                    _("Confirm your account email before using a coupon."), code="email_not_verified"
                )
            found = coupon_validate(
                code=coupon_code,
                email=account.email,
                product_codes=[p.code for p, _n in products],
                billing_cycle=billing_cycle,
                now=now,
                client_key=client_key,
            )
        except ApplicationError as error:
            coupon_error = error
        else:
            percent, eligible = found.discount_percent, found.eligible_products

    rate = tax_rate_find(country=account.billing_country or "", region=account.billing_region or "")
    exempt = account_tax_exempt(
        account=account, country=account.billing_country or "", region=account.billing_region or "", on=now
    )
    priced = quote(lines, percent, eligible, rate.percent if rate else None, exempt)
    summary_lines = _summary_lines(products, priced)
    return CheckoutSummary(
        currency=account.currency,
        billing_cycle=billing_cycle,
        lines=summary_lines,
        quote=priced,
        discount_percent=percent,
        coupon_error=coupon_error,
        tax_label=rate.label if rate else "",
        tax_exempt=exempt,
    )


def subscription_quote(*, subscription, now: datetime | None = None) -> CheckoutSummary:
    """What the subscription costs per term at today's prices: its lines, the nonprofit discount while it gives
    one (billing.subscriptions.coupon_discount_state), the account's tax. Shown on the subscription page."""

    now = now or timezone.now()
    account = subscription.account
    products = subscription_products(subscription)
    lines = [
        QuoteLine(
            product_code=product.code,
            billing_cycle=subscription.billing_cycle,
            currency=subscription.currency,
            unit_minor=price_find(
                product_code=product.code, currency=subscription.currency, billing_cycle=subscription.billing_cycle
            ).unit_amount_minor,
            quantity=count,
        )
        for product, count in products
    ]
    percent, eligible = None, ()
    if subscription.is_discounted:
        state = coupon_discount_state(subscription.coupon)
        if state.percent is not None:
            percent, eligible = Decimal(subscription.discount_percent), state.eligible
    rate = tax_rate_find(country=account.billing_country or "", region=account.billing_region or "")
    exempt = account_tax_exempt(
        account=account, country=account.billing_country or "", region=account.billing_region or "", on=now
    )
    priced = quote(lines, percent, eligible, rate.percent if rate else None, exempt)
    summary_lines = _summary_lines(products, priced)
    return CheckoutSummary(
        currency=subscription.currency,
        billing_cycle=subscription.billing_cycle,
        lines=summary_lines,
        quote=priced,
        discount_percent=percent,
        coupon_error=None,
        tax_label=rate.label if rate else "",
        tax_exempt=exempt,
    )
