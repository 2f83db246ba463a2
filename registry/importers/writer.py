"""Writes a batch of organisation records with plain SQL: the import hot path (millions of rows).

The ORM would build a model instance per row; at 2M rows that alone costs more than the whole write.
SQLite: executemany of prepared value lists (the statement compiled once). PostgreSQL: new organisations go in
with COPY; rewritten ones are copied into a temporary staging table and merged with one UPDATE … FROM per batch.
Every write is per batch, so a caller may commit between batches.
"""

import json
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import orjson

from registry.importers.base import OrgRecord
from registry.search.backends import SearchBackend
from registry.search.normalise import search_keys

TABLE = "registry_organisation"
WRITTEN_COLUMNS = (
    "org_id",
    "registry_number",
    "country",
    "source_id",
    "name",
    "other_names",
    "search_name",
    "search_alt",
    "status",
    "status_detail",
    "registered_on",
    "removed_on",
    "removal_reason",
    "categories",
    "raw_codes",
    "income_minor",
    "income_currency",
    "income_period_start",
    "income_period_end",
    "website",
    "email_domain",
    "street",
    "city",
    "region",
    "postcode",
    "content_hash",
    "updated_at",
)
JSON_COLUMNS = {"other_names", "categories", "raw_codes"}
STAGE = "registry_org_stage"  # PostgreSQL: temporary, per connection


def record_fields(record: OrgRecord) -> dict[str, Any]:
    fields = dict(record.__dict__)  # shallow: asdict() deep-copies every nested list and dict, slow at 2M rows
    # The search keys come from the one function that decides them (the re-fold of stored rows uses it too).
    fields["search_name"], fields["search_alt"] = search_keys(record.name, record.other_names)
    return fields


DATE_COLUMNS = {"registered_on", "removed_on", "income_period_start", "income_period_end"}


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept: what json.dumps(value, ensure_ascii=False, separators=(",", ":")) gives, at a
    tenth of its cost (the raw codes of every row are encoded: ~10 µs a row with the standard library)."""
    return orjson.dumps(value).decode()


def _db_value(column: str, value: Any, vendor: str) -> Any:
    if column in JSON_COLUMNS:
        return dumps(value)
    if vendor == "sqlite" and isinstance(value, date):
        return value.isoformat()
    return value


def _json(value: Any) -> str:
    return dumps(value) if value else ("[]" if isinstance(value, list) else "{}")


@lru_cache(maxsize=1024)
def categories_json(categories: tuple[str, ...]) -> str:
    return dumps(list(categories))


def _day(value: date | None, vendor: str):
    return value.isoformat() if vendor == "sqlite" and value is not None else value


def row_values(fields: dict[str, Any], content_hash: str, *, vendor: str, source_id: int, now) -> list[Any]:
    """One organisation's values in WRITTEN_COLUMNS order: the hot loop of an import, spelt out on purpose."""
    f = fields
    return [
        f["org_id"],
        f["registry_number"],
        f["country"],
        source_id,
        f["name"],
        _json(f["other_names"]),
        f["search_name"],
        f["search_alt"],
        f["status"],
        f["status_detail"],
        _day(f["registered_on"], vendor),
        _day(f["removed_on"], vendor),
        f["removal_reason"],
        categories_json(tuple(f["categories"])),
        _json(f["raw_codes"]),
        f["income_minor"],
        f["income_currency"],
        _day(f["income_period_start"], vendor),
        _day(f["income_period_end"], vendor),
        f["website"],
        f["email_domain"],
        f["street"],
        f["city"],
        f["region"],
        f["postcode"],
        content_hash,
        now,
    ]


class BatchWriter:
    def __init__(self, cursor, *, vendor: str, source_id: int, backend: SearchBackend, now):
        self.cursor = cursor
        self.vendor = vendor
        self.source_id = source_id
        self.backend = backend
        self.now = now if vendor != "sqlite" else now.isoformat(sep=" ")

    def known(self, org_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """{org_id: (source_id, content_hash)} of those already stored: the change detection's one query."""
        if not org_ids:
            return {}
        if self.vendor == "postgresql":
            self.cursor.execute(
                f"SELECT org_id, source_id, content_hash FROM {TABLE} WHERE org_id = ANY(%s)", [list(org_ids)]
            )
        else:
            marks = ", ".join(["%s"] * len(org_ids))
            self.cursor.execute(
                f"SELECT org_id, source_id, content_hash FROM {TABLE} WHERE org_id IN ({marks})", list(org_ids)
            )
        return {org_id: (source_id, content_hash) for org_id, source_id, content_hash in self.cursor.fetchall()}

    def existing(self, org_ids: Sequence[str], with_details: bool = False) -> dict[str, dict[str, Any]]:
        columns = ["id", "org_id", "source_id", "content_hash"]
        if with_details:
            columns += ["raw_codes", "status", "status_detail", "removed_on", "removal_reason", "categories"]
        if not org_ids:
            return {}
        marks = ", ".join(["%s"] * len(org_ids))
        self.cursor.execute(f"SELECT {', '.join(columns)} FROM {TABLE} WHERE org_id IN ({marks})", list(org_ids))
        found = {}
        for row in self.cursor.fetchall():
            item = dict(zip(columns, row, strict=True))
            for column in ("raw_codes", "categories"):
                if isinstance(item.get(column), str):
                    item[column] = json.loads(item[column])
            found[item["org_id"]] = item
        return found

    @property
    def context(self) -> dict[str, Any]:
        return {"vendor": self.vendor, "source_id": self.source_id, "now": self.now}

    def insert(self, rows: list[list[Any]]) -> None:
        """rows: values in WRITTEN_COLUMNS order (see row_values)."""
        if not rows:
            return
        columns = ", ".join(WRITTEN_COLUMNS)
        if self.vendor == "postgresql":  # the full-text index is over an expression: nothing else to fill
            self._copy(TABLE, rows)
            return
        marks = ", ".join(["%s"] * len(WRITTEN_COLUMNS))
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TABLE}")
        after_id = self.cursor.fetchone()[0]
        self.cursor.executemany(f"INSERT INTO {TABLE} ({columns}) VALUES ({marks})", rows)
        self.backend.index_new(self.cursor, after_id)

    def replace(self, rows: list[tuple[dict[str, Any], str]]) -> None:
        """Rewrite every column of existing organisations (an authoritative source's update)."""
        if not rows:
            return
        if self.vendor == "postgresql":
            self._merge([row_values(fields, fingerprint, **self.context) for fields, fingerprint in rows])
            return
        assignments = ", ".join(f"{c} = %s" for c in WRITTEN_COLUMNS if c != "org_id")
        self.cursor.executemany(
            f"UPDATE {TABLE} SET {assignments} WHERE org_id = %s",
            [[*row_values(fields, fingerprint, **self.context)[1:], fields["org_id"]] for fields, fingerprint in rows],
        )
        self.backend.index(self.cursor, [fields["org_id"] for fields, _ in rows])

    def _copy(self, table: str, rows: list[list[Any]]) -> None:
        with self.cursor.copy(f"COPY {table} ({', '.join(WRITTEN_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _merge(self, rows: list[list[Any]]) -> None:
        """PostgreSQL: COPY the batch into a session-local staging table, then one set-based UPDATE."""
        self.cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} AS SELECT {', '.join(WRITTEN_COLUMNS)} FROM {TABLE} WITH NO DATA"
        )
        self.cursor.execute(f"TRUNCATE {STAGE}")
        self._copy(STAGE, rows)
        assignments = ", ".join(f"{c} = s.{c}" for c in WRITTEN_COLUMNS if c != "org_id")
        self.cursor.execute(f"UPDATE {TABLE} o SET {assignments} FROM {STAGE} s WHERE o.org_id = s.org_id")

    def patch(self, changes: list[tuple[str, dict[str, Any]]]) -> None:
        """Change some columns of organisations (a secondary source's facts). No name changes: no re-index."""
        for org_id, fields in changes:
            fields = {**fields, "updated_at": None}
            assignments = ", ".join(f"{c} = %s" for c in fields)
            values = [self.now if c == "updated_at" else _db_value(c, v, self.vendor) for c, v in fields.items()]
            self.cursor.execute(f"UPDATE {TABLE} SET {assignments} WHERE org_id = %s", [*values, org_id])

    def mark_removed(self, org_ids: Sequence[str], *, reason: str, on: date) -> None:
        """Snapshot: organisations the register no longer lists. Never deleted; the hash is cleared so that a
        later import that lists them again rewrites them."""
        day = on.isoformat() if self.vendor == "sqlite" else on
        for start in range(0, len(org_ids), 5000):
            chunk = list(org_ids[start : start + 5000])
            marks = ", ".join(["%s"] * len(chunk))
            self.cursor.execute(
                f"UPDATE {TABLE} SET status = 'removed', removed_on = %s, removal_reason = %s, "
                f"content_hash = '', updated_at = %s WHERE org_id IN ({marks})",
                [day, reason, self.now, *chunk],
            )

    def active_org_ids(self) -> list[str]:
        self.cursor.execute(f"SELECT org_id FROM {TABLE} WHERE source_id = %s AND status = 'active'", [self.source_id])
        return [row[0] for row in self.cursor.fetchall()]
