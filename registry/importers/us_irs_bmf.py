"""IRS Exempt Organizations Business Master File extract (eo1-4.csv, eo_xx.csv): the US register."""

import calendar
from datetime import date

from registry.importers.base import Importer, OrgRecord, RawRow, RowRejected, parse_amount, required
from registry.importers.us_irs import bmf_categories, ein, org_id

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


def _ruling_date(text: str) -> date | None:
    """RULING is YYYYMM, the month the exemption was granted; 000000 when unknown."""
    text = (text or "").strip()
    if len(text) == 6 and text.isdigit() and text != "000000" and 1 <= int(text[4:]) <= 12:
        return date(int(text[:4]), int(text[4:]), 1)
    return None
