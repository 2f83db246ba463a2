"""Demo registry data for Great Britain (OSCR, the Scottish register's layout) and France (RNA, rna_waldec layout).

Like registry.demo: small files in the registers' real formats, imported through the normal pipeline; names are
assembled from word lists. The examples the pages show (the search hint's SC012345 and W9T1002867) are part of it,
so that every example a visitor is shown finds something (tests/registry/test_demo.py).
"""

import csv
import random
from pathlib import Path

from registry.demo_words import FIRST, LAST, MIDDLE

GB_PLACES = [
    ("Edinburgh", "EH1 1AA"),
    ("Glasgow", "G1 1AA"),
    ("Aberdeen", "AB10 1AA"),
    ("Dundee", "DD1 1AA"),
    ("Inverness", "IV1 1AA"),
    ("Stirling", "FK8 1AA"),
    ("Perth", "PH1 1AA"),
]
OSCR_HEADER = [
    "Charity Number",
    "Charity Name",
    "Registered Date",
    "Known As",
    "Charity Status",
    "Postcode",
    "Constitutional Form",
    "Previous Constitutional Form 1",
    "Geographical Spread",
    "Main Operating Location",
    "Purposes",
    "Beneficiaries",
    "Activities",
    "Objectives",
    "Principal Office/Trustees Address",
    "Website",
    "Most recent year income",
    "Most recent year expenditure",
    "Mailing cycle",
    "Year End",
    "Donations and legacies income",
    "Charitable activities income",
    "Other trading activities income",
    "Investments income",
    "Other income",
    "Raising funds spending",
    "Charitable activities spending",
    "Other spending",
    "Parent charity name",
    "Parent charity number",
    "Parent charity country of registration",
    "Designated religious body",
    "Regulatory Type",
]
# The search page's hint names this number: it must find a charity in the demo.
GB_EXAMPLES = [("SC012345", "Stonebridge Community Arts Trust", "Edinburgh", "EH1 1AA")]


def _oscr_row(rng: random.Random, number: str, name: str, city: str, postcode: str) -> dict:
    income = int(rng.lognormvariate(10.5, 1.8))
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:40]
    return {
        **dict.fromkeys(OSCR_HEADER, ""),
        "Charity Number": number,
        "Charity Name": name,
        "Registered Date": f"0{rng.randint(1, 9)}/05/19{rng.randint(70, 99)} 00:00",
        "Charity Status": "Active",
        "Postcode": postcode,
        "Constitutional Form": "Scottish Charitable Incorporated Organisation (SCIO)",
        "Geographical Spread": "A specific local point, community or neighbourhood",
        "Main Operating Location": city,
        "Purposes": "'The advancement of citizenship or community development'",
        "Beneficiaries": "'No specific group, or for the benefit of the community'",
        "Activities": "'It carries out activities or services itself'",
        "Objectives": "To help the community.",
        "Principal Office/Trustees Address": f"{rng.randint(1, 99)} High Street, {city}, {postcode}",
        "Website": f"https://www.{slug}.org.uk/",
        "Most recent year income": str(income),
        "Most recent year expenditure": str(int(income * 0.9)),
        "Year End": "31/03/2025",
        "Designated religious body": "No",
        "Regulatory Type": "Standard",
    }


def write_demo_oscr(path: Path, count: int = 300, seed: int = 13) -> Path:
    """Scottish charities in OSCR's current-register export layout (UTF-8, CRLF, every field quoted)."""
    rng = random.Random(seed)
    rows = [_oscr_row(rng, *example) for example in GB_EXAMPLES]
    seen = {row["Charity Name"] for row in rows} | {row["Charity Number"] for row in rows}
    while len(rows) < count:
        last, _ = rng.choice(LAST)
        name = f"{rng.choice(FIRST).title()} {rng.choice(MIDDLE).title()} {last.replace(' INC', '').title()}"
        number = f"SC{rng.randint(10000, 59999):06d}"
        if name in seen or number in seen:
            continue
        seen |= {name, number}
        rows.append(_oscr_row(rng, number, name, *rng.choice(GB_PLACES)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(",".join(OSCR_HEADER) + "\r\n")  # the header is not quoted, every data field is
        csv.DictWriter(handle, fieldnames=OSCR_HEADER, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return path


FR_PLACES = [
    ("Paris", "75056", "75001"),
    ("Lyon", "69123", "69001"),
    ("Marseille", "13055", "13001"),
    ("Toulouse", "31555", "31000"),
    ("Nantes", "44109", "44000"),
    ("Lille", "59350", "59000"),
    ("Bordeaux", "33063", "33000"),
    ("Strasbourg", "67482", "67000"),
]
FR_KINDS = [
    "ASSOCIATION DES AMIS DU",
    "COMITÉ DE DÉFENSE DU",
    "ASSOCIATION SPORTIVE DU",
    "CERCLE CULTUREL DU",
    "ASSOCIATION DES PARENTS D'ÉLÈVES DU",
    "BANQUE ALIMENTAIRE DU",
    "CHORALE DU",
    "AMICALE DU",
]
FR_SUBJECTS = [
    "PATRIMOINE",
    "QUARTIER SAINT-MICHEL",
    "VIEUX PORT",
    "JARDIN PARTAGÉ",
    "THÉÂTRE MUNICIPAL",
    "CANAL",
    "MOULIN",
    "LAVOIR",
    "CENTRE SOCIAL",
    "BOIS JOLI",
    "PAYS BASQUE",
    "VAL DE LOIRE",
]
RNA_HEADER = (
    "id;id_ex;siret;rup_mi;gestion;date_creat;date_decla;date_publi;date_disso;nature;groupement;titre;"
    "titre_court;objet;objet_social1;objet_social2;adrs_complement;adrs_numvoie;adrs_repetition;"
    "adrs_typevoie;adrs_libvoie;adrs_distrib;adrs_codeinsee;adrs_codepostal;adrs_libcommune;"
    "adrg_declarant;adrg_complemid;adrg_complemgeo;adrg_libvoie;adrg_distrib;adrg_codepostal;"
    "adrg_achemine;adrg_pays;dir_civilite;siteweb;publiweb;observation;position;maj_time"
).split(";")
# The search page's hint names this number: a real association of the RNA (Mayotte, Licence Ouverte 2.0).
FR_EXAMPLES = [("W9T1002867", "LA VIE D'UN AGRICULTEUR & LA VIE D'UN ANIMAL", "M tsamboro", "97612", "97630")]


def _rna_row(rng: random.Random, rna_id: str, title: str, city: str, insee: str, postcode: str) -> dict:
    created = f"{rng.randint(1990, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return {
        **dict.fromkeys(RNA_HEADER, ""),
        "id": rna_id,
        "gestion": insee[:2] + "1P",
        "date_creat": created,
        "date_decla": created,
        "date_publi": created,
        "date_disso": "0001-01-01",
        "nature": "D",
        "groupement": "S",
        "titre": title,
        "objet": "rassembler les habitants autour de projets d'intérêt commun",
        "objet_social1": "024026",
        "objet_social2": "000000",
        "adrs_numvoie": str(rng.randint(1, 99)),
        "adrs_typevoie": "RUE",
        "adrs_libvoie": "de la République",
        "adrs_distrib": "_",
        "adrs_codeinsee": insee,
        "adrs_codepostal": postcode,
        "adrs_libcommune": city,
        "adrg_pays": "FRANCE",
        "dir_civilite": "PM",
        "publiweb": "0",
        "position": "A",
        "maj_time": f"{created} 12:00:00",
    }


def write_demo_rna(path: Path, count: int = 300, seed: int = 17) -> Path:
    """French associations in the RNA's rna_waldec layout (UTF-8, semicolons, LF)."""
    rng = random.Random(seed)
    rows = [_rna_row(rng, *example) for example in FR_EXAMPLES]
    seen = {row["titre"] for row in rows}
    while len(rows) < count:
        city, insee, postcode = rng.choice(FR_PLACES)
        title = f"{rng.choice(FR_KINDS)} {rng.choice(FR_SUBJECTS)} DE {city.upper()}"
        if title in seen:
            continue
        seen.add(title)
        rows.append(_rna_row(rng, f"W{insee[:2]}{len(rows):07d}", title, city, insee, postcode))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=RNA_HEADER, delimiter=";", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path
