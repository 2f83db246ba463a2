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


def format_minor_localized(amount_minor: int, currency: str) -> str:
    """For pages: digits grouped as the active language writes them (25,000.00 USD; 25 000,00 USD in French)."""
    from django.utils import formats

    exponent = minor_exponent(currency)
    major = Decimal(amount_minor).scaleb(-exponent)
    digits = formats.number_format(major, decimal_pos=exponent, use_l10n=True, force_grouping=True)
    return f"{digits} {currency.upper()}"
