"""The store's products, as programs see them: defined low, filled high.

Programs name products by code (`Program.eligible_products`); the catalog lives in billing, a layer above. Billing
registers a provider at start-up (billing.apps), and programs ask it to validate a program's products and to
publish them in the rules. Without a provider (billing not installed) products are not checked against a catalog.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogProduct:
    code: str
    name: str
    kind: str  # "base_plan", "add_on" or "other" (billing.models.ProductKind)
    annual: bool  # sold on an annual subscription (has an annual price)


_providers: list[Callable[[], dict[str, CatalogProduct]]] = []


def product_catalog_register(provider: Callable[[], dict[str, CatalogProduct]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def product_catalog() -> dict[str, CatalogProduct] | None:
    """{code: product} of every product the store sells, or None when no store registered its catalog."""
    if not _providers:
        return None
    catalog: dict[str, CatalogProduct] = {}
    for provider in _providers:
        catalog.update(provider())
    return catalog
