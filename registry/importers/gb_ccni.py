"""Charity Commission for Northern Ireland register export, charitydetails.csv (FORMATS.md section 2c).

Two layouts exist: 2020 (21 columns, with `Sub charity number`) and 2024 (38 columns, with `Financial period
start/end`, `Other name`, the income breakdown). Both are cp1252 with a trailing comma on every line. The layout is
told by header names, never by position, and columns are read by name.
"""

import re
from datetime import date

from registry.categories import Category as C
from registry.importers.base import (
    OrgRecord,
    RawRow,
    RowRejected,
    categories,
    email_domain,
    parse_date,
    required,
)
from registry.importers.gb_common import UkRegisterImporter, gbp, site, split_address

_REQUIRED = ("Reg charity number", "Charity name", "Status")
_NUMBER = re.compile(r"^(?:NIC)?(\d{1,7})$", re.IGNORECASE)
# Items of the purpose/beneficiary/activity lists are joined by "," with no space, while commas inside an item
# are followed by a space ("youth, age, ill-health"): splitting on a comma before a non-space keeps items whole.
_ITEM_SEPARATOR = re.compile(r",(?=\S)")
_NO_ADDRESS = "charity no longer operates"
_PLACEHOLDERS = {"", "-", "n/a", "na", "none", "nil"}


class CcniImporter(UkRegisterImporter):
    version = 2  # 2: the published contact email kept in raw_codes (a re-import rewrites every record)
    slug = "gb-ccni"
    name = "Charity Commission for Northern Ireland: register of charities"
    download_url = "https://www.charitycommissionni.org.uk/charity-search/"

    required_columns = _REQUIRED

    def org_id(self, row: RawRow) -> str:
        v = row.values
        sub = (v.get("Sub charity number") or "0").strip()
        # Sub charity number (2020 layout) is 0 on all 6,565 rows of the full 2020 register; a non-zero value
        # would be a subsidiary sharing its parent's number, so it is reported rather than merged or duplicated.
        if sub not in ("0", ""):
            raise RowRejected(f"Sub charity number {sub!r}: a subsidiary, only main charities (0) are imported")
        return f"GB-NIC-{_number(v.get('Reg charity number', ''))}"

    def parse(self, row: RawRow) -> OrgRecord:
        v = row.values
        number = _number(v["Reg charity number"])
        name = " ".join(required(v, "Charity name").split())
        status = " ".join(required(v, "Status").split())
        income = gbp(v.get("Total income", ""))
        purposes = _items(v.get("What the charity does", ""))
        other = " ".join((v.get("Other name") or "").split())
        address = v.get("Public address") or ""
        street, city, region, postcode = split_address("" if _NO_ADDRESS in address.lower() else address)
        return OrgRecord(
            org_id=f"GB-NIC-{number}",
            registry_number=number,
            country="GB",
            name=name,
            other_names=[{"kind": "known_as", "name": other}]
            if other.lower() not in _PLACEHOLDERS and other.casefold() != name.casefold()
            else [],
            # Up-to-date, Recently registered, In default, Received: N days late, Overdue: N days… are all still
            # on the register; only Removed is off it. The wording is kept as the detail.
            status="removed" if status.lower() == "removed" else "active",
            status_detail=status,
            registered_on=parse_date(v.get("Date registered", ""), "%d/%m/%Y"),
            # Education is only a raw signal: most NI charities list it (3,627 of 6,565 in 2020).
            categories=categories(
                (True, C.PUBLIC_CHARITY),
                (any("advancement of religion" in p.lower() for p in purposes), C.RELIGIOUS),
            ),
            raw_codes={
                self.slug: {
                    "layout": "2024" if "Financial period end" in v else "2020",
                    "what": purposes,
                    "who": _items(v.get("Who the charity helps", "")),
                    "how": _items(v.get("How the charity works", "")),
                    "governing_document": (v.get("Type of governing document") or "").strip(),
                    "company_number": _company(v.get("Company number", "")),
                    # The address the register publishes: Vouch may ask it to confirm an applicant
                    # (verification.proofs).
                    "contact_email": (v.get("Email") or "").strip().lower()[:254],
                }
            },
            income_minor=income,
            income_currency="GBP" if income is not None else "",
            income_period_start=_long_day(v.get("Financial period start", "")) if income is not None else None,
            income_period_end=_period_end(v) if income is not None else None,
            website=site(v.get("Website", "")),
            email_domain=email_domain(v.get("Email", "")),
            street=street,
            city=city,
            region=region,
            postcode=postcode,
        )


def _number(text: str) -> str:
    match = _NUMBER.match((text or "").strip())
    if not match:
        raise RowRejected(f"Reg charity number {text!r} is not a number")
    return match.group(1)


def _long_day(text: str) -> date | None:
    """'31 March 2019'. %B/%b match English month names because Python keeps the C locale unless told not to."""
    return parse_date(" ".join((text or "").split()), "%d %B %Y", "%d %b %Y", "%d/%m/%Y")


def _period_end(v: dict[str, str]) -> date | None:
    # 2024 has both (equal on every sample row); 'Financial period end' is the one paired with a period start.
    return _long_day(v.get("Financial period end", "")) or _long_day(v.get("Date for financial year ending", ""))


def _items(text: str) -> list[str]:
    return [item.strip() for item in _ITEM_SEPARATOR.split(text or "") if item.strip()]


def _company(text: str) -> str:
    text = (text or "").strip()
    return "" if text in ("0", "") else text
