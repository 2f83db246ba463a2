"""Countries and regions: every ISO 3166-1 code, named in the active language (django-countries' catalogs), and
which of them have a register Vouch imports.

An applicant may come from any of them. Where a register is imported, the journey searches it; elsewhere the
organisation is described by hand and proven with documents (programs.documents) that a reviewer checks.
"""

import unicodedata

from django_countries import countries

# Countries whose registers Vouch imports (registry.importers: the IRS files, the Charity Commissions of England
# & Wales and Northern Ireland, OSCR, the ACNC and the RNA). tests/registry/test_countries.py keeps it in step.
REGISTER_COUNTRIES = frozenset({"AU", "FR", "GB", "US"})


def country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code (249 countries and regions)."""
    return [code for code, _name in countries]


def country_exists(code: str) -> bool:
    return bool(code) and code.upper() in countries


def country_name(code: str) -> str:
    """The country's name in the active language; the code itself for an unknown one."""
    code = (code or "").upper()
    return str(countries.name(code)) or code


def country_has_register(code: str) -> bool:
    return (code or "").upper() in REGISTER_COUNTRIES


def _sort_key(name: str) -> str:
    """Alphabetical as people expect it in both languages: "Émirats" with the Es, "Åland" with the As."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def country_choices(codes=None) -> list[tuple[str, str]]:
    """(code, name) sorted by the name in the active language; every country when `codes` is None."""
    wanted = country_codes() if codes is None else [code.upper() for code in codes]
    return sorted(((code, country_name(code)) for code in wanted), key=lambda item: _sort_key(item[1]))


def register_country_choices() -> list[tuple[str, str]]:
    """The countries with a register, for the registry search's filter."""
    return country_choices(REGISTER_COUNTRIES)
