"""The CPU-heavy half of an import, run in worker processes on large files: parse rows, build SQL values.

Kept free of database access so it can run anywhere; the main process keeps the one connection and its
transaction, and does every read and write.
"""

from dataclasses import dataclass
from typing import Any

from registry.importers.base import Importer, OrgRecord, RawRow, RowRejected
from registry.importers.writer import record_fields, row_values


@dataclass
class Prepared:
    org_id: str
    fingerprint: str
    values: list[Any] | None = None  # ready to INSERT (a new organisation)
    record: OrgRecord | None = None  # an existing organisation: the main process decides how to merge
    rejection: tuple[str, int, str, str] | None = None  # file, line, reason, raw


def prepare_batch(importer: Importer, items: list[tuple[RawRow, str, str, bool]], context: dict) -> list[Prepared]:
    """items: (row, org_id, fingerprint, is_new)."""
    prepared = []
    for row, org_id, fingerprint, is_new in items:
        try:
            record = importer.parse(row)
        except RowRejected as exc:
            raw = repr(row.values)[:1000]
            prepared.append(Prepared(org_id, fingerprint, rejection=(row.file, row.line, str(exc)[:500], raw)))
            continue
        if is_new:
            values = row_values(record_fields(record), fingerprint, **context)
            prepared.append(Prepared(org_id, fingerprint, values=values))
        else:
            prepared.append(Prepared(org_id, fingerprint, record=record))
    return prepared


def worker_setup() -> None:
    import django

    django.setup()
