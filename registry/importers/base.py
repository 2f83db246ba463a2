"""The shared import pipeline's parts that each registry format fills in.

An importer turns a registry's files into `OrgRecord`s: `rows()` reads raw rows (by header name), `org_id()`
names the organisation a row describes, and `parse()` maps the row to a record, raising `RowRejected` with a
reason when the row is unusable. Everything else (batching, change detection, writing, snapshots, the run
record) is the pipeline's job (`registry.importers.pipeline`).
"""

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from core.money import minor_exponent, to_minor
from registry.categories import ordered
from registry.importers.files import InputFile, RawRow, detect_encoding, read_raw_rows, require_header
from registry.search.normalise import NORMALISATION_VERSION


class RowRejected(Exception):
    """A row that cannot be imported; the pipeline records it with file and line and carries on."""


@dataclass
class OrgRecord:
    org_id: str
    registry_number: str
    country: str
    name: str
    other_names: list[dict[str, str]] = field(default_factory=list)
    status: str = "active"
    status_detail: str = ""
    registered_on: date | None = None
    removed_on: date | None = None
    removal_reason: str = ""
    categories: list[str] = field(default_factory=list)
    raw_codes: dict[str, Any] = field(default_factory=dict)
    income_minor: int | None = None
    income_currency: str = ""
    income_period_start: date | None = None
    income_period_end: date | None = None
    website: str = ""
    email_domain: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""


class Importer:
    slug: ClassVar[str]
    name: ClassVar[str]
    country: ClassVar[str]
    licence: ClassVar[str]
    licence_url: ClassVar[str] = ""
    download_url: ClassVar[str] = ""
    # An authoritative register owns the organisations it lists; other sources (Pub 78, revocations) only add
    # their facts to organisations another register owns, and own only those nobody else lists.
    authoritative: ClassVar[bool] = True
    # Bump when parse() changes meaning, so that a re-import rewrites every record.
    version: ClassVar[int] = 1
    delimiter: ClassVar[str] = ","
    header: ClassVar[list[str] | None] = None  # column names, for files that have no header row
    quoting: ClassVar[int] = csv.QUOTE_MINIMAL
    # Columns every file must have: checked in every file before any row is read, so a wrong file fails the
    # run before it writes anything instead of rejecting each of its rows.
    required_columns: ClassVar[tuple[str, ...]] = ()

    def accept_file(self, name: str) -> bool:
        return True

    def rows(self, files: list[InputFile]) -> Iterator[RawRow]:
        """Default: every file is a delimited text file with a header row."""
        if self.required_columns:
            for file in files:
                require_header(file, self.file_encoding(file), self.required_columns, delimiter=self.delimiter)
        for file in files:
            encoding = self.file_encoding(file)
            yield from read_raw_rows(file, encoding, delimiter=self.delimiter, header=self.header, quoting=self.quoting)

    def estimate_rows(self, files: list[dict]) -> int:
        """Rows a run will read, guessed from the files' line counts (run.files): the total of the progress bar.
        A quoted field spanning lines makes it an overestimate; the bar ends at the true count."""
        headers = 0 if self.header else 1
        return sum(max(0, f.get("lines", 0) - headers) for f in files)

    def file_encoding(self, file: InputFile) -> str:
        return detect_encoding(file)

    def fingerprint(self, row: RawRow) -> str:
        try:
            # A CSV row: all strings, the fast path. Its fields are its values, in order (files.read_raw_rows).
            text = "\x1f".join(row.fields if row.fields is not None else row.values.values())
        except TypeError:
            text = "\x1f".join(str(v) for v in row.values.values())
        salt = f"{self.slug}:{self.version}:{NORMALISATION_VERSION}\x1f"
        return hashlib.blake2b((salt + text).encode("utf-8", "replace"), digest_size=16).hexdigest()

    def org_id(self, row: RawRow) -> str:
        raise NotImplementedError

    def parse(self, row: RawRow) -> OrgRecord:
        raise NotImplementedError

    def prepared_values(self, row: RawRow, fingerprint: str, context: dict[str, Any]) -> list[Any] | None:
        """Optional: a new organisation's INSERT values (writer.row_values order) straight from a plain row, for
        the formats whose parse() is the hot loop of large imports; None (the default) leaves the row to parse().
        Must give exactly what parse() gives, and reject nothing: a row it is unsure of returns None."""
        return None

    def merge(self, existing: dict[str, Any], record: OrgRecord) -> dict[str, Any]:
        """For a non-authoritative source: the fields to change on an organisation another register owns."""
        raw_codes = dict(existing["raw_codes"])
        if raw_codes.get(self.slug) == record.raw_codes.get(self.slug):
            return {}
        raw_codes[self.slug] = record.raw_codes.get(self.slug)
        return {"raw_codes": raw_codes}

    def reconcile(self, fields: dict[str, Any]) -> dict[str, Any]:
        """For an authoritative source: adjust a record given facts other sources hold (raw_codes merged)."""
        return fields


# Helpers for parse(): small, strict, and raising RowRejected with a reason a person understands.


def required(values: dict[str, Any], column: str) -> str:
    value = (values.get(column) or "").strip()
    if not value:
        raise RowRejected(f"{column} is empty")
    return value


def parse_date(text: str, *formats: str) -> date | None:
    text = (text or "").strip()
    if not text or text.lower() == "null" or text.startswith("0001-01-01"):
        return None
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowRejected(f"unreadable date {text!r}")


_AMOUNT = re.compile(r"^-?\d+(?:\.\d+)?$")


def parse_amount(text: str, currency: str) -> int | None:
    """Whole or decimal amounts ('1,234', '-56', '£7.50', blank) to minor units; blank gives None."""
    if not text:
        return None
    if text.isascii() and (text.isdigit() or (text[0] == "-" and text[1:].isdigit())):  # common, fast
        return _in_range(int(text) * 10 ** minor_exponent(currency), text)
    cleaned = re.sub(r"[,\s£$€]", "", (text or "").strip())
    if not cleaned:
        return None
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    if not cleaned.isascii() or not _AMOUNT.match(cleaned):
        raise RowRejected(f"unreadable amount {text!r}")
    return _in_range(to_minor(cleaned, currency), text)


def _in_range(amount: int, text: str) -> int:
    # Past a 64-bit integer the database would refuse the whole batch, not just this row.
    if not -(2**63) <= amount < 2**63:
        raise RowRejected(f"amount {text!r} is out of range")
    return amount


def website_domain(url: str) -> str:
    url = (url or "").strip().lower()
    url = re.sub(r"^[a-z]+://", "", url).split("/")[0].split("?")[0]
    return url.removeprefix("www.")


def email_domain(email: str) -> str:
    email = (email or "").strip().lower()
    return email.rsplit("@", 1)[1] if "@" in email else ""


def categories(*flags: tuple[bool, str]) -> list[str]:
    return ordered(
        {str(category.value if hasattr(category, "value") else category) for condition, category in flags if condition}
    )
