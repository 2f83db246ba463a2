"""What the plans-and-prices page shows, per currency and language: every product on sale by kind, its monthly and
annual price per licence, and which products the nonprofit discount covers (the demo program's configuration).

Kept in the shared cache (one read instead of a query per product kind, the prices and the program, and the price
formatting): a product, price or program saved or deleted forgets every currency and language at once (the signals
in BillingConfig.ready); a change made without saving the model (a queryset update) shows within
PLANS_CACHE_SECONDS."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from billing.models import BillingCycle, Currency, Price, Product, ProductKind
from billing.pricing import discount_amount
from core.money import format_minor_localized
from programs.demo import DEMO_SLUG
from programs.models import Program

PLANS_CACHE_SECONDS = 300
logger = logging.getLogger(__name__)


def _cache_key(currency: str, language: str) -> str:
    return f"billing:plans:{currency}:{language}"


def plans_forget(**_kwargs) -> None:
    """Forget the cached catalog in every currency and language (a product, price or program changed).

    Never in the way of the save that caused it: a cache that cannot be reached (the database cache's table not
    created yet, Redis down) is logged, and the page shows the change within PLANS_CACHE_SECONDS. The savepoint
    keeps a failed cache statement from aborting the caller's transaction (the database cache)."""
    keys = [_cache_key(currency, code) for currency in Currency.values for code, _ in settings.LANGUAGES]
    try:
        with transaction.atomic():
            cache.delete_many(keys)
    except Exception:
        logger.warning("could not forget the cached plans catalog", exc_info=True)


def _build(currency: str) -> dict:
    program = Program.objects.filter(slug=DEMO_SLUG).first()
    eligible = set(program.eligible_products or []) if program else set()
    percent = program.discount_percent if program else None
    prices = {
        (p.product_id, p.billing_cycle): p.unit_amount_minor
        for p in Price.objects.filter(currency=currency, product__is_active=True)
    }
    products = Product.objects.filter(is_active=True).order_by("name")
    groups = []
    for kind, label in ProductKind.choices:
        rows = []
        for product in (p for p in products if p.kind == kind):
            monthly = prices.get((product.pk, BillingCycle.MONTHLY))
            annual = prices.get((product.pk, BillingCycle.ANNUAL))
            covered = product.code in eligible
            rows.append(
                {
                    "name": product.name,
                    "covered": covered,
                    "monthly": format_minor_localized(monthly, currency) if monthly is not None else None,
                    "annual": format_minor_localized(annual, currency) if annual is not None else None,
                    "annual_discounted": (
                        format_minor_localized(annual - discount_amount(annual, percent), currency)
                        if covered and annual is not None
                        else None
                    ),
                }
            )
        if rows:
            groups.append({"kind": kind, "label": str(label), "rows": rows})
    return {"groups": groups, "program_slug": program.slug if program else None, "percent": percent}


def plans_catalog(*, currency: str) -> dict:
    """{"groups": [{"kind", "label", "rows": [{"name", "covered", "monthly", "annual", "annual_discounted"}]}],
    "program_slug", "percent"} in the active language (prices formatted for it)."""
    key = _cache_key(currency, get_language() or settings.LANGUAGE_CODE)
    catalog = cache.get(key)
    if catalog is None:
        catalog = _build(currency)
        cache.set(key, catalog, PLANS_CACHE_SECONDS)
    return catalog
