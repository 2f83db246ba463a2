"""IRS Exempt Organizations Business Master File extract (eo1-4.csv, eo_xx.csv): the US register."""

import calendar
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from registry.importers.base import Importer, OrgRecord, RawRow, RowRejected, parse_amount, required
from registry.importers.prepare import column_limits
from registry.importers.us_irs import bmf_categories, category_codes, ein, org_id
from registry.importers.writer import categories_json, dumps
from registry.search.normalise import normalise_name

_STATUS = {
    "01": "unconditional exemption",
    "02": "conditional exemption",
    "12": "4947(a)(2) trust",
    "25": "terminating private foundation status",
}
_CODES = (
    "SUBSECTION",
    "AFFILIATION",
    "CLASSIFICATION",
    "RULING",
    "DEDUCTIBILITY",
    "FOUNDATION",
    "ACTIVITY",
    "ORGANIZATION",
    "STATUS",
    "TAX_PERIOD",
    "ASSET_CD",
    "INCOME_CD",
    "FILING_REQ_CD",
    "PF_FILING_REQ_CD",
    "ACCT_PD",
    "NTEE_CD",
    "GROUP",
)


def tax_period_end(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    if len(text) != 6 or not text.isdigit() or not 1 <= int(text[4:]) <= 12:
        raise RowRejected(f"TAX_PERIOD {text!r} is not YYYYMM")
    year, month = int(text[:4]), int(text[4:])
    return date(year, month, calendar.monthrange(year, month)[1])


class BmfImporter(Importer):
    slug = "us-irs-bmf"
    name = "IRS Exempt Organizations Business Master File"
    country = "US"
    licence = "US public domain"
    download_url = "https://www.irs.gov/charities-non-profits/exempt-organizations-business-master-file-extract-eo-bmf"

    def accept_file(self, name: str) -> bool:
        return name.lower().endswith(".csv")

    def org_id(self, row: RawRow) -> str:
        return org_id(ein(row.get("EIN", "")))

    def parse(self, row: RawRow) -> OrgRecord:
        v = row.values
        number = ein(v["EIN"])
        # Revenue (990 Part I line 12) is the operating-budget proxy; income when revenue is blank.
        revenue = parse_amount(v.get("REVENUE_AMT", ""), "USD")
        income = parse_amount(v.get("INCOME_AMT", ""), "USD")
        amount = revenue if revenue is not None else income
        period_end = tax_period_end(v.get("TAX_PERIOD", ""))
        sort_name = (v.get("SORT_NAME") or "").strip()
        status = v.get("STATUS", "")
        return OrgRecord(
            org_id=org_id(number),
            registry_number=number,
            country="US",
            name=required(v, "NAME"),
            other_names=[{"kind": "sort", "name": sort_name}] if sort_name else [],
            status="active",
            status_detail=_STATUS.get(status, status),
            registered_on=_ruling_date(v.get("RULING", "")),
            categories=bmf_categories(v),
            raw_codes={self.slug: {code: v.get(code, "") for code in _CODES}},
            income_minor=amount,
            income_currency="USD" if amount is not None else "",
            income_period_end=period_end if amount is not None else None,
            street=v.get("STREET", "").strip(),
            city=v.get("CITY", "").strip(),
            region=v.get("STATE", "").strip(),
            postcode=v.get("ZIP", "").strip(),
        )

    def prepared_values(self, row: RawRow, fingerprint: str, context: dict[str, Any]) -> list[Any] | None:
        """parse() of a plain row, straight to its values for the INSERT (writer.row_values order), or None when
        the row is anything but plain (then parse() decides, and rejects with its reason). The same values as
        row_values(record_fields(fit(parse(row)))), a third of the cost: tests/registry/test_import_bmf_fast.py
        holds the two to each other on every committed BMF row."""
        at = _positions(row.header)
        f = row.fields
        if at is None or f is None:
            return None
        number = f[at.ein]
        name = f[at.name].strip()
        if not (len(number) == 9 and number.isdigit() and number.isascii() and name) or len(name) > at.name_limit:
            return None
        revenue, income = _amount(f[at.revenue]), _amount(f[at.income])
        if revenue is False or income is False:
            return None
        amount = revenue if revenue is not None else income
        period = _period(f[at.tax_period])
        if period is False:
            return None
        status = f[at.status]
        status_detail = _STATUS.get(status, status)
        street, city = f[at.street].strip(), f[at.city].strip()
        region, postcode = f[at.state].strip(), f[at.zip].strip()
        if (
            len(street) > at.street_limit
            or len(city) > at.city_limit
            or len(region) > at.region_limit
            or len(postcode) > at.postcode_limit
            or len(status_detail) > at.status_limit
        ):
            return None
        sort_name = f[at.sort_name].strip()
        if sort_name:
            other_names = dumps([{"kind": "sort", "name": sort_name}])
            search_alt = normalise_name(sort_name)
        else:
            other_names, search_alt = "[]", ""
        sqlite = context["vendor"] == "sqlite"
        ruling = _ruling_date(f[at.ruling])
        period_end = period if amount is not None else None
        categories = category_codes(
            f[at.subsection],
            f[at.foundation],
            f[at.classification][:1],
            f[at.ntee].upper()[:3],
            f[at.filing],
            f[at.pf_filing],
        )
        return [
            f"US-EIN-{number}",
            number,
            "US",
            context["source_id"],
            name,
            other_names,
            normalise_name(name),
            search_alt,
            "active",
            status_detail,
            ruling.isoformat() if sqlite and ruling is not None else ruling,
            None,
            "",
            categories_json(categories),
            dumps({self.slug: {code: f[position] for code, position in at.codes}}),
            amount,
            "USD" if amount is not None else "",
            None,
            period_end.isoformat() if sqlite and period_end is not None else period_end,
            "",
            "",
            street,
            city,
            region,
            postcode,
            fingerprint,
            context["now"],
        ]

    def reconcile(self, fields: dict) -> dict:
        # Listed in the BMF yet on the revocation list without reinstatement: the revocation stands.
        revocation = fields["raw_codes"].get("us-irs-revocations")
        if revocation and not revocation.get("reinstated_on"):
            revoked_on = revocation.get("revoked_on")
            fields.update(
                status="removed",
                removed_on=date.fromisoformat(revoked_on) if revoked_on else None,
                removal_reason=revocation.get("reason", "exemption revoked"),
            )
        return fields


@lru_cache(maxsize=4096)
def _ruling_date(text: str) -> date | None:
    """RULING is YYYYMM, the month the exemption was granted; 000000 when unknown."""
    text = (text or "").strip()
    if len(text) == 6 and text.isdigit() and text != "000000" and 1 <= int(text[4:]) <= 12:
        return date(int(text[:4]), int(text[4:]), 1)
    return None


# The fast path (BmfImporter.prepared_values): anything it is not sure of goes to parse(), the reference.


class _Positions:
    """Where each column the fast path reads is in one file's rows, and the column lengths it must not pass."""

    def __init__(self, index: dict[str, int]):
        self.ein, self.name, self.sort_name = index["EIN"], index["NAME"], index["SORT_NAME"]
        self.street, self.city, self.state, self.zip = index["STREET"], index["CITY"], index["STATE"], index["ZIP"]
        self.subsection, self.foundation = index["SUBSECTION"], index["FOUNDATION"]
        self.classification, self.ntee = index["CLASSIFICATION"], index["NTEE_CD"]
        self.filing, self.pf_filing = index["FILING_REQ_CD"], index["PF_FILING_REQ_CD"]
        self.ruling, self.status, self.tax_period = index["RULING"], index["STATUS"], index["TAX_PERIOD"]
        self.income, self.revenue = index["INCOME_AMT"], index["REVENUE_AMT"]
        self.codes = tuple((code, index[code]) for code in _CODES)
        limits = column_limits()
        self.name_limit, self.street_limit = limits["name"], limits["street"]
        self.city_limit, self.region_limit = limits["city"], limits["region"]
        self.postcode_limit, self.status_limit = limits["postcode"], limits["status_detail"]


_COLUMNS = frozenset(
    {"EIN", "NAME", "SORT_NAME", "STREET", "CITY", "STATE", "ZIP", "INCOME_AMT", "REVENUE_AMT", *_CODES}
)
_POSITIONS: dict[Any, _Positions | None] = {}


def _positions(header) -> _Positions | None:
    """None when the file lacks a column parse() reads (its v.get() defaults): parse() handles such files."""
    if header is None:
        return None
    if header not in _POSITIONS:
        _POSITIONS[header] = _Positions(header.index) if header.index.keys() >= _COLUMNS else None
    return _POSITIONS[header]


def _amount(text: str) -> int | Literal[False] | None:
    """parse_amount(text, "USD") of whole dollars as the IRS writes them; False for anything else."""
    if not text:
        return None
    if len(text) < 16 and text.isascii() and (text.isdigit() or (text[0] == "-" and text[1:].isdigit())):
        return int(text) * 100
    return False


@lru_cache(maxsize=4096)
def _period(text: str) -> date | Literal[False] | None:
    """tax_period_end(text); False where it would reject the row."""
    try:
        return tax_period_end(text)
    except RowRejected:
        return False
