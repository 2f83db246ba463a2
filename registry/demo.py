"""Demo registry data Vouch makes for itself, so a new installation can search at once without real files.

It writes small files in the real registers' formats and imports them through the normal pipeline, so the
demo exercises exactly the code real imports use. Names are assembled from plain word lists; the only real
records are the few examples the README and the pages show (EXAMPLES), so that each of them finds something.
Great Britain and France: registry.demo_europe.
"""

import csv
import random
from pathlib import Path

from registry.demo_europe import write_demo_oscr, write_demo_rna
from registry.demo_words import FIRST, LAST, MIDDLE
from registry.importers.pipeline import registry_import

PLACES = [
    ("ANCHORAGE", "AK", "99501"),
    ("DOVER", "DE", "19901"),
    ("PROVIDENCE", "RI", "02903"),
    ("WASHINGTON", "DC", "20001"),
    ("PORTLAND", "OR", "97201"),
    ("AUSTIN", "TX", "78701"),
    ("BOSTON", "MA", "02108"),
    ("DENVER", "CO", "80202"),
    ("MADISON", "WI", "53703"),
]
SPECIAL = [  # organisations the eligibility rules treat differently: a school, a church, a hospital, a campaign
    ("RIVERSIDE ELEMENTARY SCHOOL PTA", "B94", "03", "16"),
    ("MAPLE ACADEMY", "B24", "03", "11"),
    ("HARBOR STATE UNIVERSITY FOUNDATION", "B43", "03", "13"),
    ("FIRST BAPTIST CHURCH OF CEDAR", "X21", "03", "10"),
    ("LAKEVIEW GENERAL HOSPITAL", "E22", "03", "12"),
    ("CITIZENS FOR A GREENER VALLEY", "W24", "82", "00"),
    ("OAKWOOD COUNTY PARKS DEPARTMENT", "W20", "03", "14"),
    ("SILVER FAMILY FOUNDATION", "T20", "03", "04"),
]
# The README's and the search page's example ("american red cross", 53-0196605): the IRS BMF row of July 2020
# (eo_dc.csv, US public domain), as the register publishes it.
EXAMPLES = [
    {
        "EIN": "530196605",
        "NAME": "AMERICAN NATIONAL RED CROSS",
        "ICO": "% JENNIFER HAWKINS",
        "STREET": "431 18TH ST NW",
        "CITY": "WASHINGTON",
        "STATE": "DC",
        "ZIP": "20006-5310",
        "GROUP": "0000",
        "SUBSECTION": "03",
        "AFFILIATION": "1",
        "CLASSIFICATION": "1000",
        "RULING": "193812",
        "DEDUCTIBILITY": "1",
        "FOUNDATION": "15",
        "ACTIVITY": "902561000",
        "ORGANIZATION": "1",
        "STATUS": "01",
        "TAX_PERIOD": "201906",
        "ASSET_CD": "9",
        "INCOME_CD": "9",
        "FILING_REQ_CD": "01",
        "PF_FILING_REQ_CD": "0",
        "ACCT_PD": "06",
        "ASSET_AMT": "3049904049",
        "INCOME_AMT": "3622168931",
        "REVENUE_AMT": "2813454935",
        "NTEE_CD": "P210",
        "SORT_NAME": "SHARED SERVICES CENTER",
    }
]
BMF_HEADER = (
    "EIN,NAME,ICO,STREET,CITY,STATE,ZIP,GROUP,SUBSECTION,AFFILIATION,CLASSIFICATION,RULING,DEDUCTIBILITY,"
    "FOUNDATION,ACTIVITY,ORGANIZATION,STATUS,TAX_PERIOD,ASSET_CD,INCOME_CD,FILING_REQ_CD,PF_FILING_REQ_CD,"
    "ACCT_PD,ASSET_AMT,INCOME_AMT,REVENUE_AMT,NTEE_CD,SORT_NAME"
).split(",")


def _bmf_row(rng: random.Random, ein: int, name: str, ntee: str, subsection: str, foundation: str) -> dict:
    city, state, zip_code = rng.choice(PLACES)
    revenue = int(rng.lognormvariate(11.5, 2.0))
    return {
        "EIN": f"{ein:09d}",
        "NAME": name,
        "ICO": "",
        "STREET": f"{rng.randint(1, 9999)} MAIN ST",
        "CITY": city,
        "STATE": state,
        "ZIP": zip_code,
        "GROUP": "0000",
        "SUBSECTION": subsection,
        "AFFILIATION": "3",
        "CLASSIFICATION": "7000" if ntee.startswith("X") else "1000",
        "RULING": f"{rng.randint(1950, 2024)}01",
        "DEDUCTIBILITY": "1",
        "FOUNDATION": foundation,
        "ACTIVITY": "000000000",
        "ORGANIZATION": "1",
        "STATUS": "01",
        "TAX_PERIOD": "202312",
        "ASSET_CD": "3",
        "INCOME_CD": "4",
        "FILING_REQ_CD": "01",
        "PF_FILING_REQ_CD": "1" if foundation == "04" else "0",
        "ACCT_PD": "12",
        "ASSET_AMT": str(revenue * 2),
        "INCOME_AMT": str(revenue),
        "REVENUE_AMT": str(revenue),
        "NTEE_CD": ntee,
        "SORT_NAME": "",
    }


def write_demo_bmf(path: Path, count: int = 3000, seed: int = 7) -> Path:
    rng = random.Random(seed)
    seen, rows = set(), []
    for index, (name, ntee, subsection, foundation) in enumerate(SPECIAL):
        rows.append(_bmf_row(rng, 900000001 + index, name, ntee, subsection, foundation))
        seen.add(name)
    while len(rows) < count - len(EXAMPLES):
        last, ntee = rng.choice(LAST)
        name = f"{rng.choice(FIRST)} {rng.choice(MIDDLE)} {last}"
        if rng.random() < 0.5:
            name = f"{rng.choice(PLACES)[0]} {name}"
        if name in seen:
            continue
        seen.add(name)
        rows.append(_bmf_row(rng, 910000000 + len(rows), name, ntee, "03", "15"))
    rows += EXAMPLES
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="ascii") as handle:
        writer = csv.DictWriter(handle, fieldnames=BMF_HEADER, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


AU_PLACES = [
    ("SYDNEY", "NSW", "2000"),
    ("MELBOURNE", "VIC", "3000"),
    ("BRISBANE", "QLD", "4000"),
    ("PERTH", "WA", "6000"),
    ("ADELAIDE", "SA", "5000"),
    ("HOBART", "TAS", "7000"),
]
ACNC_HEADER = [
    "ABN",
    "Charity_Legal_Name",
    "Other_Organisation_Names",
    "Town_City",
    "State",
    "Postcode",
    "Country",
    "Charity_Website",
    "Registration_Date",
    "Charity_Size",
    "PBI",
    "HPC",
    "Advancing_Education",
    "Advancing_Religion",
    "Advancing_social_or_public_welfare",
]


def write_demo_acnc(path: Path, count: int = 300, seed: int = 11) -> Path:
    """Australian charities in the ACNC register's format. They list websites, so an applicant writing from the
    organisation's own domain can be approved at once (US register files carry no websites)."""
    from stdnum.au import abn

    rng = random.Random(seed)
    rows: list = []
    seen: set = set()
    while len(rows) < count:
        last, _ = rng.choice(LAST)
        name = f"{rng.choice(FIRST).title()} {rng.choice(MIDDLE).title()} {last.replace(' INC', '').title()}"
        if name in seen:
            continue
        seen.add(name)
        base = f"{900000000 + len(rows):09d}"
        city, state, postcode = rng.choice(AU_PLACES)
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:40]
        education = name.endswith("School") or "Literacy" in name
        rows.append(
            {
                "ABN": abn.calc_check_digits(base) + base,
                "Charity_Legal_Name": name,
                "Other_Organisation_Names": "",
                "Town_City": city,
                "State": state,
                "Postcode": postcode,
                "Country": "Australia",
                "Charity_Website": f"https://www.{slug}.org.au/",
                "Registration_Date": "03/12/2012",
                "Charity_Size": rng.choice(["Small", "Medium", "Large"]),
                "PBI": "Y" if rng.random() < 0.3 else "",
                "HPC": "",
                "Advancing_Education": "Y" if education else "",
                "Advancing_Religion": "",
                "Advancing_social_or_public_welfare": "Y",
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ACNC_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def demo_seed(*, folder: Path) -> dict:
    """Write and import the demo registry files (US, AU, GB, FR: the demo program's countries); running it again
    changes nothing."""

    files = {
        "us-irs-bmf": write_demo_bmf(folder / "demo_eo_bmf.csv"),
        "au-acnc": write_demo_acnc(folder / "demo_acnc_register.csv"),
        "gb-oscr": write_demo_oscr(folder / "demo_oscr_register.csv"),
        "fr-rna": write_demo_rna(folder / "demo_rna_waldec.csv"),
    }
    return {source: registry_import(source=source, paths=[str(path)])[1].as_dict() for source, path in files.items()}
