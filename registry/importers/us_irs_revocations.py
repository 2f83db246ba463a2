"""IRS automatic revocation of exemption list (data-download-revocation.txt, FORMATS.md 1c).

Organisations that failed to file a return or e-Postcard for three consecutive years lose their exemption
automatically. The BMF drops them only eventually, so the list is what says "removed" for an organisation the BMF
still holds; a reinstatement date undoes it. Not a register of its own: for an organisation another register owns
it changes only status and its own raw codes; an EIN nobody else lists is created, so that search shows it as
removed instead of not finding it.
"""

from datetime import date
from typing import Any

from registry.importers.base import OrgRecord, RawRow, RowRejected, parse_date, required
from registry.importers.us_irs import IrsListImporter, bmf_categories, ein, org_id

SLUG = "us-irs-revocations"
# The file has no header row; these are the documented columns, in order.
COLUMNS = [
    "EIN",
    "Legal Name",
    "Doing Business As Name",
    "Organization Address",
    "City",
    "State",
    "ZIP Code",
    "Country",
    "Exemption Type",
    "Revocation Date",
    "Revocation Posting Date",
    "Exemption Reinstatement Date",
]
REASON = "IRS automatic revocation of exemption (no return or e-Postcard filed for 3 consecutive years)"
_DATE_FORMATS = ("%d-%b-%Y", "%Y-%m-%d")  # 15-JAN-2020; ISO in case a re-export normalised them
_HOME = {"", "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA"}


def reconcile_revocation(fields: dict[str, Any]) -> dict[str, Any]:
    """For a register rewriting one of its records: a revocation without reinstatement keeps it removed.

    The same rule as BmfImporter.reconcile, for the other IRS sources that can own an organisation (Pub 78).
    """
    facts = (fields.get("raw_codes") or {}).get(SLUG)
    if facts and not facts.get("reinstated_on"):
        revoked_on = facts.get("revoked_on")
        fields.update(
            status="removed",
            removed_on=date.fromisoformat(revoked_on) if revoked_on else None,
            removal_reason=facts.get("reason") or REASON,
        )
    return fields


def _day(value: Any) -> str | None:
    """A date from either database (date object or ISO text) as ISO text, for comparing."""
    if not value:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


class RevocationsImporter(IrsListImporter):
    slug = SLUG
    name = "IRS automatic revocation of exemption list"
    download_url = "https://apps.irs.gov/pub/epostcard/data-download-revocation.zip"
    header = COLUMNS

    def parse(self, row: RawRow) -> OrgRecord:
        v = {key: (value or "").strip() for key, value in row.values.items()}
        number = ein(v["EIN"])
        name = required(v, "Legal Name")
        revoked_on = parse_date(required(v, "Revocation Date"), *_DATE_FORMATS)
        posted_on = parse_date(v["Revocation Posting Date"], *_DATE_FORMATS)
        reinstated_on = parse_date(v["Exemption Reinstatement Date"], *_DATE_FORMATS)
        if revoked_on is None:  # "null" or 0001-01-01: no date is no revocation
            raise RowRejected(f"Revocation Date {v['Revocation Date']!r} is not a date")
        subsection = v["Exemption Type"].zfill(2) if v["Exemption Type"].isdigit() else v["Exemption Type"]
        facts: dict[str, Any] = {
            "revoked_on": revoked_on.isoformat(),
            "posted_on": posted_on.isoformat() if posted_on else None,
            "reinstated_on": reinstated_on.isoformat() if reinstated_on else None,
            "exemption_type": subsection,
            "reason": REASON,
        }
        if v["Country"].upper() not in _HOME:
            facts["country"] = v["Country"]
        dba = v["Doing Business As Name"]
        return OrgRecord(
            org_id=org_id(number),
            registry_number=number,
            country="US",
            name=name,
            other_names=[{"kind": "trading", "name": dba}] if dba and dba.upper() != name.upper() else [],
            status="active" if reinstated_on else "removed",
            status_detail=(
                f"exemption reinstated on {reinstated_on.isoformat()}"
                if reinstated_on
                else f"exemption revoked on {revoked_on.isoformat()}"
            ),
            removed_on=None if reinstated_on else revoked_on,
            removal_reason="" if reinstated_on else REASON,
            # The subsection is all the list says about what kind of organisation it was.
            categories=bmf_categories({"SUBSECTION": subsection}),
            raw_codes={self.slug: facts},
            street=v["Organization Address"],
            city=v["City"],
            region=v["State"],
            postcode=v["ZIP Code"],
        )

    def merge(self, existing: dict[str, Any], record: OrgRecord) -> dict[str, Any]:
        """Only what changed, so that a re-import of the same list counts every organisation unchanged."""
        facts = record.raw_codes[self.slug]
        previous = (existing.get("raw_codes") or {}).get(self.slug)
        changes: dict[str, Any] = {}
        if previous != facts:
            changes["raw_codes"] = {**(existing.get("raw_codes") or {}), self.slug: facts}
        wanted: dict[str, Any] = {}
        if not facts["reinstated_on"]:
            wanted = {
                "status": "removed",
                "removed_on": date.fromisoformat(facts["revoked_on"]),
                "removal_reason": facts["reason"],
            }
        elif (
            existing.get("status") == "removed"
            and previous
            and not previous.get("reinstated_on")
            and existing.get("removal_reason") == previous.get("reason")
        ):
            # This list removed it before; the reinstatement undoes that, and nothing another source decided.
            wanted = {"status": "active", "removed_on": None, "removal_reason": ""}
        for field, value in wanted.items():
            current = existing.get(field)
            same = _day(current) == _day(value) if field == "removed_on" else (current or "") == (value or "")
            if not same:
                changes[field] = value
        return changes
