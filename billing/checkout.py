"""Buying a subscription: one transaction that records the idempotency key, redeems the coupon, creates the
subscription and issues its first invoice.

Idempotency: `CheckoutRequest(account, idempotency_key)` is unique and holds a hash of the normalised request.
- the same key with the same request returns the first purchase's subscription (nothing is bought twice);
- the same key with a different request raises ApplicationError `idempotency_key_reused` (409);
- two copies of one request racing: the second INSERT of the key waits for the first transaction (PostgreSQL's
  unique index; SQLite serialises writers), fails, and the second call returns the first's result.

The coupon is redeemed with coupons.redemption.coupon_redeem, redemption key `checkout:<account id>:<key>`; its
refusals (coupon_not_found, coupon_already_redeemed, …) propagate unchanged, and roll the whole purchase back.
"""

import hashlib
import json
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.catalog import price_find
from billing.invoices import invoice_issue
from billing.models import (
    BillingCycle,
    CheckoutRequest,
    CustomerAccount,
    Product,
    ProductKind,
    Subscription,
    SubscriptionItem,
)
from billing.subscriptions import period_end_after, period_items, today_of
from core.audit import audit_record
from core.errors import ApplicationError, Conflict, InvalidInput
from coupons.codes import coupon_code_normalise
from coupons.redemption import coupon_redeem

MAX_IDEMPOTENCY_KEY_CHARS = 64  # "checkout:<account id>:<key>" must fit the coupon's 100-character redemption key


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


def checkout_request_hash(
    *, plan_code: str, quantity: int, add_ons: dict[str, int], billing_cycle: str, coupon_code: str | None
) -> str:
    """A stable digest of what is being bought (normalised: slugs lower-case, add-ons sorted, the coupon code as
    the coupon lookup reads it). Never stores the coupon code itself."""
    payload = {
        "plan": plan_code,
        "quantity": quantity,
        "add_ons": sorted(add_ons.items()),
        "billing_cycle": billing_cycle,
        "coupon": hashlib.sha256(coupon_code_normalise(coupon_code).encode()).hexdigest() if coupon_code else "",
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _replay(*, account: CustomerAccount, key: str, digest: str) -> Subscription | None:
    previous = (
        CheckoutRequest.objects.filter(account=account, idempotency_key=key).select_related("subscription").first()
    )
    if previous is None:
        return None
    if previous.request_hash != digest:
        raise IdempotencyKeyReused(
            _("This checkout key was already used for a different purchase."), details={"idempotency_key": key}
        )
    return previous.subscription


def _normalise(plan_code, quantity, add_ons, billing_cycle, idempotency_key):
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_CHARS:
        raise InvalidInput(_("A checkout key of 1 to 64 characters is required."), code="idempotency_key_required")
    cycle = (billing_cycle or "").strip().lower()
    if cycle not in BillingCycle.values:
        raise InvalidInput(_("Choose monthly or annual billing."), code="invalid_billing_cycle")
    for count in (quantity, *(add_ons or {}).values()):
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise InvalidInput(_("Every product needs at least one licence."), code="invalid_quantity")
    extras: dict[str, int] = {}
    for code, count in (add_ons or {}).items():
        slug = str(code).strip().lower()
        extras[slug] = extras.get(slug, 0) + count
    return (plan_code or "").strip().lower(), quantity, extras, cycle, key


def subscription_buy(
    *,
    account: CustomerAccount,
    plan_code: str,
    quantity: int,
    add_ons: dict[str, int],
    billing_cycle: str,
    coupon_code: str | None = None,
    idempotency_key: str,
    now: datetime | None = None,
) -> Subscription:
    """Buy a base plan with `quantity` licences and add-ons, billed `billing_cycle`, in the account's currency.

    The first invoice is issued at once (charge, discount and tax lines). Raises InvalidInput for a malformed
    request, NotFound `price_not_found`/`plan_not_found`, the coupon's refusals unchanged, and
    `idempotency_key_reused`. Returns the subscription (the first one's, for a retried request).
    """
    now = now or timezone.now()
    plan_code, quantity, add_ons, billing_cycle, key = _normalise(
        plan_code, quantity, add_ons, billing_cycle, idempotency_key
    )
    coupon_code = (coupon_code or "").strip() or None
    digest = checkout_request_hash(
        plan_code=plan_code, quantity=quantity, add_ons=add_ons, billing_cycle=billing_cycle, coupon_code=coupon_code
    )
    previous = _replay(account=account, key=key, digest=digest)
    if previous is not None:
        return previous
    try:
        return _buy(
            account=account,
            plan_code=plan_code,
            quantity=quantity,
            add_ons=add_ons,
            billing_cycle=billing_cycle,
            coupon_code=coupon_code,
            key=key,
            digest=digest,
            now=now,
        )
    except IntegrityError:
        previous = _replay(account=account, key=key, digest=digest)  # a twin request won the key
        if previous is None:
            raise
        return previous


def _buy(*, account, plan_code, quantity, add_ons, billing_cycle, coupon_code, key, digest, now) -> Subscription:
    currency = account.currency
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
    for code in (plan_code, *add_ons):  # every product must have a price in this currency and cycle
        price_find(product_code=code, currency=currency, billing_cycle=billing_cycle)
    if coupon_code and not account.is_verified:
        raise ApplicationError(_("Confirm your account email before using a coupon."), code="email_not_verified")

    with transaction.atomic():
        request = CheckoutRequest.objects.create(account=account, idempotency_key=key, request_hash=digest)
        coupon, percent, eligible = None, Decimal(0), ()
        if coupon_code:
            coupon = coupon_redeem(
                code=coupon_code,
                email=account.email,
                product_codes=[plan_code, *add_ons],
                billing_cycle=billing_cycle,
                now=now,
                redemption_key=f"checkout:{account.pk}:{key}",
            )
            percent, eligible = Decimal(coupon.program.discount_percent), tuple(coupon.program.eligible_products)
        start = today_of(now)
        end = period_end_after(anchor=start, period_start=start, billing_cycle=billing_cycle)
        subscription = Subscription.objects.create(
            account=account,
            plan=plan,
            quantity=quantity,
            billing_cycle=billing_cycle,
            currency=currency,
            billing_anchor=start,
            current_period_start=start,
            current_period_end=end,
            coupon=coupon,
            discount_percent=percent,
        )
        SubscriptionItem.objects.bulk_create(
            SubscriptionItem(subscription=subscription, product=extras[code], quantity=count)
            for code, count in sorted(add_ons.items())
        )
        invoice = invoice_issue(
            account=account,
            subscription=subscription,
            items=period_items(subscription=subscription, start=start, end=end),
            discount_percent=percent if coupon else None,
            eligible_product_codes=eligible,
            period_start=start,
            period_end=end,
            now=now,
            reason="purchase",
        )
        request.subscription, request.invoice = subscription, invoice
        request.save(update_fields=["subscription", "invoice"])
        audit_record(
            action="subscription.created",
            object_type="subscription",
            object_id=subscription.pk,
            actor=account.user,
            after={
                "account": account.pk,
                "plan": plan_code,
                "quantity": quantity,
                "add_ons": add_ons,
                "billing_cycle": billing_cycle,
                "currency": currency,
                "period": [start.isoformat(), end.isoformat()],
                "coupon": coupon.pk if coupon else None,
                "discount_percent": str(percent),
                "invoice": invoice.number,
                "idempotency_key": key,
            },
        )
    return subscription
