"""A program's published rules: the language-neutral snapshot a rules version keeps, and the rulebook the rules
page and `GET /api/v1/programs/{slug}/rules` publish (labels in the active language).

The rule engine (verification.rules) is above programs: it registers its version at start-up
(`rules_engine_register`), and each rules version records the engine version that applied it.
"""

import json
from decimal import Decimal
from functools import cache
from importlib import import_module
from typing import Any

from django_countries import countries

from programs.catalog import product_catalog
from programs.documents import accepted_documents, document_label
from registry.categories import Category
from registry.importers import IMPORTERS

# The fields that decide eligibility and the discount: a change to any of them publishes a new rules version.
RULE_FIELDS = (
    "budget_cap_minor",
    "budget_currency",
    "exchange_rates",
    "supported_countries",
    "exclusions",
    "sanctioned_countries",
    "country_documents",
    "discount_percent",
    "eligible_products",
    "coupon_redeem_days",
    "review_sla_business_days",
    "application_expiry_days",
)

_engine = {"version": ""}


def rules_engine_register(version: str) -> None:
    _engine["version"] = version


def rules_engine_version() -> str:
    return _engine["version"]


def _codes(values: Any) -> list[str]:
    return sorted({str(value).strip().upper() for value in values or ()})


def rules_snapshot(program) -> dict[str, Any]:
    """The program's rules as plain JSON, codes only (no labels, no language): what a rules version keeps. Works on
    a historical model in migrations too (attributes only)."""
    snapshot = {
        "budget_cap": {"amount_minor": program.budget_cap_minor, "currency": program.budget_currency},
        "exchange_rates": {str(k).upper(): str(v) for k, v in sorted((program.exchange_rates or {}).items())},
        "countries": _codes(program.supported_countries),
        "sanctioned_countries": _codes(program.sanctioned_countries),
        "exclusions": list(program.exclusions or ()),
        "country_documents": {str(k).upper(): list(v) for k, v in sorted((program.country_documents or {}).items())},
        "discount_percent": f"{Decimal(str(program.discount_percent)).normalize():f}",
        "products": list(program.eligible_products or ()),
        "coupon_redeem_days": program.coupon_redeem_days,
        "decision_promise_business_days": program.review_sla_business_days,
        "application_expiry_days": program.application_expiry_days,
    }
    return json.loads(json.dumps(snapshot))  # as the JSON column gives it back: comparable with a stored one


@cache
def registers_by_country() -> dict[str, tuple[tuple[str, str], ...]]:
    """{ISO code: ((slug, name), …)} of the registers Vouch imports (registry.importers)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for slug, dotted in IMPORTERS.items():
        module, _, name = dotted.rpartition(".")
        importer = getattr(import_module(module), name)
        found.setdefault(importer.country, []).append((slug, str(getattr(importer, "name", slug))))
    return {country: tuple(registers) for country, registers in found.items()}


def country_name(code: str) -> str:
    return str(countries.name(code) or code)


def rulebook(program, *, version, country_codes: list[str]) -> dict[str, Any]:
    """The published rules, labels in the active language. `version`: the ProgramRulesVersion in force (None
    before the first is published); `country_codes`: the countries the program takes (programs.selectors)."""
    registers = registers_by_country()
    catalog = product_catalog() or {}
    categories = dict(Category.choices)
    country_rows = []
    for code in sorted(country_codes, key=country_name):
        settled_by = registers.get(code, ())
        country_rows.append(
            {
                "code": code,
                "name": country_name(code),
                "registers": [{"slug": slug, "name": name} for slug, name in settled_by],
                "documents": []
                if settled_by
                else [
                    {"code": kind, "label": document_label(kind)}
                    for kind in accepted_documents(program.country_documents, code)
                ],
            }
        )
    products = []
    for code in program.eligible_products or ():
        product = catalog.get(code)
        products.append(
            {
                "code": code,
                "name": product.name if product else code,
                "kind": product.kind if product else "other",
                "billing_cycle": "annual",
            }
        )
    return {
        "slug": program.slug,
        "name": program.display_name,
        "vendor": program.vendor_name,
        "version": version.number if version else 0,
        "published_at": version.created_at.isoformat() if version else None,
        "budget_cap": {"amount_minor": program.budget_cap_minor, "currency": program.budget_currency},
        "discount_percent": f"{Decimal(str(program.discount_percent)).normalize():f}",
        "countries": country_rows,
        "sanctioned_countries": [
            {"code": code, "name": country_name(code)} for code in _codes(program.sanctioned_countries)
        ],
        "exclusions": [{"code": code, "label": str(categories.get(code, code))} for code in program.exclusions or ()],
        "products": products,
        "decision_promise_business_days": program.review_sla_business_days,
        "application_expiry_days": program.application_expiry_days,
        "coupon_redeem_days": program.coupon_redeem_days,
        "terms_version": program.terms_version,
        "privacy_version": program.privacy_version,
    }
