"""Répertoire National des Associations (RNA, FORMATS.md 4a): France's register of associations (loi 1901).

Two extractions share one id space: rna_waldec (associations created or changed since 2009, 39 columns) and
rna_import (older records never changed since, 24 columns, layout unverified against a real file). Each file's
layout is told from its header names; a file matching neither fails the run rather than rejecting every row.
Recent files are UTF-8 and older ones cp1252: files.detect_encoding tells them apart per file.

An association is not a charity by itself, so nothing here maps to public_charity; the register carries no
finances (income stays empty).
"""

import re
from collections.abc import Iterator
from typing import Any

from core.errors import ImportFailed
from registry.categories import Category as C
from registry.importers.base import Importer, OrgRecord, RawRow, RowRejected, categories, parse_date, required
from registry.importers.files import InputFile, read_rows

WALDEC = "waldec"
IMPORT = "import"
# Columns that tell the layouts apart (and that parse() needs); the rest are read by name when present.
_LAYOUT_COLUMNS = {
    WALDEC: {"id", "titre", "position", "date_disso", "adrs_libvoie", "adrs_libcommune"},
    IMPORT: {"id", "titre", "position", "adr1", "libcom"},
}
_ID = re.compile(r"^W[0-9A-Z]{9}$")
_DATES = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")
_POSITIONS = {"A": "active", "R": "reprise", "D": "dissoute", "S": "supprimée"}
_REMOVAL = {"D": "dissolved (RNA position D: dissolution declared)", "S": "deleted from the RNA (position S)"}
_NATURES = {
    "A": "assistance",
    "B": "bienfaisance",
    "D": "déclarée",
    "G": "intérêt général",
    "I": "indéterminée",
    "M": "recherche médicale",
    "R": "reconnue d'utilité publique",
    "S": "recherche scientifique",
    "U": "cultuelle",
}
# Waldec social-object themes (first three digits of objet_social1/2) that name one of Vouch's kinds; the other
# themes (culture, sport, environment, …) stay raw codes. Theme labels agree across three public copies of the
# nomenclature; the sub-codes were not checked against the official list.
_THEMES = {
    "001": C.POLITICAL,  # activités politiques
    "014": C.MUTUAL,  # amicales, groupements affinitaires, groupements d'entraide
    "015": C.SCHOOL,  # éducation, formation
    "017": C.HEALTH,  # santé
    "023": C.PROFESSIONAL,  # représentation, promotion et défense d'intérêts économiques
    "040": C.RELIGIOUS,  # activités religieuses, spirituelles ou philosophiques
}
# Education codes that are about schools without being one: 015005, parents' associations.
_NOT_A_SCHOOL = {"015005"}


def layout(columns: set[str]) -> str | None:
    for name, needed in _LAYOUT_COLUMNS.items():
        if needed <= columns:
            return name
    return None


def theme_categories(codes: list[str], nature: str) -> list[str]:
    flags: list[tuple[bool, str]] = [(nature == "U", C.RELIGIOUS)]
    for code in codes:
        if code in _NOT_A_SCHOOL:
            continue
        theme = _THEMES.get(code[:3])
        if theme:
            flags.append((True, theme))
    return categories(*flags)


def _clean(text: str) -> str:
    # Waldec address parts carry "_" where the old system separated sub-fields ("B.P. 1328_", "_Tsoundzou 2").
    return re.sub(r"\s+", " ", (text or "").replace("_", " ")).strip()


def _department(insee: str) -> str:
    insee = (insee or "").strip().upper()
    if len(insee) != 5:
        return ""
    return insee[:3] if insee.startswith("97") else insee[:2]


def _short_name(short: str, title: str) -> str:
    """titre_court when it adds something: not the title again, nor the title cut short with an ellipsis."""
    short = short.strip()
    stem = short.removesuffix("...").removesuffix("…").strip()
    if not short or short.upper() == title.upper() or (stem != short and title.upper().startswith(stem.upper())):
        return ""
    return short


class RnaImporter(Importer):
    slug = "fr-rna"
    name = "Répertoire National des Associations (RNA)"
    country = "FR"
    licence = "Licence Ouverte 2.0 (Etalab)"
    licence_url = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    download_url = "https://www.data.gouv.fr/fr/datasets/repertoire-national-des-associations/"
    delimiter = ";"

    def accept_file(self, name: str) -> bool:
        return name.lower().endswith(".csv")

    def rows(self, files: list[InputFile]) -> Iterator[RawRow]:
        for file in files:
            encoding = self.file_encoding(file)
            checked = False
            for line, values, fields in read_rows(file, encoding, delimiter=";"):
                if values is None:
                    yield RawRow(file.display, line, {"__bad_width__": fields})
                    continue
                if not checked:
                    if layout(set(values)) is None:
                        raise ImportFailed(
                            f"{file.display}: the header matches neither RNA layout (rna_waldec, rna_import)",
                            code="import_bad_header",
                        )
                    checked = True
                yield RawRow(file.display, line, values)

    def org_id(self, row: RawRow) -> str:
        return f"FR-RNA-{self._id(row.values)}"

    def _id(self, v: dict[str, str]) -> str:
        text = (v.get("id") or "").strip().upper()
        if not _ID.match(text):
            raise RowRejected(f"id {text!r} is not an RNA number (W and 9 letters or digits)")
        return text

    def parse(self, row: RawRow) -> OrgRecord:
        v = {key: (value or "").strip() for key, value in row.values.items()}
        number = self._id(v)
        title = _clean(required(v, "titre"))
        position = v.get("position", "").upper()
        if position not in _POSITIONS:
            raise RowRejected(f"position {position!r} is not A, R, D or S")
        nature = v.get("nature", "").upper()
        codes = [c for c in (v.get("objet_social1", ""), v.get("objet_social2", "")) if c and c.strip("0")]
        removed = position in _REMOVAL
        dissolved_on = parse_date(v.get("date_disso", ""), *_DATES)  # 0001-01-01 means "not dissolved": None
        changed_on = parse_date(v.get("maj_time", ""), *_DATES)
        facts: dict[str, Any] = {
            "layout": WALDEC if "date_disso" in v else IMPORT,
            "position": position,
            "nature": nature,
            "groupement": v.get("groupement", ""),
            "objet_social": codes,
            "rup_mi": v.get("rup_mi", ""),
            "id_ex": v.get("id_ex", ""),
            "siret": v.get("siret", ""),
            "gestion": v.get("gestion", ""),
        }
        short = _short_name(_clean(v.get("titre_court", "")), title)
        detail = _POSITIONS[position] + (f", {_NATURES[nature]}" if nature in _NATURES else "")
        return OrgRecord(
            org_id=f"FR-RNA-{number}",
            registry_number=number,
            country="FR",
            name=title,
            other_names=[{"kind": "short", "name": short}] if short else [],
            status="removed" if removed else "active",
            status_detail=detail,
            registered_on=parse_date(v.get("date_creat", ""), *_DATES),
            # A dissolution without its date (rna_import has no date_disso): the record's last change is the
            # closest known day.
            removed_on=(dissolved_on or changed_on) if removed else None,
            removal_reason=_REMOVAL.get(position, ""),
            categories=theme_categories(codes, nature),
            raw_codes={self.slug: facts},
            website=v.get("siteweb", ""),
            **self._address(v),
        )

    def _address(self, v: dict[str, str]) -> dict[str, Any]:
        if "adrs_libvoie" in v:  # rna_waldec: the registered office, in parts
            way = " ".join(
                filter(
                    None,
                    (
                        _clean(v.get(k, ""))
                        for k in ("adrs_numvoie", "adrs_repetition", "adrs_typevoie", "adrs_libvoie")
                    ),
                )
            )
            parts = (_clean(v.get("adrs_complement", "")), way, _clean(v.get("adrs_distrib", "")))
            city = v.get("adrs_libcommune", "")
        else:  # rna_import: three free address lines
            parts = (_clean(v.get("adr1", "")), _clean(v.get("adr2", "")), _clean(v.get("adr3", "")))
            city = v.get("libcom", "")
        return {
            "street": ", ".join(filter(None, parts)),
            "city": _clean(city),
            "region": _department(v.get("adrs_codeinsee", "")),
            "postcode": v.get("adrs_codepostal", ""),
        }
