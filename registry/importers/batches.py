"""One run's batches: de-duplicate, detect unchanged rows, hand the rest to be parsed, write the results.

Parsing can run in worker processes (large files) while this process keeps the single database connection:
a batch is looked up and submitted, and written once its parse comes back, with up to a few batches in flight.
Batches never share an organisation (ids are de-duplicated before submission), so the order in which their
writes land cannot change the outcome.
"""

from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass

from registry.importers.base import Importer, RawRow, RowRejected
from registry.importers.prepare import INSERT, REJECTED, pack, prepare_batch
from registry.importers.progress import ImportProgress
from registry.importers.seen import SeenIds
from registry.importers.writer import BatchWriter, record_fields
from registry.models import RejectedRow

KEPT_REJECTIONS = 1000
IN_FLIGHT = 3


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class _Inline:
    """Runs a job at once, in this process (small imports; tests)."""

    def submit(self, function, *args) -> Future:
        future: Future = Future()
        future.set_result(function(*args))
        return future


class RunBatches:
    def __init__(
        self,
        importer: Importer,
        writer: BatchWriter,
        progress: ImportProgress | None = None,
        executor: Executor | None = None,
        write_scope: Callable[[], AbstractContextManager] = nullcontext,
        *,
        fresh: bool = False,
        estimate: int | None = None,
    ):
        self.importer = importer
        self.write_scope = write_scope  # each batch's writes run inside one (a transaction when committing batches)
        self.writer = writer
        progress = progress or ImportProgress()
        # Rows read and parsed, and rows settled (written, unchanged or rejected): they overlap in time.
        self.parsing = progress.phase("parsing", total=estimate)
        self.writing = progress.phase("writing", total=estimate)
        self.executor = executor or _Inline()
        self.inline = executor is None
        # The table was empty when the run started: every id is new (ids are de-duplicated before submission),
        # so there is nothing to look up.
        self.fresh = fresh
        self.summary = ImportSummary()
        self.seen = SeenIds(estimate or 0)  # id -> the line it was first seen on
        # Later rows for an id already submitted: used if the first one turns out unusable, else rejected.
        self.duplicates: dict[str, list[tuple[RawRow, str]]] = {}
        self.rejections: list[RejectedRow] = []
        self.in_flight: deque = deque()

    def reject(self, file: str, line: int, reason: str, raw: str) -> None:
        self.summary.rejected += 1
        if len(self.rejections) < KEPT_REJECTIONS:
            self.rejections.append(RejectedRow(file=file, line=line, reason=reason[:500], raw=raw[:1000]))

    def feed(self, rows: list[RawRow]) -> None:
        keyed: list[tuple[RawRow, str, str]] = []
        for row in rows:
            self.summary.read += 1
            if row.fields is not None:  # a well-formed CSV row (files.read_raw_rows): none of the markers below
                pass
            elif "__bad_width__" in row.values:
                fields = row.values["__bad_width__"]
                self.reject(row.file, row.line, f"wrong number of fields ({len(fields)})", repr(fields))
                continue
            elif "__rejected__" in row.values:  # found unusable while reading (files.rejected_row)
                self.reject(row.file, row.line, row.values["__rejected__"], repr(row.values.get("fields")))
                continue
            try:
                org_id = self.importer.org_id(row)
            except RowRejected as exc:
                self.reject(row.file, row.line, str(exc), repr(row.values))
                continue
            if self.seen.add(org_id, row.line) is not None:
                self.duplicates.setdefault(org_id, []).append((row, self.importer.fingerprint(row)))
                continue
            # A first import compares no fingerprints: the parse worker computes them, beside the parse.
            keyed.append((row, org_id, "" if self.fresh else self.importer.fingerprint(row)))
        self.writing.advance(len(rows) - len(keyed))  # rejected on reading, or waiting as duplicates
        self.parsing.advance(len(rows))
        if keyed:
            self._submit(keyed)
        while len(self.in_flight) > IN_FLIGHT:
            self._complete(*self.in_flight.popleft())

    def finish(self) -> None:
        self.parsing.close()
        while self.in_flight:
            self._complete(*self.in_flight.popleft())
        for org_id, rows in self.duplicates.items():
            for row, _ in rows:
                self.reject(
                    row.file,
                    row.line,
                    f"duplicate id {org_id} (first seen on line {self.seen.line(org_id)}); first kept",
                    repr(row.values),
                )
        self.writing.close()

    def _retry_duplicate(self, org_id: str) -> None:
        """The row used for org_id was rejected: the next row with the same id takes its place."""
        waiting = self.duplicates.get(org_id)
        if waiting:
            row, fingerprint = waiting.pop(0)
            if not waiting:
                del self.duplicates[org_id]
            self.seen.move(org_id, row.line)
            self._submit([(row, org_id, fingerprint)])

    def _submit(self, keyed: list[tuple[RawRow, str, str]]) -> None:
        if self.fresh:
            existing: dict[str, tuple[int, str]] = {}
            items = [(row, org_id, fingerprint, True) for row, org_id, fingerprint in keyed]
        else:
            existing = self.writer.known([org_id for _, org_id, _ in keyed])
            mine = self.writer.source_id
            items = []
            for row, org_id, fingerprint in keyed:
                current = existing.get(org_id)
                if current == (mine, fingerprint):
                    self.summary.unchanged += 1
                else:
                    items.append((row, org_id, fingerprint, current is None))
        self.writing.advance(len(keyed) - len(items))
        if items:
            # In this process the rows need no packing for the trip to a worker.
            job = self.executor.submit(
                prepare_batch, self.importer, (None, items) if self.inline else pack(items), self.writer.context
            )
            self.in_flight.append((job, existing))

    def _complete(self, job: Future, existing: dict) -> None:
        results = job.result()  # parsed (maybe in a worker process) before the write scope opens
        with self.write_scope():
            self._write(results, existing)

    def _write(self, results: list, existing: dict) -> None:
        importer, writer = self.importer, self.writer
        inserts, replaces, foreign = [], [], []
        prepared = results
        for kind, org_id, fingerprint, payload in prepared:
            if kind == REJECTED:
                self.reject(*payload)
                self._retry_duplicate(org_id)
            elif kind == INSERT:
                inserts.append(payload)
            elif existing[org_id][0] == writer.source_id or importer.authoritative:
                replaces.append((record_fields(payload), fingerprint))
            else:
                foreign.append((org_id, payload))
        writer.insert(inserts)
        self.summary.created += len(inserts)
        if not (replaces or foreign):
            self.writing.advance(len(prepared))
            return
        details = writer.existing([f["org_id"] for f, _ in replaces] + [o for o, _ in foreign], True)
        for fields, _ in replaces:
            # Facts other sources hold about this organisation survive a rewrite by its register.
            fields["raw_codes"] = {**details[fields["org_id"]]["raw_codes"], **fields["raw_codes"]}
            fields.update(importer.reconcile(fields))
        writer.replace(replaces)
        self.summary.updated += len(replaces)
        patches = []
        for org_id, record in foreign:
            change = importer.merge(details[org_id], record)
            if change:
                patches.append((org_id, change))
            else:
                self.summary.unchanged += 1
        writer.patch(patches)
        self.summary.updated += len(patches)
        self.writing.advance(len(prepared))
