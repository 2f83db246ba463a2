"""OSCR Scottish Charity Register exports (FORMATS.md section 2b): the current register and the removed file.

Both are CSV with one header row; the removed file adds `Ceased Date` and `Reason For Removal`. Columns are read
by header name, so either file (or both in one run) reads the same.
"""

import csv
import re
from datetime import date

from registry.categories import Category as C
from registry.importers.base import OrgRecord, RawRow, RowRejected, categories, parse_date, required
from registry.importers.gb_common import UkRegisterImporter, gbp, site, split_address

_REQUIRED = ("Charity Number", "Charity Name", "Charity Status")
_NUMBER = re.compile(r"^SC\d{6}$")
_INSOLVENCY = re.compile(r"\s*\(?subject to insolvency proceedings\)?", re.IGNORECASE)
# Placeholders OSCR puts where it has no value (seen by other importers of this file [S]).
_NO_POSTCODE = "XX0 0XX"
_NO_DATE = "01/01/1970"
_PLACEHOLDERS = {"", "-", "-, -", "n/a", "none"}


class OscrImporter(UkRegisterImporter):
    slug = "gb-oscr"
    name = "Scottish Charity Regulator (OSCR): Scottish Charity Register"
    download_url = "https://www.oscr.org.uk/about-charities/search-the-register/charity-register-download/"

    required_columns = _REQUIRED

    def org_id(self, row: RawRow) -> str:
        return f"GB-SC-{_number(row.values.get('Charity Number', ''))}"

    def parse(self, row: RawRow) -> OrgRecord:
        v = row.values
        number = _number(v["Charity Number"])
        name = required(v, "Charity Name")
        insolvent = bool(_INSOLVENCY.search(name))
        if insolvent:
            # A note in the name, not part of it: kept out so that name matching still finds the charity.
            name = _INSOLVENCY.sub("", name).strip(" -,") or name
        status = " ".join((v.get("Charity Status") or "").split())
        ceased = _day(v.get("Ceased Date", ""))
        removed = status.lower() == "removed" or ceased is not None
        purposes = _quoted_list(v.get("Purposes", ""))
        religious_body = (v.get("Designated religious body") or "").strip().lower() == "yes"
        income = gbp(v.get("Most recent year income", ""))
        known_as = " ".join((v.get("Known As") or "").split())
        street, city, region, postcode = split_address(_value(v.get("Principal Office/Trustees Address", "")))
        listed_postcode = (v.get("Postcode") or "").strip().upper()
        return OrgRecord(
            org_id=f"GB-SC-{number}",
            registry_number=number,
            country="GB",
            name=name,
            other_names=[{"kind": "known_as", "name": known_as}]
            if _value(known_as) and known_as.casefold() != name.casefold()
            else [],
            status="removed" if removed else "active",
            status_detail="; ".join(filter(None, [status, "subject to insolvency proceedings" if insolvent else ""])),
            registered_on=_day(v.get("Registered Date", "")),
            removed_on=ceased if removed else None,
            removal_reason=" ".join((v.get("Reason For Removal") or "").split()) if removed else "",
            # 'Educational endowment' is a constitutional form for prize, bursary and scholarship funds, not a
            # school: it stays a raw code, as does the education purpose.
            categories=categories(
                (True, C.PUBLIC_CHARITY),
                (religious_body or any("advancement of religion" in p.lower() for p in purposes), C.RELIGIOUS),
            ),
            raw_codes={
                self.slug: {
                    "constitutional_form": (v.get("Constitutional Form") or "").strip(),
                    "previous_constitutional_form": (v.get("Previous Constitutional Form 1") or "").strip(),
                    "regulatory_type": (v.get("Regulatory Type") or "").strip(),
                    "designated_religious_body": religious_body,
                    "purposes": purposes,
                    "beneficiaries": _quoted_list(v.get("Beneficiaries", "")),
                    "activities": _quoted_list(v.get("Activities", "")),
                    "main_operating_location": (v.get("Main Operating Location") or "").strip(),
                    "parent_charity_number": (v.get("Parent charity number") or "").strip(),
                }
            },
            income_minor=income,
            income_currency="GBP" if income is not None else "",
            income_period_end=_day(v.get("Year End", "")) if income is not None else None,
            website=site(v.get("Website", "")),
            street=street,
            city=city,
            region=region,
            postcode=listed_postcode if listed_postcode and listed_postcode != _NO_POSTCODE else postcode,
        )


def _number(text: str) -> str:
    # Kept as the full 'SC' + six digits string: the prefix is part of the number and the zeros are significant.
    number = re.sub(r"\s+", "", text or "").upper()
    if not _NUMBER.match(number):
        raise RowRejected(f"Charity Number {text!r} is not SC and six digits")
    return number


def _day(text: str) -> date | None:
    text = (text or "").strip()
    if text.startswith(_NO_DATE):
        return None
    return parse_date(text, "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d/%m/%Y %H:%M:%S")


def _value(text: str) -> str:
    text = (text or "").strip()
    return "" if text.lower() in _PLACEHOLDERS else text


def _quoted_list(text: str) -> list[str]:
    """ "'The advancement of education','The advancement of religion'" -> the two purposes."""
    text = " ".join((text or "").split())
    if not _value(text):
        return []
    try:
        items = next(csv.reader([text], quotechar="'", skipinitialspace=True))
    except csv.Error:
        items = text.split("','")
    return [item.strip(" '") for item in items if item.strip(" '")]
