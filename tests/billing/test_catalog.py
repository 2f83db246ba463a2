"""The demo catalog on a real database: idempotent, audited, and what the pricing rules read."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.catalog import price_find, tax_rate_find
from billing.demo import DEMO_PRODUCTS, DEMO_TAX_RATES, catalog_demo_ensure
from billing.models import Price, Product, TaxRate
from core.errors import NotFound
from core.models import AuditEntry
from programs.models import DEFAULT_PRODUCTS

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(Product.objects.values_list("code", "name", "kind", "is_active")),
        list(Price.objects.values_list("product__code", "currency", "billing_cycle", "unit_amount_minor")),
        list(TaxRate.objects.values_list("country", "region", "percent", "label")),
    )


def test_demo_catalog_is_created_once():
    first = catalog_demo_ensure()
    products, prices, rates = len(DEMO_PRODUCTS), len(DEMO_PRODUCTS) * 4 * 2, len(DEMO_TAX_RATES)
    assert first.created == products + prices + rates
    assert (Product.objects.count(), Price.objects.count(), TaxRate.objects.count()) == (products, prices, rates)
    snapshot, audited = _snapshot(), AuditEntry.objects.count()

    second = catalog_demo_ensure()
    assert (second.created, second.changed, second.unchanged) == (0, 0, products + prices + rates)
    assert _snapshot() == snapshot
    assert AuditEntry.objects.count() == audited  # nothing changed, nothing audited


def test_demo_catalog_is_brought_back_and_the_change_audited():
    catalog_demo_ensure()
    Price.objects.filter(product__code="workplace-pro", currency="USD", billing_cycle="annual").update(
        unit_amount_minor=1
    )
    Product.objects.filter(code="webinars").update(is_active=False)
    own = Product.objects.create(code="vendor-own", name="Vendor's own", kind="other")

    summary = catalog_demo_ensure()
    assert (summary.created, summary.changed) == (0, 2)
    assert price_find(product_code="workplace-pro", currency="USD", billing_cycle="annual").unit_amount_minor == 14990
    assert Product.objects.get(code="webinars").is_active
    assert Product.objects.filter(pk=own.pk).exists()  # rows outside the demo are not touched
    entry = AuditEntry.objects.filter(action="price.changed").get()
    assert (entry.before, entry.after) == ({"unit_amount_minor": 1}, {"unit_amount_minor": 14990})


def test_demo_catalog_contents():
    catalog_demo_ensure()
    kinds = dict(Product.objects.values_list("code", "kind"))
    assert {code: kinds[code] for code in DEFAULT_PRODUCTS} == {
        "workplace-pro": "base_plan",
        "workplace-business": "base_plan",
        "large-meetings": "add_on",
        "webinars": "add_on",
        "cloud-storage": "add_on",
    }
    assert set(kinds) - set(DEFAULT_PRODUCTS)  # at least one product outside the program
    for price in Price.objects.filter(billing_cycle="annual").select_related("product"):
        monthly = Price.objects.get(product=price.product, currency=price.currency, billing_cycle="monthly")
        assert price.unit_amount_minor == 10 * monthly.unit_amount_minor
    assert set(Price.objects.values_list("currency", flat=True)) == {
        "USD",
        "EUR",
        "GBP",
        "AUD",
    }  # AUD: Australian organisations


def test_tax_rate_lookup():
    catalog_demo_ensure()
    assert tax_rate_find(country="US", region="NY").percent == Decimal("4.000")
    assert tax_rate_find(country="us", region="ca").percent == Decimal("7.250")
    assert tax_rate_find(country="GB", region="SCT").percent == Decimal("20.000")  # the country-wide rate
    assert tax_rate_find(country="GB").label == "VAT"
    assert tax_rate_find(country="US", region="OR") is None  # no sales tax configured
    assert tax_rate_find(country="DE") is None


def test_price_find_refuses_missing_and_retired_products():
    catalog_demo_ensure()
    with pytest.raises(NotFound) as missing:
        price_find(product_code="workplace-pro", currency="JPY", billing_cycle="annual")
    assert missing.value.code == "price_not_found"
    Product.objects.filter(code="webinars").update(is_active=False)
    with pytest.raises(NotFound):
        price_find(product_code="webinars", currency="USD", billing_cycle="annual")


def test_constraints():
    catalog_demo_ensure()
    pro = Product.objects.get(code="workplace-pro")
    with pytest.raises(IntegrityError), transaction.atomic():
        Price.objects.create(product=pro, currency="USD", billing_cycle="annual", unit_amount_minor=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRate.objects.create(country="US", region="NY", percent=Decimal(5), label="dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxRate.objects.create(country="DE", region="", percent=Decimal(101), label="too much")
    with pytest.raises(IntegrityError), transaction.atomic():
        Price.objects.create(product=pro, currency="EUR", billing_cycle="weekly", unit_amount_minor=-1)
