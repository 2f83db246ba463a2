"""Charity Commission for England and Wales register extract, TXT flavour (FORMATS.md section 2a).

The register is a set of tab-separated tables (`publicextract.<table>.txt`, in a folder or in the official
per-table zips). An organisation is a main charity (linked_charity_number 0). Its other names, classification,
other regulators and removal event sit in side tables, joined here in memory by registered charity number, so
that one RawRow carries everything its record is built from and the base fingerprint notices any change.

The end of this module holds helpers the three UK importers share (gb_oscr and gb_ccni import them).
"""

import csv
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, fields
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
    parse_amount,
    parse_date,
    required,
    website_domain,
)
from registry.importers.files import InputFile, detect_encoding, open_text, read_rows

_TABLE = re.compile(r"^publicextract\.(charity(?:_[a-z_]+)?)\.txt$", re.IGNORECASE)
_USED_TABLES = ("charity", "charity_other_names", "charity_classification", "charity_other_regulators",
                "charity_event_history")
_DIALECT: dict[str, Any] = {"delimiter": "\t", "escapechar": "\\", "quoting": csv.QUOTE_NONE}
_MAIN_COLUMNS = ("registered_charity_number", "linked_charity_number", "charity_name", "charity_registration_status")
_NUMBER = re.compile(r"^\d{1,8}$")
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T][\d:.]+)?$")
_NAME_KINDS = {"working name": "known_as", "previous name": "previous"}
# Prefixes of charity_other_regulators.regulator_name (lower case). Ofsted also inspects nurseries and
# children's homes, so "school" here means a regulated education or early-years provider.
_REGULATOR_CATEGORIES = (("ofsted", C.SCHOOL), ("estyn", C.SCHOOL), ("care quality commission", C.HEALTH),
                         ("office for students", C.HIGHER_EDUCATION))


class CcewImporter(Importer):
    slug = "gb-ccew"
    name = "Charity Commission for England and Wales: register of charities"
    country = "GB"
    licence = "Open Government Licence v3.0"
    licence_url = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    download_url = "https://register-of-charities.charitycommission.gov.uk/register/full-register-download"

    def accept_file(self, name: str) -> bool:
        match = _TABLE.match(name)
        return bool(match) and match.group(1).lower() in _USED_TABLES

    def rows(self, files: list[InputFile]) -> Iterator[RawRow]:
        tables: dict[str, InputFile] = {}
        for file in files:
            match = _TABLE.match(file.name)
            table = match.group(1).lower() if match else ""
            if table not in _USED_TABLES:
                continue  # a table named on the command line that no record uses (trustees, policies…)
            if table in tables:
                raise ImportFailed(f"two files for table {table}: {tables[table].display} and {file.display}",
                                   code="import_file_duplicate")
            tables[table] = file
        if "charity" not in tables:
            raise ImportFailed("gb-ccew needs the charity table (publicextract.charity.txt or .zip)",
                               code="import_file_missing")
        side: dict[str, dict[str, list]] = {}
        for table in _USED_TABLES[1:]:
            side[table] = defaultdict(list)
            if table in tables:
                yield from self._read_side(tables[table], table, side[table])
        main = tables["charity"]
        encoding = detect_encoding(main)
        require_header(main, encoding, _MAIN_COLUMNS, **_DIALECT)
        for line, values, raw in read_rows(main, encoding, **_DIALECT):
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
                values[table] = sorted(joined.get(number, ()))
            yield RawRow(main.display, line, values)

    def _read_side(self, file: InputFile, table: str, joined: dict[str, list]) -> Iterator[RawRow]:
        for line, values, raw in read_rows(file, detect_encoding(file), **_DIALECT):
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
                # Interned: the full register has ~600k classification rows sharing a few dozen codes.
                joined[number].append((sys.intern(values.get("classification_type", "").strip()),
                                       sys.intern(values.get("classification_code", "").strip())))
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
        return fit(OrgRecord(
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
            raw_codes={self.slug: {
                "charity_type": v.get("charity_type", "").strip(),
                "reporting_status": v.get("charity_reporting_status", "").strip(),
                "company_number": v.get("charity_company_registration_number", "").strip(),
                "what": codes["What"], "who": codes["Who"], "how": codes["How"],
                "other_regulators": regulators,
            }},
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
        ))


def _day(text: str):
    text = (text or "").strip()
    match = _DAY.match(text)
    return parse_date(match.group(1) if match else text, "%Y-%m-%d")


def _status_detail(v: dict[str, Any], registration: str) -> str:
    parts = [registration]
    reporting = v.get("charity_reporting_status", "").strip()
    if reporting and reporting != registration:
        parts.append(reporting)
    for column, label in (("charity_insolvent", "insolvent"), ("charity_in_administration", "in administration"),
                          ("cio_is_dissolved", "CIO dissolved")):
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
            names.append({"kind": _NAME_KINDS.get(kind.lower(), kind.lower().replace(" ", "_") or "other"),
                          "name": other})
    return names


# Shared by the three UK importers.

_BIGINT = 2**63
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)
_COUNTY = re.compile(r"^(?:co\.?|county)\s", re.IGNORECASE)
_LIMITS: dict[str, int] = {}


def rejected_row(file: InputFile, line: int, reason: str, raw: list[str]) -> RawRow:
    """A row rejected while reading; org_id() raises the reason so that the pipeline records it with file+line."""
    return RawRow(file.display, line, {"__rejected__": reason, "fields": raw})


def require_header(file: InputFile, encoding: str, columns: tuple[str, ...], **dialect: Any) -> list[str]:
    """Fail the run, rather than reject every row, when a file is not the format this importer reads."""
    with open_text(file, encoding) as text:
        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader(text, **dialect), [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportFailed(f"{file.display}: not the expected layout, missing column(s) {', '.join(missing)}",
                           code="import_bad_layout")
    return header


def gbp(text: str) -> int | None:
    amount = parse_amount(text, "GBP")
    # A value past a BIGINT would abort the whole run at the INSERT, not just this row.
    if amount is not None and not -_BIGINT <= amount < _BIGINT:
        raise RowRejected(f"amount {text!r} is out of range")
    return amount


def site(url: str) -> str:
    """The website's domain, or '' for placeholders ('N/A', 'none') that are not domains."""
    domain = website_domain(url)
    return domain if "." in domain and not re.search(r"\s", domain) else ""


def split_address(text: str) -> tuple[str, str, str, str]:
    """'1 Main St, Town, Co Down, BT1 1AA' -> (street, city, region, postcode), each '' when absent."""
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    postcode = parts.pop().upper() if parts and _POSTCODE.match(parts[-1]) else ""
    region = parts.pop() if len(parts) > 1 and _COUNTY.match(parts[-1]) else ""
    city = parts.pop() if len(parts) > 1 else ""
    return ", ".join(parts), city, region, postcode


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def fit(record: OrgRecord) -> OrgRecord:
    """Make a record safe for both databases: PostgreSQL refuses NUL characters and over-long text for the whole
    batch (SQLite accepts both), so a NUL rejects the row and text is cut to its column's length."""
    if _has_nul(asdict(record)):
        raise RowRejected("contains a NUL character")
    if not _LIMITS:
        from registry.models import Organisation

        _LIMITS.update({f.name: f.max_length for f in Organisation._meta.fields if getattr(f, "max_length", None)})
    for field in fields(record):
        value, limit = getattr(record, field.name), _LIMITS.get(field.name)
        if isinstance(value, str) and limit and len(value) > limit:
            setattr(record, field.name, value[:limit].rstrip())
    return record
