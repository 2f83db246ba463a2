"""What the three IRS files share: EINs, and the meaning of the BMF's codes (FORMATS.md section 1)."""

import csv
import re
from functools import lru_cache

from registry.categories import Category as C
from registry.importers.base import Importer, RawRow, RowRejected, categories

_EIN = re.compile(r"^\d{1,9}$")


def ein(text: str) -> str:
    """The 9-digit EIN, leading zeros kept (restored when a spreadsheet dropped them)."""
    if text and len(text) == 9 and text.isdigit() and text.isascii():  # as the IRS writes it: nothing to tidy
        return text
    compact = (text or "").strip().replace("-", "")
    if not _EIN.match(compact):
        raise RowRejected(f"EIN {text!r} is not 1 to 9 digits")
    return compact.zfill(9)


def org_id(ein_digits: str) -> str:
    return f"US-EIN-{ein_digits}"


_MUTUAL_SUBSECTIONS = {"07", "08", "10", "13", "14", "19", "23"}
_PROFESSIONAL_SUBSECTIONS = {"05", "06"}


def bmf_categories(v: dict[str, str]) -> list[str]:
    return list(
        category_codes(
            v.get("SUBSECTION", ""),
            v.get("FOUNDATION", ""),
            v.get("CLASSIFICATION", "")[:1],
            (v.get("NTEE_CD") or "").upper()[:3],
            v.get("FILING_REQ_CD", ""),
            v.get("PF_FILING_REQ_CD", ""),
        )
    )


@lru_cache(maxsize=65536)  # a few thousand code combinations cover a whole register
def category_codes(
    subsection: str, foundation: str, classification: str, ntee: str, filing: str, pf_filing: str
) -> tuple[str, ...]:
    private = foundation in {"02", "03", "04"} or subsection == "92" or pf_filing == "1"
    return tuple(
        categories(
            (subsection == "03" and not private, C.PUBLIC_CHARITY),
            (private, C.PRIVATE_FOUNDATION),
            (
                foundation == "10"
                or (subsection == "03" and classification.startswith("7"))
                or ntee.startswith("X")
                or filing in {"06", "13"}
                or subsection == "40",
                C.RELIGIOUS,
            ),
            (foundation == "11" or ntee.startswith("B2"), C.SCHOOL),
            (foundation == "13" or ntee[:2] in {"B4", "B5"}, C.HIGHER_EDUCATION),
            (foundation == "12" or ntee[:3] in {"E20", "E21", "E22", "E24"} or subsection == "50", C.HEALTH),
            (foundation == "14" or subsection == "01" or filing in {"07", "14"}, C.GOVERNMENT),
            (subsection == "82" or ntee.startswith("W24"), C.POLITICAL),
            (subsection in _MUTUAL_SUBSECTIONS or ntee.startswith("Y"), C.MUTUAL),
            (subsection in _PROFESSIONAL_SUBSECTIONS, C.PROFESSIONAL),
        )
    )


class IrsListImporter(Importer):
    """The IRS's pipe-separated lists (Publication 78, automatic revocations): no header, never quoted (a name
    starting with '"' must not swallow the rest of the file), facts about organisations the BMF owns."""

    country = "US"
    licence = "US public domain"
    authoritative = False
    delimiter = "|"
    quoting = csv.QUOTE_NONE

    def accept_file(self, name: str) -> bool:
        return name.lower().endswith(".txt")

    def org_id(self, row: RawRow) -> str:
        return org_id(ein(row.get("EIN", "")))
