"""The demo catalog, shaped like the help-centre page's video-meeting vendor.

`catalog_demo_ensure()` creates it or brings it back to these values (idempotent); other products and rates are
never touched. Annual prices are ten times the monthly ones (two months free). The nonprofit discount's products
are the program's `eligible_products` (verification.models.DEFAULT_PRODUCTS); Room Connector is outside the program
and always bought at full price.
"""

from decimal import Decimal

from billing.catalog import EnsureSummary, ProductSpec, TaxRateSpec, catalog_ensure
from billing.models import ProductKind

ANNUAL_MONTHS = 10

# code, name, kind, monthly price per licence in minor units per currency
_MONTHLY = (
    ("workplace-pro", "Workplace Pro", ProductKind.BASE_PLAN, {"USD": 1499, "EUR": 1399, "GBP": 1199, "AUD": 2299}),
    (
        "workplace-business",
        "Workplace Business",
        ProductKind.BASE_PLAN,
        {"USD": 2199, "EUR": 1999, "GBP": 1799, "AUD": 3299},
    ),
    ("large-meetings", "Large Meetings", ProductKind.ADD_ON, {"USD": 5000, "EUR": 4600, "GBP": 3900, "AUD": 7600}),
    ("webinars", "Webinars", ProductKind.ADD_ON, {"USD": 7900, "EUR": 7300, "GBP": 6200, "AUD": 11900}),
    ("cloud-storage", "Cloud Storage", ProductKind.ADD_ON, {"USD": 1000, "EUR": 900, "GBP": 800, "AUD": 1500}),
    ("room-connector", "Room Connector", ProductKind.OTHER, {"USD": 4900, "EUR": 4500, "GBP": 3800, "AUD": 7400}),
)

DEMO_PRODUCTS = tuple(
    ProductSpec(
        code=code,
        name=name,
        kind=kind.value,
        monthly=dict(monthly),
        annual={currency: amount * ANNUAL_MONTHS for currency, amount in monthly.items()},
    )
    for code, name, kind, monthly in _MONTHLY
)

DEMO_TAX_RATES = (
    TaxRateSpec("US", "NY", Decimal("4.000"), "NY sales tax"),
    TaxRateSpec("US", "CA", Decimal("7.250"), "CA sales tax"),
    TaxRateSpec("US", "TX", Decimal("6.250"), "TX sales tax"),
    TaxRateSpec("GB", "", Decimal("20.000"), "VAT"),
    TaxRateSpec("FR", "", Decimal("20.000"), "TVA"),
)


def catalog_demo_ensure() -> EnsureSummary:
    return catalog_ensure(products=DEMO_PRODUCTS, tax_rates=DEMO_TAX_RATES, actor_label="catalog_demo_ensure")
