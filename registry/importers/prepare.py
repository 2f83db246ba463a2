"""The CPU-heavy half of an import, run in worker processes on large files: parse rows, build SQL values.

Kept free of database access so it can run anywhere; the main process keeps the one connection and its
transaction, and does every read and write.
"""

import os
import threading
import time
from typing import Any

from registry.importers.base import Importer, OrgRecord, RawRow, RowRejected
from registry.importers.writer import record_fields, row_values

# What prepare_batch returns per row, as plain tuples (cheap to send between processes):
INSERT = "insert"  # (INSERT, org_id, fingerprint, values ready for the INSERT): a new organisation
EXISTING = "existing"  # (EXISTING, org_id, fingerprint, OrgRecord): the main process decides how to merge
REJECTED = "rejected"  # (REJECTED, org_id, fingerprint, (file, line, reason, raw))

Item = tuple[RawRow, str, str, bool]  # row, org_id, fingerprint ("": compute it here), is_new


def pack(items: list[Item]) -> tuple:
    """Rows of one CSV share their header: send it once and the fields as lists, not a dict per row."""
    header = items[0][0].header
    if header is not None and all(row.fields is not None and row.header == header for row, *_ in items):
        return (header, [(row.file, row.line, row.fields, *rest) for row, *rest in items])
    return (None, items)


def unpack(packed: tuple) -> list[Item]:
    header, items = packed
    if header is None:
        return items
    return [(RawRow(file, line, fields=fields, header=header), *rest) for file, line, fields, *rest in items]


def prepare_batch(importer: Importer, packed: tuple, context: dict) -> list[tuple]:
    prepared: list[tuple[str, str, str, Any]] = []
    for row, org_id, fingerprint, is_new in unpack(packed):
        fingerprint = fingerprint or importer.fingerprint(row)  # left to this worker ("") on a first import
        if is_new and row.fields is not None and not has_nul(row):
            # An importer's compiled form of parse() for plain rows (None: not plain, parse() decides).
            values = importer.prepared_values(row, fingerprint, context)
            if values is not None:
                prepared.append((INSERT, org_id, fingerprint, values))
                continue
        try:
            if has_nul(row):
                raise RowRejected("contains a NUL character")
            record = fit(importer.parse(row))
        except RowRejected as exc:
            rejection = (row.file, row.line, str(exc)[:500], repr(row.values)[:1000])
            prepared.append((REJECTED, org_id, fingerprint, rejection))
            continue
        if is_new:
            prepared.append((INSERT, org_id, fingerprint, row_values(record_fields(record), fingerprint, **context)))
        else:
            prepared.append((EXISTING, org_id, fingerprint, record))
    return prepared


_LIMITS: list[tuple[str, int]] = []


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def has_nul(row: RawRow) -> bool:
    try:  # a CSV row: all strings, the fast path
        return "\x00" in "".join(row.fields if row.fields is not None else row.values.values())
    except TypeError:
        return _has_nul(row.values)


def column_limits() -> dict[str, int]:
    """{field: max_length} of the organisation's text fields a record carries (fit() cuts to these)."""
    _load_limits()
    return dict(_LIMITS)


def _load_limits() -> None:
    if not _LIMITS:
        # Read on first use, not at import: parser worker processes import this module without Django set up.
        from registry.models import Organisation

        names = OrgRecord.__dataclass_fields__.keys()
        _LIMITS.extend((f.name, f.max_length) for f in Organisation._meta.fields if f.max_length and f.name in names)


def fit(record: OrgRecord) -> OrgRecord:
    """Make a record safe for both databases. PostgreSQL refuses over-long text (and NUL characters, refused with
    the row in prepare_batch) for the whole batch where SQLite accepts them: text is cut to its column's length."""
    values = record.__dict__
    _load_limits()
    for name, limit in _LIMITS:
        value = values[name]
        if isinstance(value, str) and len(value) > limit:
            values[name] = value[:limit].rstrip()
    return record


def worker_setup(parent_pid: int | None = None) -> None:
    import django

    django.setup()
    if parent_pid:
        threading.Thread(target=_exit_with, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _parent_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # killed but not yet reaped by its own parent: a zombie is dead too
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return True


def _exit_with(parent_pid: int, every: float = 0.5) -> None:
    """A parsing worker whose importing process is gone (SIGKILL leaves it no chance to stop its pool) has no one
    to hand its results to: it ends itself instead of running on as an orphan."""
    while _parent_alive(parent_pid):
        time.sleep(every)
    os._exit(1)
