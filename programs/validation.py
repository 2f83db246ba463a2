"""What a program's typed fields may hold, checked the same way by the admin (the model's field validators) and
by `manage.py check` (programs.checks): ISO 3166 countries, ISO 4217 currencies with positive numeric rates, known
exclusion categories, catalog products, document kinds per country. Every message names the bad value."""

from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from programs.catalog import product_catalog
from programs.documents import DocumentKind
from registry.categories import Category

HELP = {
    "currency": gettext_lazy("ISO 4217 code, e.g. USD."),
    "rates": gettext_lazy(
        'Units of the budget currency per unit of another currency, by ISO 4217 code: {"GBP": "1.27", "EUR": "1.08"}.'
    ),
    "products": gettext_lazy('Product codes from the store catalog: ["workplace-pro", "webinars"].'),
    "countries": gettext_lazy('ISO 3166 country codes: ["US", "GB", "FR"]; empty: every country with a register.'),
    "sanctioned": gettext_lazy('ISO 3166 country codes: ["CU", "IR"].'),
    "exclusions": gettext_lazy('Category codes: ["school", "higher_education", "government", "political"].'),
    "documents": gettext_lazy(
        'By ISO 3166 country code, or "*" for every other country: {"FR": ["statutes", "prefecture_receipt"]}.'
    ),
}


@cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def codes_upper(values: Any) -> Any:
    """A list of codes with each string stripped and upper-cased; anything else unchanged (the validator says why)."""
    if not isinstance(values, list):
        return values
    return [value.strip().upper() if isinstance(value, str) else value for value in values]


def _require_list(value: Any) -> list:
    if not isinstance(value, list):
        raise ValidationError(_('Enter a list, e.g. ["a", "b"].'), code="not_a_list")
    return value


def _refuse(bad: list[str], message: str, code: str, **params: str) -> None:
    if bad:
        raise ValidationError(message % {"values": ", ".join(bad), **params}, code=code)


def validate_countries(value: Any) -> None:
    values = _require_list(value)
    bad = [repr(item) for item in values if not isinstance(item, str) or item.strip().upper() not in country_codes()]
    _refuse(bad, _("Not ISO 3166 country codes: %(values)s (use two-letter codes such as GB, FR)."), "country_unknown")


def validate_exclusions(value: Any) -> None:
    values = _require_list(value)
    known = set(Category.values)
    bad = [repr(item) for item in values if item not in known]
    _refuse(
        bad,
        _("Unknown exclusion categories: %(values)s (known: %(known)s)."),
        "exclusion_unknown",
        known=", ".join(sorted(known)),
    )


def validate_currency(value: Any) -> None:
    if not isinstance(value, str) or value.strip().upper() not in currency_codes():
        raise ValidationError(
            _("Not an ISO 4217 currency code: %(value)r (use codes such as USD, EUR).") % {"value": value},
            code="currency_unknown",
        )


def rate_value(value: Any) -> Decimal | None:
    """The rate as a positive finite Decimal, or None. Numbers may be written as JSON numbers or strings."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return rate if rate.is_finite() and rate > 0 else None


def validate_exchange_rates(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_('Enter an object, e.g. {"EUR": "1.08"}.'), code="not_an_object")
    bad_codes = [repr(key) for key in value if str(key).strip().upper() not in currency_codes()]
    _refuse(bad_codes, _("Not ISO 4217 currency codes: %(values)s."), "currency_unknown")
    bad_rates = [f"{key}: {rate!r}" for key, rate in value.items() if rate_value(rate) is None]
    _refuse(bad_rates, _("Exchange rates must be positive numbers: %(values)s."), "rate_invalid")


def validate_products(value: Any) -> None:
    values = _require_list(value)
    catalog = product_catalog()
    bad = [repr(item) for item in values if not isinstance(item, str) or (catalog is not None and item not in catalog)]
    _refuse(bad, _("Not products of the store catalog: %(values)s."), "product_unknown")


def validate_country_documents(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_('Enter an object, e.g. {"FR": ["statutes"]}.'), code="not_an_object")
    bad_keys = [repr(key) for key in value if key != "*" and str(key).strip().upper() not in country_codes()]
    _refuse(bad_keys, _('Not ISO 3166 country codes nor "*": %(values)s.'), "country_unknown")
    kinds = set(DocumentKind.values)
    bad_kinds = [
        f"{key}: {kind!r}"
        for key, listed in value.items()
        for kind in (listed if isinstance(listed, list) else [listed])
        if kind not in kinds
    ]
    _refuse(
        bad_kinds,
        _("Unknown document kinds: %(values)s (known: %(known)s)."),
        "document_unknown",
        known=", ".join(sorted(kinds)),
    )


def text_version_missing(program, kind: str, version: str) -> str:
    """Why `version` of the program's `kind` text cannot be in force (no English text for it), or ""."""
    if not version:
        return ""
    if program.texts.filter(kind=kind, version=version, language="en").exists():
        return ""
    return _("No %(kind)s text of version %(version)s in English yet: add it first (Program texts).") % {
        "kind": kind,
        "version": version,
    }


# (field, validator) for every typed field: the system check runs them over every program in the database.
FIELD_VALIDATORS = (
    ("budget_currency", validate_currency),
    ("exchange_rates", validate_exchange_rates),
    ("eligible_products", validate_products),
    ("supported_countries", validate_countries),
    ("exclusions", validate_exclusions),
    ("sanctioned_countries", validate_countries),
    ("country_documents", validate_country_documents),
)


def program_problems(program) -> list[tuple[str, str]]:
    """(field, message) of every value the program's typed fields should not hold."""
    problems: list[tuple[str, str]] = []
    for field, validator in FIELD_VALIDATORS:
        try:
            validator(getattr(program, field))
        except ValidationError as error:
            problems.extend((field, message) for message in error.messages)
    for field, kind in (("terms_version", "terms"), ("privacy_version", "privacy")):
        if message := text_version_missing(program, kind, getattr(program, field)):
            problems.append((field, message))
    return problems
