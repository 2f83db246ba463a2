"""IRS Publication 78 data (data-download-pub78.txt): who may receive tax-deductible contributions (FORMATS.md 1b).

Not a register of its own: the BMF owns the organisations it lists, and Pub 78 only adds its deductibility codes
to them. An EIN the BMF does not (yet) hold is created from the Pub 78 row, so that it can be found at all.
"""

import re
from typing import Any

from registry.categories import Category as C
from registry.importers.base import OrgRecord, RawRow, RowRejected, categories, required
from registry.importers.us_irs import IrsListImporter, ein, org_id
from registry.importers.us_irs_revocations import reconcile_revocation

# The file has no header row; these are the documented columns, in order.
COLUMNS = ["EIN", "Legal Name", "City", "State", "Country", "Deductibility Status"]
_HOME = "UNITED STATES"

# Deductibility status codes (the Pub 78 key). Those absent map to no category: EO (cemeteries, veterans
# groups, …: too mixed to say more), GROUP (a group exemption, not a kind), FORGN (an address, not a kind), UNKWN.
_CATEGORY = {
    "PC": C.PUBLIC_CHARITY,
    # Supporting organisations are public charities under 509(a)(3), whatever their type.
    "SO": C.PUBLIC_CHARITY,
    "SONFI": C.PUBLIC_CHARITY,
    "SOUNK": C.PUBLIC_CHARITY,
    "PF": C.PRIVATE_FOUNDATION,
    "POF": C.PRIVATE_FOUNDATION,
    # Domestic fraternal societies: the BMF maps their subsection (10) to mutual too.
    "LODGE": C.MUTUAL,
}
_CODE = re.compile(r"^[A-Z]{2,6}$")


def deductibility_codes(text: str) -> list[str]:
    codes = [code.strip().upper() for code in (text or "").split(",") if code.strip()]
    if not codes:
        raise RowRejected("Deductibility Status is empty")
    # A code the key does not list yet is kept (no category); text that is no code at all means a broken row.
    malformed = [code for code in codes if not _CODE.match(code)]
    if malformed:
        raise RowRejected(f"Deductibility Status {text!r} is not a list of codes")
    return codes


class Pub78Importer(IrsListImporter):
    slug = "us-irs-pub78"
    name = "IRS Publication 78 data (organisations eligible to receive deductible contributions)"
    download_url = "https://apps.irs.gov/pub/epostcard/data-download-pub78.zip"
    header = COLUMNS

    def parse(self, row: RawRow) -> OrgRecord:
        v = {key: (value or "").strip() for key, value in row.values.items()}
        number = ein(v["EIN"])
        codes = deductibility_codes(v["Deductibility Status"])
        facts: dict[str, Any] = {"deductibility": codes}
        # The register is the US one whatever the mailing address; a foreign address country is kept as a fact.
        if v["Country"] and v["Country"].upper() != _HOME:
            facts["country"] = v["Country"]
        return OrgRecord(
            org_id=org_id(number),
            registry_number=number,
            country="US",
            name=required(v, "Legal Name"),
            status="active",
            status_detail="eligible to receive tax-deductible contributions",
            categories=categories(*((code in _CATEGORY, _CATEGORY.get(code, C.OTHER)) for code in codes)),
            raw_codes={self.slug: facts},
            city=v["City"],
            region=v["State"],
        )

    def reconcile(self, fields: dict[str, Any]) -> dict[str, Any]:
        # An organisation only Pub 78 lists can still be on the revocation list: the revocation stands.
        return reconcile_revocation(fields)
