"""Charity Commission for England and Wales register extract, TXT flavour (FORMATS.md section 2a).

The register is a set of tab-separated tables (`publicextract.<table>.txt`, in a folder or in the official
per-table zips). An organisation is a main charity (linked_charity_number 0). Its other names, classification,
other regulators and removal event sit in side tables, joined here in memory by registered charity number, so
that one RawRow carries everything its record is built from and the base fingerprint notices any change.
"""

import csv
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from core.errors import ImportFailed
from registry.categories import Category as C
from registry.importers.base import (
    Importer,
    OrgRecord,
    RawRow,
    RowRejected,
    categories,
    email_domain,
    parse_date,
    required,
)
from registry.importers.files import InputFile, detect_encoding, read_rows, rejected_row, require_header
from registry.importers.gb_common import gbp, site

_TABLE = re.compile(r"^publicextract\.(charity(?:_[a-z_]+)?)\.txt$", re.IGNORECASE)
_DIALECT: dict[str, Any] = {"delimiter": "\t", "escapechar": "\\", "quoting": csv.QUOTE_NONE}
_COLUMNS = {
    "charity": ("registered_charity_number", "linked_charity_number", "charity_name", "charity_registration_status"),
    "charity_other_names": ("registered_charity_number", "charity_name_type", "charity_name"),
    "charity_classification": ("registered_charity_number", "classification_type", "classification_code"),
    "charity_other_regulators": ("registered_charity_number", "regulator_name"),
    "charity_event_history": ("registered_charity_number", "charity_event_order", "event_type", "reason"),
}
_USED_TABLES = tuple(_COLUMNS)
_NUMBER = re.compile(r"^\d{1,8}$")
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+)?$")
_NAME_KINDS = {"working name": "known_as", "previous name": "previous"}
# Prefixes of charity_other_regulators.regulator_name (lower case). Ofsted also inspects nurseries and
# children's homes, so "school" here means a regulated education or early-years provider.
_REGULATOR_CATEGORIES = (
    ("ofsted", C.SCHOOL),
    ("estyn", C.SCHOOL),
    ("care quality commission", C.HEALTH),
    ("office for students", C.HIGHER_EDUCATION),
)


class CcewImporter(Importer):
    version = 2  # 2: the published contact email kept in raw_codes (a re-import rewrites every record)
    slug = "gb-ccew"
    name = "Charity Commission for England and Wales: register of charities"
    country = "GB"
    licence = "Open Government Licence v3.0"
    licence_url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    download_url = "https://register-of-charities.charitycommission.gov.uk/register/full-register-download"

    def accept_file(self, name: str) -> bool:
        match = _TABLE.match(name)
        return match is not None and match.group(1).lower() in _USED_TABLES

    def estimate_rows(self, files: list[dict]) -> int:
        # One record per line of the charity table; the side tables are read into it.
        main = [
            f
            for f in files
            if (m := _TABLE.match(f["path"].rsplit("/", 1)[-1].rsplit(":", 1)[-1])) and m.group(1).lower() == "charity"
        ]
        return super().estimate_rows(main)

    def rows(self, files: list[InputFile]) -> Iterator[RawRow]:
        tables: dict[str, InputFile] = {}
        for file in files:
            match = _TABLE.match(file.name)
            table = match.group(1).lower() if match else ""
            if table not in _USED_TABLES:
                continue  # a table named on the command line that no record uses (trustees, policies…)
            if table in tables:
                raise ImportFailed(
                    f"two files for table {table}: {tables[table].display} and {file.display}",
                    code="import_file_duplicate",
                )
            tables[table] = file
        if "charity" not in tables:
            raise ImportFailed(
                "gb-ccew needs the charity table (publicextract.charity.txt or .zip)", code="import_file_missing"
            )
        encodings = {table: detect_encoding(file) for table, file in tables.items()}
        for table, file in tables.items():
            require_header(file, encodings[table], _COLUMNS[table], **_DIALECT)
        side: dict[str, dict[str, list]] = {}
        for table in _USED_TABLES[1:]:
            side[table] = defaultdict(list)
            if table in tables:
                yield from self._read_side(tables[table], encodings[table], table, side[table])
        main = tables["charity"]
        for line, values, raw in read_rows(main, encodings["charity"], **_DIALECT):
            if values is None:
                yield RawRow(main.display, line, {"__bad_width__": raw})
                continue
            linked = values["linked_charity_number"].strip()
            if linked != "0":
                if not linked.isdigit():
                    yield rejected_row(main, line, f"linked_charity_number {linked!r} is not a number", raw)
                # A linked charity is part of its main charity's registration, not an organisation of its own.
                continue
            # date_of_extract changes every day: hashing it would make every re-import rewrite every record.
            values.pop("date_of_extract", None)
            number = values["registered_charity_number"].strip()
            for table, joined in side.items():
                values[table] = sorted(joined.get(number, ()))  # type: ignore[assignment]  # a list per table
            yield RawRow(main.display, line, values)

    def _read_side(self, file: InputFile, encoding: str, table: str, joined: dict[str, list]) -> Iterator[RawRow]:
        for line, values, raw in read_rows(file, encoding, **_DIALECT):
            if values is None:
                yield RawRow(file.display, line, {"__bad_width__": raw})
                continue
            number = (values.get("registered_charity_number") or "").strip()
            if not _NUMBER.match(number):
                yield rejected_row(file, line, f"{table}: registered_charity_number {number!r} is not a number", raw)
                continue
            if (values.get("linked_charity_number") or "0").strip() != "0":
                continue
            if table == "charity_other_names":
                joined[number].append((values.get("charity_name_type", "").strip(), values.get("charity_name", "")))
            elif table == "charity_classification":
                # Interned: about six rows per charity (over a million in the full register) share 34 codes.
                joined[number].append(
                    (
                        sys.intern(values.get("classification_type", "").strip()),
                        sys.intern(values.get("classification_code", "").strip()),
                    )
                )
            elif table == "charity_other_regulators":
                joined[number].append(sys.intern(values.get("regulator_name", "").strip()))
            elif values.get("event_type", "").strip() == "Removed":
                order = values.get("charity_event_order", "").strip()
                if not order.isdigit():
                    yield rejected_row(file, line, f"{table}: charity_event_order {order!r} is not a number", raw)
                    continue
                joined[number].append((int(order), values.get("date_of_event", ""), values.get("reason", "").strip()))

    def org_id(self, row: RawRow) -> str:
        if "__rejected__" in row.values:
            raise RowRejected(row.values["__rejected__"])
        number = (row.values.get("registered_charity_number") or "").strip()
        if not _NUMBER.match(number):
            raise RowRejected(f"registered_charity_number {number!r} is not a number")
        return f"GB-CHC-{number}"

    def parse(self, row: RawRow) -> OrgRecord:
        v = row.values
        number = v["registered_charity_number"].strip()
        name = " ".join(required(v, "charity_name").split())
        registration = v["charity_registration_status"].strip()
        if registration not in ("Registered", "Removed"):
            raise RowRejected(f"unknown charity_registration_status {registration!r}")
        removed = registration == "Removed"
        codes: dict[str, list[str]] = {"What": [], "Who": [], "How": []}
        for kind, code in v["charity_classification"]:
            codes.setdefault(kind, []).append(code)
        regulators = v["charity_other_regulators"]
        lowered = [r.lower() for r in regulators]
        # The latest removal event (by event order) explains the current removal; a re-registered charity's
        # earlier removal does not apply.
        removal = max(v["charity_event_history"], default=None)
        income = gbp(v.get("latest_income", ""))
        lines = [v.get(f"charity_contact_address{i}", "").strip() for i in range(1, 6)]
        lines = [line for line in lines if line]
        return OrgRecord(
            org_id=f"GB-CHC-{number}",
            registry_number=number,
            country="GB",
            name=name,
            other_names=_other_names(v["charity_other_names"], name),
            status="removed" if removed else "active",
            status_detail=_status_detail(v, registration),
            registered_on=_day(v.get("date_of_registration", "")),
            removed_on=_day(v.get("date_of_removal", "")) if removed else None,
            removal_reason=removal[2] if removed and removal else "",
            # Every charity on this register is (or was) a public charity; private foundations are not told apart.
            categories=categories(
                (True, C.PUBLIC_CHARITY),
                ("108" in codes["What"], C.RELIGIOUS),
                *((any(r.startswith(prefix) for r in lowered), category) for prefix, category in _REGULATOR_CATEGORIES),
            ),
            raw_codes={
                self.slug: {
                    "charity_type": v.get("charity_type", "").strip(),
                    "reporting_status": v.get("charity_reporting_status", "").strip(),
                    "company_number": v.get("charity_company_registration_number", "").strip(),
                    "what": codes["What"],
                    "who": codes["Who"],
                    "how": codes["How"],
                    "other_regulators": regulators,
                    # The address the register publishes: Vouch may ask it to confirm an applicant
                    # (verification.proofs).
                    "contact_email": v.get("charity_contact_email", "").strip().lower()[:254],
                }
            },
            income_minor=income,
            income_currency="GBP" if income is not None else "",
            income_period_start=_day(v.get("latest_acc_fin_period_start_date", "")) if income is not None else None,
            income_period_end=_day(v.get("latest_acc_fin_period_end_date", "")) if income is not None else None,
            website=site(v.get("charity_contact_web", "")),
            email_domain=email_domain(v.get("charity_contact_email", "")),
            # Lines are free-form (street, locality, town, county in varying order): the last is the best guess
            # at a town, the rest is the street.
            street=", ".join(lines[:-1]) if len(lines) > 1 else "".join(lines),
            city=lines[-1] if len(lines) > 1 else "",
            postcode=v.get("charity_contact_postcode", "").strip().upper(),
        )


def _day(text: str) -> date | None:
    text = (text or "").strip()
    match = _DAY.match(text)
    return parse_date(match.group(1) if match else text, "%Y-%m-%d")


def _status_detail(v: dict[str, Any], registration: str) -> str:
    parts = [registration]
    reporting = v.get("charity_reporting_status", "").strip()
    if reporting and reporting != registration:
        parts.append(reporting)
    for column, label in (
        ("charity_insolvent", "insolvent"),
        ("charity_in_administration", "in administration"),
        ("cio_is_dissolved", "CIO dissolved"),
    ):
        if v.get(column, "").strip() == "True":
            parts.append(label)
    return "; ".join(parts)


def _other_names(rows: list[tuple[str, str]], name: str) -> list[dict[str, str]]:
    seen = {name.casefold()}
    names = []
    # Working names first: they are how the charity presents itself today.
    for kind, other in sorted(rows, key=lambda r: (r[0].lower() != "working name", r)):
        other = " ".join(other.split())
        if other and other.casefold() not in seen:
            seen.add(other.casefold())
            names.append(
                {"kind": _NAME_KINDS.get(kind.lower(), kind.lower().replace(" ", "_") or "other"), "name": other}
            )
    return names


# Shared by the three UK importers.
