"""Reading and seeding the catalog: prices and tax rates for the pricing rules, and an idempotent upsert.

`catalog_ensure` brings the named products, prices and tax rates to the given values (creating what is missing) and
audits each creation or change; rows it is not given are never touched. Running it twice changes nothing the
second time.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from billing.models import BillingCycle, Price, Product, TaxRate
from core.audit import audit_record
from core.errors import NotFound
from programs.catalog import CatalogProduct


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    kind: str
    monthly: dict[str, int]  # currency -> price per licence per month, minor units
    annual: dict[str, int]  # currency -> price per licence per year, minor units
    is_active: bool = True


@dataclass(frozen=True)
class TaxRateSpec:
    country: str
    region: str
    percent: Decimal
    label: str


@dataclass(frozen=True)
class EnsureSummary:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def _upsert(model, lookup: dict, values: dict, *, object_type: str, actor_label: str) -> str:
    """Create the row or bring it to `values`; audit the difference. Returns created | changed | unchanged."""
    obj, created = model.objects.select_for_update().get_or_create(**lookup, defaults=values)
    if created:
        audit_record(
            action=f"{object_type}.created",
            object_type=object_type,
            object_id=obj.pk,
            actor_label=actor_label,
            after={**_plain(lookup), **_plain(values)},
        )
        return "created"
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    if not changed:
        return "unchanged"
    before = _plain({name: getattr(obj, name) for name in changed})
    for name, value in changed.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changed))
    audit_record(
        action=f"{object_type}.changed",
        object_type=object_type,
        object_id=obj.pk,
        actor_label=actor_label,
        before=before,
        after=_plain(changed),
    )
    return "changed"


def _plain(values: dict) -> dict:
    return {k: str(v) if isinstance(v, Decimal) else getattr(v, "pk", v) for k, v in values.items()}


def catalog_ensure(
    *, products: Iterable[ProductSpec], tax_rates: Iterable[TaxRateSpec], actor_label: str = "catalog_ensure"
) -> EnsureSummary:
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        for spec in products:
            values = {"name": spec.name, "kind": spec.kind, "is_active": spec.is_active}
            counts[_upsert(Product, {"code": spec.code}, values, object_type="product", actor_label=actor_label)] += 1
            product = Product.objects.get(code=spec.code)
            for cycle, amounts in (("monthly", spec.monthly), ("annual", spec.annual)):
                for currency, amount in amounts.items():
                    lookup = {"product": product, "currency": currency, "billing_cycle": cycle}
                    outcome = _upsert(
                        Price, lookup, {"unit_amount_minor": amount}, object_type="price", actor_label=actor_label
                    )
                    counts[outcome] += 1
        for rate in tax_rates:
            lookup = {"country": rate.country, "region": rate.region}
            values = {"percent": rate.percent, "label": rate.label}
            counts[_upsert(TaxRate, lookup, values, object_type="tax_rate", actor_label=actor_label)] += 1
    return EnsureSummary(**counts)


def price_find(*, product_code: str, currency: str, billing_cycle: str) -> Price:
    """The price of an active product, or NotFound (code `price_not_found`)."""
    price = (
        Price.objects.select_related("product")
        .filter(product__code=product_code, product__is_active=True, currency=currency, billing_cycle=billing_cycle)
        .first()
    )
    if price is None:
        raise NotFound(
            f"No {billing_cycle} {currency} price for {product_code}.",
            code="price_not_found",
            details={"product": product_code, "currency": currency, "billing_cycle": billing_cycle},
        )
    return price


def tax_rate_find(*, country: str, region: str = "") -> TaxRate | None:
    """The region's own rate, else the whole country's, else None (no tax)."""
    rates = {r.region: r for r in TaxRate.objects.filter(country=country.upper(), region__in={region.upper(), ""})}
    return rates.get(region.upper()) or rates.get("")


def catalog_for_programs() -> dict[str, CatalogProduct]:
    """Every product, as programs see it (programs.catalog): code, name, kind and whether it sells annually.
    Registered in billing.apps, so that programs validate and publish their products without importing billing."""
    annual = set(
        Price.objects.filter(billing_cycle=BillingCycle.ANNUAL).values_list("product__code", flat=True).distinct()
    )
    return {
        product.code: CatalogProduct(
            code=product.code, name=product.name, kind=product.kind, annual=product.code in annual
        )
        for product in Product.objects.all()
    }
