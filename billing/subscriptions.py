"""Subscriptions after the purchase: renewals, adding licences, plan changes, cancellation.

Rules (docs/billing.md, "Subscriptions"):
- Periods are [start, end): a yearly term from 2027-03-01 ends 2028-03-01. Period ends are counted from the
  subscription's anchor (its first day), so a subscription bought on 31 January renews on 28/29 February, then on
  31 March, never drifting.
- Renewal (`subscriptions_renew_due`, idempotent): each active subscription whose period has ended either ends
  (cancelled at period end, or not auto-renewing) or starts its next period with a new invoice. A subscription due
  for several periods (the job did not run) is renewed once per period, each with its own invoice.
- The nonprofit discount applies at renewal while the coupon stays active: not revoked, and its organisation still
  active in the registry (a coupon of an organisation added by hand: not revoked suffices). Otherwise the renewal is
  at full price and the charge lines say why (`discount_ended_coupon_revoked`, `discount_ended_organisation_inactive`,
  `discount_ended_coupon_flagged`: coupons.monitoring found the organisation no longer eligible).
- Plan changes go through billing.plan_changes.plan_change_decide (the policy table). No refunds, ever.
"""

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.catalog import price_find
from billing.invoices import InvoiceItem, invoice_issue
from billing.legacy import LEGACY_PARTNER_DISCOUNT, legacy_discount_percent
from billing.models import Invoice, Product, Subscription, SubscriptionStatus
from billing.plan_changes import ALLOWED_NOW, AT_TERM_END, NONPROFIT_DISCOUNT, STANDARD, plan_change_decide
from billing.pricing import Proration, QuoteLine
from core.audit import audit_record
from core.errors import ApplicationError, Conflict, InvalidInput
from coupons.models import CouponState
from coupons.redemption import coupon_redeem

logger = logging.getLogger(__name__)

CYCLE_MONTHS = {"monthly": 1, "annual": 12}

DISCOUNT_ENDED_COUPON_REVOKED = "discount_ended_coupon_revoked"
DISCOUNT_ENDED_ORGANISATION_INACTIVE = "discount_ended_organisation_inactive"
DISCOUNT_ENDED_COUPON_FLAGGED = "discount_ended_coupon_flagged"


# ---------------------------------------------------------------------------------------------------------------
# Periods


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end_after(*, anchor: date, period_start: date, billing_cycle: str) -> date:
    """The end (exclusive) of the period starting at `period_start`, counted from the anchor so ends never drift."""
    step = CYCLE_MONTHS[billing_cycle]
    n = 1
    while (end := add_months(anchor, step * n)) <= period_start:
        n += 1
    return end


def today_of(now: datetime) -> date:
    return timezone.localdate(now) if timezone.is_aware(now) else now.date()


# ---------------------------------------------------------------------------------------------------------------
# The coupon's discount and the lines of a period


@dataclass(frozen=True)
class DiscountState:
    percent: Decimal | None  # None: no discount applies
    eligible: tuple[str, ...]
    ended_reason: str = ""  # set when a coupon is on the subscription but its discount no longer applies


def coupon_discount_state(coupon) -> DiscountState:
    """Whether a redeemed coupon still gives its discount: not revoked, not flagged, and its organisation (when it
    came from a registry) still active. An organisation added by hand has no registry row: not revoked suffices."""
    if coupon is None:
        return DiscountState(None, ())
    program = coupon.program
    eligible = tuple(program.eligible_products)
    if coupon.state == CouponState.REVOKED:
        return DiscountState(None, eligible, DISCOUNT_ENDED_COUPON_REVOKED)
    if coupon.organisation_id is not None and coupon.organisation.status != "active":
        return DiscountState(None, eligible, DISCOUNT_ENDED_ORGANISATION_INACTIVE)
    if coupon.flagged_at is not None:  # coupons.monitoring: the organisation no longer passes the program's checks
        return DiscountState(None, eligible, DISCOUNT_ENDED_COUPON_FLAGGED)
    return DiscountState(Decimal(program.discount_percent), eligible)


def subscription_products(subscription: Subscription) -> list[tuple[Product, int]]:
    return [
        (subscription.plan, subscription.quantity),
        *((item.product, item.quantity) for item in subscription.items.select_related("product")),
    ]


def period_items(
    *, subscription: Subscription, start: date, end: date, ended_reason: str = "", eligible=()
) -> list[InvoiceItem]:
    """Charge lines for a whole period: the plan and every add-on at this period's prices."""
    items = []
    for product, quantity in subscription_products(subscription):
        price = price_find(
            product_code=product.code, currency=subscription.currency, billing_cycle=subscription.billing_cycle
        )
        line = QuoteLine(
            product_code=product.code,
            billing_cycle=subscription.billing_cycle,
            currency=subscription.currency,
            unit_minor=price.unit_amount_minor,
            quantity=quantity,
        )
        explanation = ended_reason if ended_reason and product.code in eligible else ""
        items.append(
            InvoiceItem(
                line=line,
                product=product,
                description=f"{product.name} x {quantity}",
                period_start=start,
                period_end=end,
                explanation=explanation,
            )
        )
    return items


def _snapshot(subscription: Subscription) -> dict:
    return {
        "status": subscription.status,
        "plan": subscription.plan.code,
        "quantity": subscription.quantity,
        "billing_cycle": subscription.billing_cycle,
        "currency": subscription.currency,
        "period": [subscription.current_period_start.isoformat(), subscription.current_period_end.isoformat()],
        "auto_renew": subscription.auto_renew,
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "coupon": subscription.coupon_id,
        "discount_percent": str(subscription.discount_percent),
        "pending_plan": subscription.pending_plan.code if subscription.pending_plan_id else None,
        "pending_quantity": subscription.pending_quantity,
    }


def _locked(subscription: Subscription) -> Subscription:
    # Lock the subscription row only (of=("self",)): PostgreSQL refuses FOR UPDATE on a nullable outer join.
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("plan", "account", "pending_plan")
        .get(pk=subscription.pk)
    )


# ---------------------------------------------------------------------------------------------------------------
# Renewal


def _renew_once(subscription: Subscription, *, now: datetime, coupon=None, explicit: bool = False) -> Invoice | None:
    """Move a locked, due subscription into its next period (or end it). Returns the renewal invoice, if any.
    `explicit`: the customer asked for this renewal, so a cancellation at period end or auto-renew off is lifted."""
    before = _snapshot(subscription)
    if explicit:
        subscription.cancel_at_period_end = False
    elif subscription.cancel_at_period_end or not subscription.auto_renew:
        subscription.status = SubscriptionStatus.ENDED
        subscription.ended_at = now
        subscription.save(update_fields=["status", "ended_at"])
        audit_record(
            action="subscription.ended",
            object_type="subscription",
            object_id=subscription.pk,
            before=before,
            after=_snapshot(subscription),
        )
        return None
    if subscription.pending_plan_id or subscription.pending_quantity:
        subscription.plan = subscription.pending_plan or subscription.plan
        subscription.quantity = subscription.pending_quantity or subscription.quantity
        subscription.pending_plan, subscription.pending_quantity = None, None
    if coupon is not None:
        subscription.coupon = coupon
    start = subscription.current_period_end
    end = period_end_after(
        anchor=subscription.billing_anchor, period_start=start, billing_cycle=subscription.billing_cycle
    )
    state = coupon_discount_state(subscription.coupon)  # never the previous partner's discount (issue 4 §4)
    subscription.discount_percent = state.percent or Decimal(0)
    subscription.current_period_start, subscription.current_period_end = start, end
    subscription.save()
    invoice = invoice_issue(
        account=subscription.account,
        subscription=subscription,
        items=period_items(
            subscription=subscription, start=start, end=end, ended_reason=state.ended_reason, eligible=state.eligible
        ),
        discount_percent=state.percent,
        eligible_product_codes=state.eligible,
        period_start=start,
        period_end=end,
        now=now,
        reason="renewal",
    )
    audit_record(
        action="subscription.renewed",
        object_type="subscription",
        object_id=subscription.pk,
        before=before,
        after={**_snapshot(subscription), "invoice": invoice.number, "discount_ended": state.ended_reason},
    )
    return invoice


def _renew_due(subscription_id: int, *, now: datetime) -> tuple[int, int, list[str]]:
    """Renew one subscription for every period that has ended by `now`, each period in its own transaction."""
    renewed = ended = 0
    numbers = []
    today = today_of(now)
    while True:
        with transaction.atomic():
            subscription = _locked(Subscription(pk=subscription_id))
            if subscription.status != SubscriptionStatus.ACTIVE or subscription.current_period_end > today:
                return renewed, ended, numbers
            invoice = _renew_once(subscription, now=now)
        if invoice is None:
            ended += 1
        else:
            renewed += 1
            numbers.append(invoice.number)


def subscriptions_renew_due(*, now: datetime) -> dict:
    """Renew (or end) every active subscription whose period has ended by `now`. Idempotent: a second run at the
    same `now` finds nothing due. Returns {"due", "renewed" (periods), "ended", "invoices" (numbers), "failed"
    ([{"subscription", "code"}]: left due, retried by the next run; a failed period leaves nothing behind)}."""
    today = today_of(now)
    ids = list(
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, current_period_end__lte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    renewed = ended = 0
    numbers: list[str] = []
    failed: list[dict] = []
    for subscription_id in ids:
        try:
            r, e, n = _renew_due(subscription_id, now=now)
        except ApplicationError as error:  # e.g. a price removed from the catalog: the others still renew
            logger.warning("renewal of subscription %s failed: %s", subscription_id, error.code)
            failed.append({"subscription": subscription_id, "code": error.code})
            continue
        renewed, ended, numbers = renewed + r, ended + e, numbers + n
    return {"due": len(ids), "renewed": renewed, "ended": ended, "invoices": numbers, "failed": failed}


def subscription_renew(*, subscription: Subscription, coupon_code: str | None = None, now: datetime) -> Subscription:
    """Renew one due subscription now, optionally applying a (new) nonprofit coupon to the new term.

    The coupon is redeemed with coupons.redemption.coupon_redeem (its refusals propagate unchanged) and the discount
    applies from this renewal on: invoices issued before are never changed or credited (no refunds).
    Raises Conflict `renewal_not_due` when the current period has not ended yet or the subscription is not active.
    """
    with transaction.atomic():
        locked = _locked(subscription)
        if locked.status != SubscriptionStatus.ACTIVE or locked.current_period_end > today_of(now):
            raise Conflict(
                _("This subscription is not due for renewal."),
                code="renewal_not_due",
                details={"period_end": locked.current_period_end.isoformat(), "status": locked.status},
            )
        coupon = None
        if coupon_code:
            codes = [product.code for product, _q in subscription_products(locked)]
            coupon = coupon_redeem(
                code=coupon_code,
                email=locked.account.email,
                product_codes=codes,
                billing_cycle=locked.billing_cycle,
                now=now,
                redemption_key=f"renewal:{locked.pk}:{locked.current_period_end.isoformat()}",
            )
        _renew_once(locked, now=now, coupon=coupon, explicit=True)
    subscription.refresh_from_db()
    return subscription


def subscription_coupon_attach(*, subscription: Subscription, coupon_code: str, now: datetime) -> Subscription:
    """Attach a nonprofit coupon to an active subscription bought without one, for its NEXT renewal.

    The coupon is redeemed now (coupon_redeem, key `attach:<id>:<period end>`, so a retry returns the same result;
    its refusals propagate unchanged). The current term is untouched: `discount_percent` stays as it is (0), so its
    invoices, and licences added before the term ends, stay at full price; nothing is changed, credited or refunded.
    The next renewal (`_renew_once`) reads the coupon and gives its discount while it stays active.
    Raises Conflict `subscription_not_current` (not active or due: renew instead) or `coupon_already_applied`.
    """
    today = today_of(now)
    with transaction.atomic():
        locked = _locked(subscription)
        _active_or_conflict(locked, today)
        key = f"attach:{locked.pk}:{locked.current_period_end.isoformat()}"
        attached = locked.coupon if locked.coupon_id is not None else None
        already = Conflict(
            _("A nonprofit coupon is already applied to this subscription."),
            code="coupon_already_applied",
            details={"coupon": locked.coupon_id},
        )
        retry = attached is not None and attached.redemption_key == key  # attached by this call's key before
        if attached is not None and not retry and coupon_discount_state(attached).percent is not None:
            raise already  # its coupon still gives the discount (a revoked one may be replaced)
        codes = [product.code for product, _q in subscription_products(locked)]
        coupon = coupon_redeem(
            code=coupon_code,
            email=locked.account.email,
            product_codes=codes,
            billing_cycle=locked.billing_cycle,
            now=now,
            redemption_key=key,
        )
        if retry:
            if coupon.pk != attached.pk:
                raise already  # another code on a retried key: rolled back whole, that coupon stays unused
            subscription.refresh_from_db()
            return subscription  # the same code again: idempotent, nothing new recorded
        before = _snapshot(locked)
        locked.coupon = coupon
        locked.save(update_fields=["coupon"])  # discount_percent unchanged: the discount starts at the renewal
        audit_record(
            action="subscription.coupon_attached",
            object_type="subscription",
            object_id=locked.pk,
            before=before,
            after={**_snapshot(locked), "applies_from": locked.current_period_end.isoformat()},
        )
    subscription.refresh_from_db()
    return subscription


# ---------------------------------------------------------------------------------------------------------------
# Licences and plan changes


def _condition(subscription: Subscription) -> str:
    return NONPROFIT_DISCOUNT if subscription.is_discounted else STANDARD


def _refuse(decision, subscription: Subscription, to_plan: str, to_quantity: int) -> ApplicationError:
    return ApplicationError(
        decision.message,
        code=decision.code,
        details={
            "reason": decision.reason,
            "from_plan": subscription.plan.code,
            "to_plan": to_plan,
            "from_quantity": subscription.quantity,
            "to_quantity": to_quantity,
        },
    )


def _active_or_conflict(subscription: Subscription, today: date) -> None:
    if subscription.status != SubscriptionStatus.ACTIVE or subscription.current_period_end <= today:
        raise Conflict(
            _("This subscription is not in a current term."),
            code="subscription_not_current",
            details={"status": subscription.status},
        )


def _prorated_invoice(
    subscription: Subscription,
    *,
    product: Product,
    unit_minor: int,
    quantity: int,
    description: str,
    today: date,
    now: datetime,
    reason: str,
) -> Invoice:
    line = QuoteLine(
        product_code=product.code,
        billing_cycle=subscription.billing_cycle,
        currency=subscription.currency,
        unit_minor=unit_minor,
        quantity=quantity,
        proration=Proration(subscription.current_period_start, subscription.current_period_end, today),
    )
    # The term's discount, while the coupon is still active today (added licences keep it only then).
    state = coupon_discount_state(subscription.coupon) if subscription.is_discounted else DiscountState(None, ())
    percent = subscription.discount_percent if state.percent is not None else None
    eligible, explanation = state.eligible, state.ended_reason if product.code in state.eligible else ""
    # Issue 4 §4: without a coupon discount, the previous partner's percent covers invoices of the term that was
    # current when it was imported (billing.legacy.legacy_discount_percent). Renewals never apply it.
    if percent is None:
        legacy = legacy_discount_percent(subscription, today=today)
        if legacy is not None:
            percent, eligible, explanation = legacy, (product.code,), LEGACY_PARTNER_DISCOUNT
    return invoice_issue(
        account=subscription.account,
        subscription=subscription,
        items=[
            InvoiceItem(
                line=line,
                product=product,
                description=description,
                period_start=today,
                period_end=subscription.current_period_end,
                explanation=explanation,
            )
        ],
        discount_percent=percent,
        eligible_product_codes=eligible,
        period_start=today,
        period_end=subscription.current_period_end,
        now=now,
        reason=reason,
    )


def subscription_add_licences(*, subscription: Subscription, quantity: int, now: datetime) -> Invoice:
    """Add `quantity` licences to the plan now; invoice them prorated to the end of the term, discounted when the
    subscription is under the nonprofit discount. Returns the prorated invoice."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise InvalidInput(_("Add at least one licence."), code="invalid_quantity")
    today = today_of(now)
    with transaction.atomic():
        locked = _locked(subscription)
        _active_or_conflict(locked, today)
        to_quantity = locked.quantity + quantity
        decision = plan_change_decide(
            from_plan=locked.plan.code,
            to_plan=locked.plan.code,
            from_quantity=locked.quantity,
            to_quantity=to_quantity,
            condition=_condition(locked),
        )
        if decision.outcome != ALLOWED_NOW:
            raise _refuse(decision, locked, locked.plan.code, to_quantity)
        before = _snapshot(locked)
        price = price_find(product_code=locked.plan.code, currency=locked.currency, billing_cycle=locked.billing_cycle)
        locked.quantity = to_quantity
        locked.save(update_fields=["quantity"])
        invoice = _prorated_invoice(
            locked,
            product=locked.plan,
            unit_minor=price.unit_amount_minor,
            quantity=quantity,
            description=f"{locked.plan.name} x {quantity} (added)",
            today=today,
            now=now,
            reason="licences_added",
        )
        audit_record(
            action="subscription.licences_added",
            object_type="subscription",
            object_id=locked.pk,
            before=before,
            after={**_snapshot(locked), "added": quantity, "invoice": invoice.number, "policy": decision.reason},
        )
    subscription.refresh_from_db()
    return invoice


@dataclass(frozen=True)
class PlanChangeResult:
    outcome: str  # allowed_now | at_term_end
    reason: str
    message: str
    invoice: Invoice | None = None


def subscription_change_plan(
    *, subscription: Subscription, to_plan: str, to_quantity: int, now: datetime
) -> PlanChangeResult:
    """Apply the plan-change policy: now (prorated invoice for the difference), at the term end (recorded as a
    pending change, applied at renewal), or refused (ApplicationError with the policy's code and message)."""
    today = today_of(now)
    with transaction.atomic():
        locked = _locked(subscription)
        _active_or_conflict(locked, today)
        decision = plan_change_decide(
            from_plan=locked.plan.code,
            to_plan=to_plan,
            from_quantity=locked.quantity,
            to_quantity=to_quantity,
            condition=_condition(locked),
        )
        if not decision.allowed:
            raise _refuse(decision, locked, to_plan, to_quantity)
        before = _snapshot(locked)
        invoice = None
        if decision.outcome == AT_TERM_END:
            locked.pending_plan = Product.objects.get(code=to_plan)
            locked.pending_quantity = to_quantity
            locked.save(update_fields=["pending_plan", "pending_quantity"])
        else:
            new_plan = Product.objects.get(code=to_plan)
            old_price = price_find(
                product_code=locked.plan.code, currency=locked.currency, billing_cycle=locked.billing_cycle
            ).unit_amount_minor
            new_price = price_find(
                product_code=to_plan, currency=locked.currency, billing_cycle=locked.billing_cycle
            ).unit_amount_minor
            # The difference for a whole period (never negative: allowed-now changes never lower the price).
            difference = max(0, new_price * to_quantity - old_price * locked.quantity)
            description = f"{locked.plan.name} x {locked.quantity} → {new_plan.name} x {to_quantity} (difference)"
            locked.plan, locked.quantity = new_plan, to_quantity
            locked.pending_plan, locked.pending_quantity = None, None
            locked.save(update_fields=["plan", "quantity", "pending_plan", "pending_quantity"])
            invoice = _prorated_invoice(
                locked,
                product=new_plan,
                unit_minor=difference,
                quantity=1,
                description=description,
                today=today,
                now=now,
                reason="plan_changed",
            )
        audit_record(
            action="subscription.plan_change",
            object_type="subscription",
            object_id=locked.pk,
            before=before,
            after={
                **_snapshot(locked),
                "outcome": decision.outcome,
                "policy": decision.reason,
                "invoice": invoice.number if invoice else None,
            },
        )
    subscription.refresh_from_db()
    return PlanChangeResult(
        outcome=decision.outcome, reason=decision.reason, message=str(decision.message), invoice=invoice
    )


# ---------------------------------------------------------------------------------------------------------------
# Cancellation


def subscription_cancel(*, subscription: Subscription, now: datetime) -> Subscription:
    """Cancel at the end of the current term: the subscription runs until then and is not renewed. Nothing is
    refunded. Cancelling twice changes nothing the second time."""
    with transaction.atomic():
        locked = _locked(subscription)
        if locked.status != SubscriptionStatus.ACTIVE:
            raise Conflict(
                _("This subscription is not active."), code="subscription_not_active", details={"status": locked.status}
            )
        if not locked.cancel_at_period_end:
            before = _snapshot(locked)
            locked.cancel_at_period_end = True
            locked.save(update_fields=["cancel_at_period_end"])
            audit_record(
                action="subscription.cancel_requested",
                object_type="subscription",
                object_id=locked.pk,
                before=before,
                after={**_snapshot(locked), "requested_at": now.isoformat()},
            )
    subscription.refresh_from_db()
    return subscription
