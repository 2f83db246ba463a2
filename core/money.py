"""Money is an integer count of minor units plus an ISO 4217 currency code."""

from decimal import ROUND_HALF_UP, Decimal

# Currencies whose minor unit is not 1/100.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}


def minor_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Whole or decimal major units to minor units, rounded half-up (the one rounding rule)."""
    scaled = Decimal(str(amount)) * (10 ** minor_exponent(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_minor(amount_minor: int, currency: str) -> str:
    exponent = minor_exponent(currency)
    major = Decimal(amount_minor) / (10**exponent)
    return f"{major:,.{exponent}f} {currency.upper()}"


def format_money(amount_minor: int, currency: str, language: str | None = None) -> str:
    """Money as a language writes it (CLDR, through Babel): "€1,234.56" and "$10,000,000.00" in English,
    "1 234,56 €" and "10 000 000,00 $US" in French. `language`: the active one by default (a page's, or an email's
    under translation.override)."""
    from babel.numbers import format_currency
    from django.conf import settings
    from django.utils import translation

    exponent = minor_exponent(currency)
    major = Decimal(amount_minor).scaleb(-exponent)
    locale = translation.to_locale(language or translation.get_language() or settings.LANGUAGE_CODE)
    try:
        return format_currency(major, currency.upper(), locale=locale)
    except (ValueError, LookupError):  # a locale Babel does not know: the project's default language
        return format_currency(major, currency.upper(), locale=translation.to_locale(settings.LANGUAGE_CODE))


def format_minor_localized(amount_minor: int, currency: str) -> str:
    """For pages and emails: money in the active language (format_money)."""
    return format_money(amount_minor, currency)
