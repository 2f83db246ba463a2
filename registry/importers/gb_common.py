"""What the three UK registers share: pounds, website placeholders, addresses written as one line."""

import re

from registry.importers.base import Importer, parse_amount, website_domain

_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)
_COUNTY = re.compile(r"^(?:co\.?|county)\s", re.IGNORECASE)


class UkRegisterImporter(Importer):
    """The CSV exports of the Scottish and Northern Irish regulators."""

    country = "GB"
    licence = "Open Government Licence v3.0"
    licence_url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

    def accept_file(self, name: str) -> bool:
        return name.lower().endswith(".csv")


def gbp(text: str) -> int | None:
    return parse_amount(text, "GBP")


def site(url: str) -> str:
    """The website's domain, or '' for placeholders ('N/A', 'none') that are not domains."""
    domain = website_domain(url)
    return domain if "." in domain and not re.search(r"\s", domain) else ""


def split_address(text: str) -> tuple[str, str, str, str]:
    """'1 Main St, Town, Co Down, BT1 1AA' -> (street, city, region, postcode), each '' when absent."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    postcode = parts.pop().upper() if parts and _POSTCODE.match(parts[-1]) else ""
    region = parts.pop() if len(parts) > 1 and _COUNTY.match(parts[-1]) else ""
    city = parts.pop() if len(parts) > 1 else ""
    return ", ".join(parts), city, region, postcode
