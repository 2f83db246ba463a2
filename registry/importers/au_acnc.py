"""ACNC Charity Register (datadotgov_main.csv, FORMATS.md 3a): Australia's register of charities.

Columns are read by header name: older vintages order them differently and add CABN. The file lists only
registered charities (revocations are published elsewhere), so every row is active, and it carries no income
(that is in the separate Annual Information Statement datasets): income stays empty, Charity_Size is kept raw.
"""

import re
from datetime import date
from typing import Any

from stdnum.au import abn
from stdnum.exceptions import ValidationError

from registry.categories import Category as C
from registry.importers.base import Importer, OrgRecord, RawRow, RowRejected, categories, parse_date

_DATES = ("%d/%m/%Y", "%Y-%m-%d")
_YES = {"Y", "YES", "TRUE", "1"}
# The official column names, typos included ("natual", "ther").
PURPOSES = (
    "Preventing_or_relieving_suffering_of_animals",
    "Advancing_Culture",
    "Advancing_Education",
    "Advancing_Health",
    "Promote_or_oppose_a_change_to_law__government_poll_or_prac",
    "Advancing_natual_environment",
    "Promoting_or_protecting_human_rights",
    "Purposes_beneficial_to_ther_general_public_and_other_analogous",
    "Promoting_reconciliation__mutual_respect_and_tolerance",
    "Advancing_Religion",
    "Advancing_social_or_public_welfare",
    "Advancing_security_or_safety_of_Australia_or_Australian_public",
)
# Columns that are not flags; every other column holding "Y" is a beneficiary flag, whatever the vintage calls it.
_NOT_BENEFICIARIES = {
    "ABN",
    "CABN",
    "Charity_Legal_Name",
    "Other_Organisation_Names",
    "Address_Type",
    "Address_Line_1",
    "Address_Line_2",
    "Address_Line_3",
    "Town_City",
    "State",
    "Postcode",
    "Country",
    "Charity_Website",
    "Registration_Date",
    "Date_Organisation_Established",
    "Charity_Size",
    "Number_of_Responsible_Persons",
    "Financial_Year_End",
    "Operating_Countries",
    "PBI",
    "HPC",
    *PURPOSES,
}

# Name tests, applied only to charities that declare the education (or health) purpose. The purpose alone says
# too little: parents' associations, school foundations, historical societies and U3As declare it too.
_UNIVERSITY = re.compile(r"\buniversity\b", re.I)
_SCHOOL = re.compile(r"\b(school|college|grammar|kindergarten|preschool)\b", re.I)
# Bodies around a school or university rather than the institution itself.
_AROUND_SCHOOL = re.compile(
    r"\b(p\s*&\s*[cf]|p and [cf]|parents?|citizens|friends|foundation|fund|trust|auxiliary|old (?:scholars|boys|"
    r"girls|collegians)|alumni|third age|u3a|students?|union|club|society)\b",
    re.I,
)
_HOSPITAL = re.compile(r"\bhospitals?\b", re.I)
_AROUND_HOSPITAL = re.compile(r"\b(auxiliary|foundation|friends|fund|trust|volunteers?)\b", re.I)
# Other_Organisation_Names holds a ", "-separated list; some items say the name is a former one.
_PREVIOUS = re.compile(r"^previously known as\s+", re.I)
_ABN_NOTE = re.compile(r"\bABN\s*\d", re.I)


def _flag(values: dict[str, str], column: str) -> bool:
    return (values.get(column) or "").strip().upper() in _YES


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def other_names(text: str, legal_name: str) -> list[dict[str, str]]:
    names: list[dict[str, str]] = []
    seen = {_compact(legal_name)}
    for item in (text or "").split(", "):
        item = item.strip().strip('"').strip()
        kind = "known_as"
        if _PREVIOUS.match(item):
            item, kind = _PREVIOUS.sub("", item).strip().strip('"').strip(), "previous"
        # "Previously known as ABN 4860…" names a number, not a name.
        if not item or _ABN_NOTE.search(item) or _compact(item) in seen:
            continue
        seen.add(_compact(item))
        names.append({"kind": kind, "name": item})
    return names


def education_categories(name: str) -> list[str]:
    if _AROUND_SCHOOL.search(name):
        return []
    if _UNIVERSITY.search(name):
        return [C.HIGHER_EDUCATION]
    return [C.SCHOOL] if _SCHOOL.search(name) else []


class AcncImporter(Importer):
    slug = "au-acnc"
    name = "ACNC Charity Register"
    country = "AU"
    licence = "CC BY 3.0 AU"
    licence_url = "https://creativecommons.org/licenses/by/3.0/au/"
    download_url = "https://data.gov.au/dataset/ds-dga-b050b242-4487-4306-abf5-07ca073e5594"

    def accept_file(self, name: str) -> bool:
        return name.lower().endswith(".csv")

    def org_id(self, row: RawRow) -> str:
        return f"AU-ABN-{self._abn(row.values)}"

    def _abn(self, v: dict[str, str]) -> str:
        text = (v.get("ABN") or "").strip()
        if not text:
            if "ABN" not in v:
                raise RowRejected("no ABN column: not an ACNC register file")
            # The top of the 2025 file holds such rows, with a PAF number or nothing as their name.
            shown = (v.get("Charity_Legal_Name") or "").strip()
            raise RowRejected("ABN is empty (withheld record" + (f", named {shown!r})" if shown else ")"))
        try:
            return abn.validate(text)
        except ValidationError as exc:
            raise RowRejected(f"ABN {text!r} is not a valid ABN ({exc})") from None

    def parse(self, row: RawRow) -> OrgRecord:
        v = {key: (value or "").strip() for key, value in row.values.items()}
        number = self._abn(v)
        name = v.get("Charity_Legal_Name", "")
        if not name:
            raise RowRejected("Charity_Legal_Name is empty (withheld record)")
        purposes = [p for p in PURPOSES if _flag(v, p)]
        education = education_categories(name) if "Advancing_Education" in purposes else []
        found = categories(
            # Every listed organisation is a registered charity; the file cannot tell private ancillary funds apart
            # (their rows are the withheld ones).
            (True, C.PUBLIC_CHARITY),
            ("Advancing_Religion" in purposes, C.RELIGIOUS),
            (
                "Advancing_Health" in purposes and bool(_HOSPITAL.search(name)) and not _AROUND_HOSPITAL.search(name),
                C.HEALTH,
            ),
            *((True, category) for category in education),
            # Promote_or_oppose_a_change_to_law… is deliberately not political: advocacy in furtherance of another
            # charitable purpose is itself charitable in Australia (Charities Act 2013 s 12(1)(l)), while promoting
            # a party or candidate bars registration altogether. It stays a raw purpose.
        )
        facts: dict[str, Any] = {
            "charity_size": v.get("Charity_Size", ""),
            "pbi": _flag(v, "PBI"),
            "hpc": _flag(v, "HPC"),
            "purposes": purposes,
            "beneficiaries": [
                c for c in v if c not in _NOT_BENEFICIARIES and not c.startswith("Operates_in_") and _flag(v, c)
            ],
            "operates_in": [c.removeprefix("Operates_in_") for c in v if c.startswith("Operates_in_") and _flag(v, c)],
            "operating_countries": v.get("Operating_Countries", ""),
            "established": _iso(parse_date(v.get("Date_Organisation_Established", ""), *_DATES)),
            "financial_year_end": v.get("Financial_Year_End", ""),
        }
        # The charity is registered in Australia wherever its address is; a foreign address country is a fact.
        if v.get("Country") and v["Country"].upper() != "AUSTRALIA":
            facts["address_country"] = v["Country"]
        return OrgRecord(
            org_id=f"AU-ABN-{number}",
            registry_number=number,
            country="AU",
            name=name,
            other_names=other_names(v.get("Other_Organisation_Names", ""), name),
            status="active",
            status_detail="registered charity" + (" (public benevolent institution)" if facts["pbi"] else ""),
            registered_on=parse_date(v.get("Registration_Date", ""), *_DATES),
            categories=found,
            raw_codes={self.slug: facts},
            website=v.get("Charity_Website", ""),
            street=", ".join(filter(None, (v.get(f"Address_Line_{i}", "") for i in (1, 2, 3)))),
            city=v.get("Town_City", ""),
            region=v.get("State", ""),
            postcode=v.get("Postcode", ""),
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
